package io.rotor.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.InputCoercionException;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.deser.DeserializationProblemHandler;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.rotor.domain.CredentialType;
import io.rotor.domain.PasswordGenerator;
import io.rotor.domain.PasswordPolicy;
import io.rotor.domain.PasswordPolicyException;
import io.rotor.domain.RotationSchedule;
import io.rotor.domain.Target;
import io.rotor.domain.TlsMode;
import io.rotor.domain.UsernameRules;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.lang.reflect.RecordComponent;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Reads the inventory file ({@code config/inventory.yaml}): password policies, targets and accounts declared
 * as code. Every problem in the file is collected and reported at once in an {@link InventoryException};
 * messages name the file, the entry and the field, never a value that could be a secret.
 *
 * <p>Secrets never live in the file: a key named {@code password}, {@code secret} or {@code value} anywhere
 * in an entry is refused. The first credential of an account comes from the environment variable named by
 * {@code initialSecretEnv}, or from {@code rotor set}.
 */
public final class InventoryLoader {
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");
    private static final Pattern TYPE = Pattern.compile("[a-z][a-z0-9_-]{0,63}");
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,254}");
    private static final Pattern DUPLICATE_KEY = Pattern.compile("Duplicate field '([^']{0,128})'");
    private static final Set<String> FORBIDDEN_KEYS = Set.of("password", "secret", "value");
    private static final List<String> SECTIONS = List.of("policies", "targets", "accounts");
    private static final String SECRET_REFUSED = "secrets must not be written in the inventory; they come from"
            + " environment variables (initialSecretEnv) or `rotor set`";

    private static final ObjectMapper MAPPER = mapper();

    private InventoryLoader() {
    }

    /**
     * Loads and validates {@code file}.
     *
     * @throws InventoryException listing every problem, including a missing or unreadable file
     */
    public static Inventory load(Path file) {
        String source = file.toString();
        String text;
        try {
            text = readUtf8(file);
        } catch (NoSuchFileException e) {
            throw new InventoryException(List.of(source + ": file not found"));
        } catch (CharacterCodingException e) {
            throw new InventoryException(List.of(source + ": not valid UTF-8"));
        } catch (IOException e) {
            throw new InventoryException(List.of(source + ": cannot be read (" + e.getClass().getSimpleName() + ")"));
        }
        return parse(source, text);
    }

    /** Like {@link #load(Path)}, but a file that does not exist gives an empty inventory. */
    public static Inventory loadIfExists(Path file) {
        if (Files.notExists(file)) {
            return Inventory.empty();
        }
        return load(file);
    }

    /**
     * Parses and validates inventory YAML.
     *
     * @param source the name used in messages, normally the file's path
     * @throws InventoryException listing every problem
     */
    public static Inventory parse(String source, String yaml) {
        return new Run(source).parse(yaml);
    }

    private static String readUtf8(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        return StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes)).toString();
    }

    /** The largest inventory file, in characters. */
    static final int MAX_INVENTORY_CODE_POINTS = 256 * 1024 * 1024;

    private static ObjectMapper mapper() {
        LoaderOptions options = new LoaderOptions();
        options.setMaxAliasesForCollections(20);
        options.setAllowDuplicateKeys(false);
        // SnakeYAML refuses documents over 3 MB by default, i.e. an inventory of about 50,000 accounts; the bulk
        // workflows are sized for 100,000 and more (docs/benchmarks.md), so allow 256 MB
        options.setCodePointLimit(MAX_INVENTORY_CODE_POINTS);
        YAMLFactory factory = YAMLFactory.builder().loaderOptions(options).build();
        ObjectMapper mapper = new ObjectMapper(factory)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);
        // YAML 1.1 reads unquoted 0123 as 83, on/yes as true: never let that silently become text
        mapper.coercionConfigFor(LogicalType.Textual)
                .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
        return mapper;
    }

    // ---- one entry on its own (the REST API) -------------------------------------------------------------

    /**
     * Checks one policy given on its own (as the REST API receives it) with exactly the rules of the file.
     *
     * @throws InventoryException whose lines read {@code field 'maxLength': ...}
     */
    public static PasswordPolicy checkPolicy(JsonNode entry) {
        return checkPolicyWithSchedule(entry).policy();
    }

    /** A policy with its rotation schedule ({@link RotationSchedule#none()} without a {@code rotation} section). */
    public record ScheduledPolicy(PasswordPolicy policy, RotationSchedule schedule) {
    }

    /** Checks one policy given on its own, its {@code rotation} section included, with the file's messages. */
    public static ScheduledPolicy checkPolicyWithSchedule(JsonNode entry) {
        Run run = new Run(null);
        Item<PolicyEntry> item = run.single(entry, PolicyEntry.class);
        PasswordPolicy policy = item == null ? null : run.policy(item);
        RotationSchedule schedule = item == null ? null : run.schedule(item);
        run.throwIfProblems();
        return new ScheduledPolicy(policy, schedule);
    }

    /**
     * Checks one target given on its own.
     *
     * @param policyIds      the policies it may name
     * @param accountTargets every known account id with the id of its target (for {@code adminAccount})
     * @throws InventoryException whose lines read {@code field 'port': ...}
     */
    public static Target checkTarget(JsonNode entry, Set<String> policyIds, Map<String, String> accountTargets) {
        Run run = new Run(null);
        Item<TargetEntry> item = run.single(entry, TargetEntry.class);
        Target target = item == null ? null : run.target(item, policyIds, accountTargets);
        run.throwIfProblems();
        return target;
    }

    /**
     * Checks one account given on its own. Uniqueness of the username on its target is the caller's to check.
     *
     * @param policyIds   the policies it may name
     * @param targetTypes every known target id with its type (for the username rules)
     * @throws InventoryException whose lines read {@code field 'username': ...}
     */
    public static AccountSpec checkAccount(JsonNode entry, Set<String> policyIds, Map<String, String> targetTypes) {
        Run run = new Run(null);
        Item<AccountEntry> item = run.single(entry, AccountEntry.class);
        AccountSpec account = item == null ? null
                : run.account(item, policyIds, targetTypes.keySet(), targetTypes, new HashMap<>());
        run.throwIfProblems();
        return account;
    }

    // ---- the file's entries, as Jackson binds them -------------------------------------------------------

    record PolicyEntry(String id, Integer minLength, Integer maxLength, Integer minUpper, Integer minLower,
                       Integer minDigit, Integer minSymbol, String symbols, String excluded,
                       Boolean notContainUsername, RotationEntry rotation) {
    }

    /** A policy's rotation schedule: {@code rotation: {interval: P30D | cron: "0 0 2 * * ?", window, manualOnly}}. */
    record RotationEntry(String interval, String cron, String window, Boolean manualOnly) {
    }

    record TargetEntry(String id, String type, String host, Integer port, String database, String tls,
                       String policy, String adminAccount, Map<String, String> settings) {
    }

    record AccountEntry(String id, String target, String username, String credentialType, String policy,
                        String initialSecretEnv) {
    }

    /** One list item: where it is, its id as written (for labels and references), and the bound entry. */
    private record Item<T>(String section, int index, String rawId, JsonNode node, T entry) {
        String where() {
            if (section == null) {
                return null; // a single entry checked on its own (the API): messages start at the field
            }
            String label = section + "[" + index + "]";
            return rawId == null ? label : label + " (id=" + printable(rawId) + ")";
        }
    }

    /** One load: the source name and the problems found so far. */
    private static final class Run {
        private final String source;
        private final List<String> problems = new ArrayList<>();
        /** Sort key of each problem line: its entry's place in the file, so lines come in file order. */
        private final List<Integer> order = new ArrayList<>();
        private final Map<String, Integer> entryOrder = new HashMap<>();

        Run(String source) {
            this.source = source;
        }

        List<String> sortedProblems() {
            Integer[] idx = new Integer[problems.size()];
            for (int i = 0; i < idx.length; i++) {
                idx[i] = i;
            }
            Arrays.sort(idx, java.util.Comparator.comparing(order::get)); // stable: keeps order within an entry
            return Arrays.stream(idx).map(problems::get).toList();
        }

        void problem(String where, String field, String text) {
            order.add(where == null ? -1 : entryOrder.getOrDefault(where, Integer.MAX_VALUE));
            StringBuilder line = new StringBuilder(source == null ? "" : source + ": ");
            if (where != null) {
                line.append(where).append(": ");
            }
            if (field != null) {
                line.append("field '").append(printable(field)).append("': ");
            }
            problems.add(line.append(text).toString());
        }

        Inventory parse(String yaml) {
            JsonNode root;
            try {
                root = MAPPER.readTree(yaml);
            } catch (JsonProcessingException e) {
                problems.add(syntaxError(e));
                throw new InventoryException(problems);
            }
            if (root == null || root.isMissingNode() || root.isNull()) {
                return Inventory.empty();
            }
            if (!root.isObject()) {
                problem(null, null, "the top level must be a mapping with the keys " + String.join(", ", SECTIONS));
                throw new InventoryException(sortedProblems());
            }
            root.fieldNames().forEachRemaining(name -> {
                if (!SECTIONS.contains(name)) {
                    problem(null, name, "unknown field (known fields: " + String.join(", ", SECTIONS) + ")");
                }
            });

            List<Item<PolicyEntry>> policyItems = items(root, "policies", PolicyEntry.class);
            List<Item<TargetEntry>> targetItems = items(root, "targets", TargetEntry.class);
            List<Item<AccountEntry>> accountItems = items(root, "accounts", AccountEntry.class);

            // every id written, even in a broken entry, so that one mistake does not cascade into
            // "unknown reference" errors elsewhere
            Set<String> policyIds = ids(policyItems);
            policyIds.add(Inventory.DEFAULT_POLICY_ID);
            Set<String> targetIds = ids(targetItems);
            Map<String, String> accountTargets = new HashMap<>();
            for (Item<AccountEntry> item : accountItems) {
                if (item.rawId() != null) {
                    accountTargets.putIfAbsent(item.rawId(), text(item.node(), "target"));
                }
            }
            Map<String, String> targetTypes = new HashMap<>();
            for (Item<TargetEntry> item : targetItems) {
                if (item.rawId() != null && item.entry() != null && item.entry().type() != null) {
                    targetTypes.putIfAbsent(item.rawId(), item.entry().type().trim().toLowerCase(Locale.ROOT));
                }
            }

            List<PasswordPolicy> policies = new ArrayList<>();
            Map<String, RotationSchedule> schedules = new LinkedHashMap<>();
            checkDuplicates(policyItems, "policy");
            for (Item<PolicyEntry> item : policyItems) {
                PasswordPolicy policy = policy(item);
                RotationSchedule schedule = schedule(item);
                if (policy != null && schedule != null) {
                    policies.add(policy);
                    schedules.putIfAbsent(policy.id(), schedule);
                }
            }
            List<Target> targets = new ArrayList<>();
            checkDuplicates(targetItems, "target");
            for (Item<TargetEntry> item : targetItems) {
                Target target = target(item, policyIds, accountTargets);
                if (target != null) {
                    targets.add(target);
                }
            }
            List<AccountSpec> accounts = new ArrayList<>();
            checkDuplicates(accountItems, "account");
            Map<String, Item<AccountEntry>> byTargetAndUser = new HashMap<>();
            for (Item<AccountEntry> item : accountItems) {
                AccountSpec account = account(item, policyIds, targetIds, targetTypes, byTargetAndUser);
                if (account != null) {
                    accounts.add(account);
                }
            }
            if (!problems.isEmpty()) {
                throw new InventoryException(sortedProblems());
            }
            return new Inventory(policies, targets, accounts, schedules);
        }

        void throwIfProblems() {
            if (!problems.isEmpty()) {
                throw new InventoryException(sortedProblems());
            }
        }

        /** One entry on its own: the same secret refusal and binding as a list item, labelled by field only. */
        <T> Item<T> single(JsonNode node, Class<T> type) {
            if (node == null || !node.isObject()) {
                problem(null, null, "must be a JSON object of fields (id, ...)");
                return null;
            }
            JsonNode idNode = node.get("id");
            String rawId = idNode != null && idNode.isValueNode() && !idNode.isNull() ? idNode.asText() : null;
            ObjectNode copy = ((ObjectNode) node).deepCopy();
            refuseSecrets(copy, "", null);
            T entry = bind(copy, type, null);
            return new Item<>(null, 0, rawId, node, entry);
        }

        // ---- reading the lists ---------------------------------------------------------------------------

        private <T> List<Item<T>> items(JsonNode root, String section, Class<T> type) {
            JsonNode list = root.get(section);
            List<Item<T>> items = new ArrayList<>();
            if (list == null || list.isNull() || (list.isTextual() && list.asText().isEmpty())) {
                return items; // "policies:" with nothing under it
            }
            if (!list.isArray()) {
                problem(null, section, "must be a list of entries");
                return items;
            }
            for (int i = 0; i < list.size(); i++) {
                JsonNode node = list.get(i);
                String label = section + "[" + i + "]";
                int place = SECTIONS.indexOf(section) * 1_000_000 + i;
                entryOrder.put(label, place);
                if (!node.isObject()) {
                    problem(label, null, "must be a mapping of fields (id: ..., ...)");
                    continue;
                }
                JsonNode idNode = node.get("id");
                String rawId = idNode != null && idNode.isValueNode() && !idNode.isNull() ? idNode.asText() : null;
                Item<T> bare = new Item<>(section, i, rawId, node, null);
                entryOrder.put(bare.where(), place);
                ObjectNode copy = ((ObjectNode) node).deepCopy();
                refuseSecrets(copy, "", bare.where());
                T entry = bind(copy, type, bare.where());
                items.add(new Item<>(section, i, rawId, node, entry));
            }
            return items;
        }

        /** Reports and removes every key that could carry a secret, at any depth. */
        private void refuseSecrets(JsonNode node, String prefix, String where) {
            if (node instanceof ObjectNode object) {
                List<String> names = new ArrayList<>();
                object.fieldNames().forEachRemaining(names::add);
                for (String name : names) {
                    if (FORBIDDEN_KEYS.contains(name.toLowerCase(Locale.ROOT))) {
                        problem(where, prefix + name, SECRET_REFUSED);
                        object.remove(name);
                    } else {
                        refuseSecrets(object.get(name), prefix + name + ".", where);
                    }
                }
            } else if (node instanceof ArrayNode array) {
                String base = prefix.endsWith(".") ? prefix.substring(0, prefix.length() - 1) : prefix;
                for (int i = 0; i < array.size(); i++) {
                    refuseSecrets(array.get(i), base + "[" + i + "].", where);
                }
            }
        }

        /** Binds one entry; unknown fields and type errors become problems (the latter give null). */
        private <T> T bind(JsonNode node, Class<T> type, String where) {
            DeserializationProblemHandler unknownFields = new DeserializationProblemHandler() {
                @Override
                public boolean handleUnknownProperty(DeserializationContext ctxt, JsonParser p,
                                                     JsonDeserializer<?> deserializer, Object beanOrClass,
                                                     String propertyName) throws IOException {
                    // a nested mapping (rotation) names its own fields, with its path
                    Class<?> owner = deserializer.handledType();
                    com.fasterxml.jackson.core.JsonStreamContext parent = p.getParsingContext().getParent();
                    String field = parent != null && parent.getCurrentName() != null && owner != type
                            ? parent.getCurrentName() + "." + propertyName : propertyName;
                    problem(where, field, "unknown field (known fields: "
                            + known(owner != null && owner.isRecord() ? owner : type) + ")");
                    p.skipChildren();
                    return true;
                }
            };
            ObjectReader reader = MAPPER.readerFor(type).withHandler(unknownFields);
            try (JsonParser parser = MAPPER.treeAsTokens(node)) {
                try {
                    return reader.readValue(parser);
                } catch (JsonMappingException e) {
                    String field = path(e);
                    problem(where, field != null ? field : parser.currentName(), expected(e));
                } catch (InputCoercionException e) {
                    problem(where, parser.currentName(), "number out of range");
                } catch (JsonProcessingException e) {
                    problem(where, parser.currentName(), "cannot be read as this field's type");
                }
            } catch (IOException e) {
                problem(where, null, "cannot be read (" + e.getClass().getSimpleName() + ")");
            }
            return null;
        }

        // ---- checking the entries ------------------------------------------------------------------------

        private PasswordPolicy policy(Item<PolicyEntry> item) {
            PolicyEntry e = item.entry();
            if (e == null) {
                return null;
            }
            int before = problems.size();
            checkId(item.where(), "id", e.id(), true);
            PasswordPolicy d = PasswordPolicy.defaults();
            // a bound left out follows the one given, so that "minLength: 40" alone is not refused
            // for the default maxLength
            int minLength = e.minLength() != null ? e.minLength()
                    : e.maxLength() != null ? Math.max(1, Math.min(d.minLength(), e.maxLength())) : d.minLength();
            int maxLength = e.maxLength() != null ? e.maxLength() : Math.max(d.maxLength(), minLength);
            PasswordPolicy policy = new PasswordPolicy(e.id(), minLength, maxLength,
                    or(e.minUpper(), d.minUpper()), or(e.minLower(), d.minLower()),
                    or(e.minDigit(), d.minDigit()), or(e.minSymbol(), d.minSymbol()),
                    e.symbols() != null ? e.symbols() : d.symbols(),
                    e.excluded() != null ? e.excluded() : d.excluded(),
                    e.notContainUsername() != null ? e.notContainUsername() : d.notContainUsername());
            try {
                PasswordGenerator.validate(policy);
            } catch (PasswordPolicyException x) {
                problem(item.where(), x.field(), x.problem());
            }
            return problems.size() == before ? policy : null;
        }

        /** The policy's rotation schedule; {@link RotationSchedule#none()} without a rotation section, null on problems. */
        private RotationSchedule schedule(Item<PolicyEntry> item) {
            PolicyEntry e = item.entry();
            if (e == null) {
                return null;
            }
            RotationEntry r = e.rotation();
            if (r == null) {
                return RotationSchedule.none();
            }
            List<String[]> found = new ArrayList<>();
            RotationSchedule schedule = RotationSchedule.parse(r.interval(), r.cron(), r.window(), r.manualOnly(), found);
            for (String[] problem : found) {
                problem(item.where(), "rotation." + problem[0], problem[1]);
            }
            return schedule;
        }

        private Target target(Item<TargetEntry> item, Set<String> policyIds, Map<String, String> accountTargets) {
            TargetEntry e = item.entry();
            if (e == null) {
                return null;
            }
            String where = item.where();
            int before = problems.size();
            checkId(where, "id", e.id(), true);
            String type = null;
            if (isBlank(e.type())) {
                problem(where, "type", "is required (postgresql, mariadb, ...)");
            } else {
                type = e.type().trim().toLowerCase(Locale.ROOT);
                if (!TYPE.matcher(type).matches()) {
                    problem(where, "type", "must match " + TYPE.pattern());
                }
            }
            if (isBlank(e.host())) {
                problem(where, "host", "is required");
            } else if (e.host().chars().anyMatch(c -> Character.isWhitespace(c) || Character.isISOControl(c))
                    || e.host().length() > 253) {
                problem(where, "host", "must be a host name or address without whitespace or control characters");
            }
            int port = 0;
            if (e.port() != null) {
                port = e.port();
                if (port < 1 || port > 65535) {
                    problem(where, "port", "must be between 1 and 65535");
                }
            } else if (type != null) {
                port = defaultPort(type);
            }
            if (e.database() != null && e.database().chars().anyMatch(Character::isISOControl)) {
                problem(where, "database", "must not contain control characters");
            }
            TlsMode tls = TlsMode.DISABLE;
            try {
                tls = isBlank(e.tls()) ? TlsMode.defaultFor(type) : TlsMode.parse(e.tls());
            } catch (IllegalArgumentException x) {
                problem(where, "tls", "must be disable, require or verify-full");
            }
            checkReference(where, "policy", e.policy(), policyIds, "policy");
            if (e.adminAccount() != null) {
                if (checkReference(where, "adminAccount", e.adminAccount(), accountTargets.keySet(), "account")
                        && e.id() != null && accountTargets.get(e.adminAccount()) != null
                        && !e.id().equals(accountTargets.get(e.adminAccount()))) {
                    problem(where, "adminAccount", "account '" + printable(e.adminAccount())
                            + "' is not on this target (an admin account must be on the same target)");
                }
            }
            Map<String, String> settings = new LinkedHashMap<>();
            if (e.settings() != null) {
                e.settings().forEach((key, value) -> {
                    if (isBlank(key)) {
                        problem(where, "settings", "keys must not be blank");
                    } else if (value == null) {
                        problem(where, "settings." + key, "must have a value");
                    } else {
                        settings.put(key, value);
                    }
                });
            }
            if (e.port() == null && type != null && (type.equals("ldap") || type.equals("activedirectory"))
                    && "ldaps".equalsIgnoreCase(settings.getOrDefault("tlsMethod", "").trim())) {
                port = 636;
            }
            if ("activedirectory".equals(type) && tls == TlsMode.DISABLE) {
                problem(where, "tls", "must be require or verify-full: Active Directory accepts passwords"
                        + " (unicodePwd) only over an encrypted connection");
            }
            if (problems.size() != before) {
                return null;
            }
            return new Target(e.id(), type, e.host().trim(), port, e.database(), tls, e.adminAccount(),
                    e.policy(), settings);
        }

        private AccountSpec account(Item<AccountEntry> item, Set<String> policyIds, Set<String> targetIds,
                                    Map<String, String> targetTypes, Map<String, Item<AccountEntry>> byTargetAndUser) {
            AccountEntry e = item.entry();
            if (e == null) {
                return null;
            }
            String where = item.where();
            int before = problems.size();
            checkId(where, "id", e.id(), true);
            if (isBlank(e.target())) {
                problem(where, "target", "is required");
            } else {
                checkReference(where, "target", e.target(), targetIds, "target");
            }
            if (e.username() == null) {
                problem(where, "username", "is required");
            } else {
                try {
                    UsernameRules.check(e.target() == null ? null : targetTypes.get(e.target()), e.username());
                    Item<AccountEntry> other = byTargetAndUser.putIfAbsent(e.target() + "\n" + e.username(), item);
                    if (other != null) {
                        problem(where, "username", "is already declared on target '" + printable(e.target())
                                + "' by " + other.where());
                    }
                } catch (IllegalArgumentException x) {
                    problem(where, "username", x.getMessage());
                }
            }
            CredentialType credentialType = CredentialType.PASSWORD;
            if (e.credentialType() != null) {
                credentialType = credentialType(e.credentialType());
                if (credentialType == null) {
                    problem(where, "credentialType", "must be one of " + Arrays.stream(CredentialType.values())
                            .map(InventoryLoader::configName).collect(Collectors.joining(", ")));
                }
            }
            checkReference(where, "policy", e.policy(), policyIds, "policy");
            if (e.initialSecretEnv() != null && !ENV_NAME.matcher(e.initialSecretEnv()).matches()) {
                problem(where, "initialSecretEnv", "must be the name of an environment variable (" + ENV_NAME.pattern()
                        + "), not a secret");
            }
            if (problems.size() != before) {
                return null;
            }
            return new AccountSpec(e.id(), e.target(), e.username(), credentialType, e.policy(), e.initialSecretEnv());
        }

        private void checkId(String where, String field, String id, boolean required) {
            if (id == null || id.isEmpty()) {
                if (required) {
                    problem(where, field, "is required");
                }
            } else if (!ID.matcher(id).matches()) {
                problem(where, field, "must match " + ID.pattern());
            }
        }

        private <T> void checkDuplicates(List<Item<T>> items, String kind) {
            Map<String, Item<T>> first = new HashMap<>();
            for (Item<T> item : items) {
                if (item.rawId() == null) {
                    continue;
                }
                Item<T> earlier = first.putIfAbsent(item.rawId(), item);
                if (earlier != null) {
                    problem(item.where(), "id", "duplicate " + kind + " id (first declared at "
                            + earlier.section() + "[" + earlier.index() + "])");
                }
            }
        }

        /** Reports a reference to an id that no entry declares; true when it resolves (or is absent). */
        private boolean checkReference(String where, String field, String ref, Set<String> known, String kind) {
            if (ref == null) {
                return true;
            }
            if (!known.contains(ref)) {
                problem(where, field, "unknown " + kind + " '" + printable(ref) + "'");
                return false;
            }
            return true;
        }

        private String syntaxError(JsonProcessingException e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof MarkedYAMLException marked && marked.getProblemMark() != null) {
                    // the problem text only: SnakeYAML's full message quotes the offending line, which may
                    // be a secret someone pasted into the file
                    return source + ": line " + (marked.getProblemMark().getLine() + 1) + ", column "
                            + (marked.getProblemMark().getColumn() + 1) + ": malformed YAML: " + marked.getProblem();
                }
            }
            String where = e.getLocation() == null ? "" : "line " + e.getLocation().getLineNr() + ", column "
                    + e.getLocation().getColumnNr() + ": ";
            Matcher duplicate = DUPLICATE_KEY.matcher(String.valueOf(e.getOriginalMessage()));
            if (duplicate.find()) {
                return source + ": " + where + "duplicate key '" + printable(duplicate.group(1)) + "'";
            }
            if (e instanceof MismatchedInputException && String.valueOf(e.getOriginalMessage()).contains("Trailing token")) {
                return source + ": " + where + "only one YAML document is allowed";
            }
            return source + ": " + where + "malformed YAML";
        }
    }

    // ---- helpers ----------------------------------------------------------------------------------------

    private static Set<String> ids(List<? extends Item<?>> items) {
        return items.stream().map(Item::rawId).filter(id -> id != null)
                .collect(Collectors.toCollection(java.util.HashSet::new));
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value != null && value.isValueNode() && !value.isNull() ? value.asText() : null;
    }

    private static int or(Integer value, int fallback) {
        return value != null ? value : fallback;
    }

    private static boolean isBlank(String s) {
        return s == null || s.isBlank();
    }

    private static int defaultPort(String type) {
        return switch (type) {
            case "postgresql" -> 5432;
            case "mariadb", "mysql" -> 3306;
            case "ldap", "activedirectory" -> 389; // 636 when settings.tlsMethod is ldaps (see below)
            default -> 0; // the connector's own default
        };
    }

    private static CredentialType credentialType(String text) {
        String normal = text.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        for (CredentialType type : CredentialType.values()) {
            if (type.name().equals(normal)) {
                return type;
            }
        }
        return null;
    }

    private static String configName(CredentialType type) {
        return type.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The fields an entry may have, in the order the example file shows them. */
    private static String known(Class<?> entryType) {
        return Arrays.stream(entryType.getRecordComponents()).map(RecordComponent::getName)
                .collect(Collectors.joining(", "));
    }

    /** The dotted path of the field a binding error is about, e.g. {@code settings.maxPoolSize}. */
    private static String path(JsonMappingException e) {
        StringBuilder path = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                if (path.length() > 0) {
                    path.append('.');
                }
                path.append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                path.append('[').append(ref.getIndex()).append(']');
            }
        }
        return path.length() == 0 ? null : path.toString();
    }

    /** What the field should have held; never the value that was there. */
    private static String expected(JsonMappingException e) {
        if (e.getCause() instanceof InputCoercionException) {
            return "number out of range";
        }
        Class<?> type = e instanceof MismatchedInputException m ? m.getTargetType() : null;
        if (type == Integer.class || type == int.class) {
            return "must be a whole number";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "must be true or false";
        }
        if (type != null && Map.class.isAssignableFrom(type)) {
            return "must be a mapping of names to values";
        }
        if (type == String.class) {
            if (String.valueOf(e.getOriginalMessage()).startsWith("Cannot coerce")) {
                return "YAML reads this unquoted value as a number or true/false, which can change it"
                        + " (0123 becomes 83, on becomes true): put it in quotes";
            }
            return "must be a single value, not a list or mapping";
        }
        return "has the wrong type";
    }

    /** Makes text safe for a one-line message: control and format characters become \\uXXXX. */
    static String printable(String text) {
        StringBuilder out = new StringBuilder();
        int limit = Math.min(text.length(), 130);
        for (int i = 0; i < limit; i++) {
            char c = text.charAt(i);
            if (Character.isISOControl(c) || Character.getType(c) == Character.FORMAT
                    || c == '\u2028' || c == '\u2029') {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        if (text.length() > limit) {
            out.append("...");
        }
        return out.toString();
    }
}
