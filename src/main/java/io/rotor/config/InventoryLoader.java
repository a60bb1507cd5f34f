package io.rotor.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.rotor.domain.CredentialType;
import io.rotor.domain.PasswordGenerator;
import io.rotor.domain.PasswordPolicy;
import io.rotor.domain.PasswordPolicyException;
import io.rotor.domain.RotationSchedule;
import io.rotor.domain.Target;
import io.rotor.domain.TlsMode;
import io.rotor.domain.UsernameRules;
import io.rotor.schema.SchemaValidator;
import io.rotor.schema.Texts;
import io.rotor.schema.Violation;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
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
 * <p>Each entry is checked against its JSON Schema ({@code schema/entities/policy.json}, {@code target.json},
 * {@code account.json}) and a target's settings against the settings schema of its type
 * ({@code schema/connectors/<type>.json}), with {@link SchemaValidator}: field types, ranges, patterns and
 * unknown fields or settings. This class keeps what a schema cannot see: references between entries, duplicate
 * ids and usernames, the username rules of each target type, the password generator's and the rotation
 * schedule's rules. The REST API checks its bodies with the same methods ({@link #checkTarget} ...), so it says
 * the same thing for the same mistake.
 *
 * <p>Secrets never live in the file: a key named {@code password}, {@code secret} or {@code value} anywhere
 * in an entry is refused. The first credential of an account comes from the environment variable named by
 * {@code initialSecretEnv}, or from {@code rotor set}.
 */
public final class InventoryLoader {
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
        return new ObjectMapper(factory)
                .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    }

    private static SchemaValidator schemas() {
        return SchemaValidator.forInventory();
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
        Item item = run.single(entry);
        ScheduledPolicy policy = item == null ? null : run.policy(item);
        run.throwIfProblems();
        return policy;
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
        Item item = run.single(entry);
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
        Item item = run.single(entry);
        AccountSpec account = item == null ? null
                : run.account(item, policyIds, targetTypes.keySet(), targetTypes, new HashMap<>());
        run.throwIfProblems();
        return account;
    }

    // ---- the file's entries ------------------------------------------------------------------------------

    /**
     * One list item: where it is, its id as written (for labels and references), and the entry with every key
     * that could carry a secret already removed.
     */
    private record Item(String section, int index, String rawId, ObjectNode node) {
        String where() {
            if (section == null) {
                return null; // a single entry checked on its own (the API): messages start at the field
            }
            String label = section + "[" + index + "]";
            return rawId == null ? label : label + " (id=" + printable(rawId) + ")";
        }
    }

    /** An entry as its schema checked it: the normalised value, and the top-level fields found wrong. */
    private record Checked(JsonNode value, Set<String> bad) {
        boolean ok(String field) {
            return !bad.contains(field) && value.hasNonNull(field);
        }

        String text(String field) {
            return ok(field) ? value.get(field).asText() : null;
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

            List<Item> policyItems = items(root, "policies");
            List<Item> targetItems = items(root, "targets");
            List<Item> accountItems = items(root, "accounts");

            // every id written, even in a broken entry, so that one mistake does not cascade into
            // "unknown reference" errors elsewhere
            Set<String> policyIds = ids(policyItems);
            policyIds.add(Inventory.DEFAULT_POLICY_ID);
            Set<String> targetIds = ids(targetItems);
            Map<String, String> accountTargets = new HashMap<>();
            for (Item item : accountItems) {
                if (item.rawId() != null) {
                    accountTargets.putIfAbsent(item.rawId(), text(item.node(), "target"));
                }
            }
            Map<String, String> targetTypes = new HashMap<>();
            for (Item item : targetItems) {
                String type = text(item.node(), "type");
                if (item.rawId() != null && type != null) {
                    targetTypes.putIfAbsent(item.rawId(), type.trim().toLowerCase(Locale.ROOT));
                }
            }

            List<PasswordPolicy> policies = new ArrayList<>();
            Map<String, RotationSchedule> schedules = new LinkedHashMap<>();
            checkDuplicates(policyItems, "policy");
            for (Item item : policyItems) {
                ScheduledPolicy policy = policy(item);
                if (policy != null) {
                    policies.add(policy.policy());
                    schedules.putIfAbsent(policy.policy().id(), policy.schedule());
                }
            }
            List<Target> targets = new ArrayList<>();
            checkDuplicates(targetItems, "target");
            for (Item item : targetItems) {
                Target target = target(item, policyIds, accountTargets);
                if (target != null) {
                    targets.add(target);
                }
            }
            List<AccountSpec> accounts = new ArrayList<>();
            checkDuplicates(accountItems, "account");
            Map<String, Item> byTargetAndUser = new HashMap<>();
            for (Item item : accountItems) {
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

        /** One entry on its own: the same secret refusal and checks as a list item, labelled by field only. */
        Item single(JsonNode node) {
            if (node == null || !node.isObject()) {
                problem(null, null, "must be a JSON object of fields (id, ...)");
                return null;
            }
            ObjectNode copy = ((ObjectNode) node).deepCopy();
            refuseSecrets(copy, "", null);
            return new Item(null, 0, rawId(node), copy);
        }

        // ---- reading the lists ---------------------------------------------------------------------------

        private List<Item> items(JsonNode root, String section) {
            JsonNode list = root.get(section);
            List<Item> items = new ArrayList<>();
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
                ObjectNode copy = ((ObjectNode) node).deepCopy();
                Item item = new Item(section, i, rawId(node), copy);
                entryOrder.put(item.where(), place);
                refuseSecrets(copy, "", item.where());
                items.add(item);
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

        /** Checks an entry against its schema and reports what it finds. */
        private Checked check(Item item, String schema) {
            SchemaValidator.Result result = schemas().validate(schema, item.node());
            return new Checked(result.value(), report(item.where(), result.violations()));
        }

        /** Reports violations; answers the top-level fields they are about. */
        private Set<String> report(String where, List<Violation> violations) {
            Set<String> fields = new HashSet<>();
            for (Violation v : violations) {
                problem(where, null, v.message());
                fields.add(v.path().split("[.\\[]", 2)[0]);
            }
            return fields;
        }

        // ---- checking the entries ------------------------------------------------------------------------

        /** The policy with its rotation schedule; null when the entry has problems. */
        private ScheduledPolicy policy(Item item) {
            int before = problems.size();
            Checked c = check(item, "policy");
            if (problems.size() != before) {
                return null;
            }
            JsonNode e = c.value();
            PasswordPolicy d = PasswordPolicy.defaults();
            Integer givenMin = integer(e, "minLength");
            Integer givenMax = integer(e, "maxLength");
            // a bound left out follows the one given, so that "minLength: 40" alone is not refused
            // for the default maxLength
            int minLength = givenMin != null ? givenMin
                    : givenMax != null ? Math.max(1, Math.min(d.minLength(), givenMax)) : d.minLength();
            int maxLength = givenMax != null ? givenMax : Math.max(d.maxLength(), minLength);
            PasswordPolicy policy = new PasswordPolicy(e.get("id").asText(), minLength, maxLength,
                    or(integer(e, "minUpper"), d.minUpper()), or(integer(e, "minLower"), d.minLower()),
                    or(integer(e, "minDigit"), d.minDigit()), or(integer(e, "minSymbol"), d.minSymbol()),
                    e.has("symbols") ? e.get("symbols").asText() : d.symbols(),
                    e.has("excluded") ? e.get("excluded").asText() : d.excluded(),
                    e.has("notContainUsername") ? e.get("notContainUsername").booleanValue() : d.notContainUsername());
            try {
                PasswordGenerator.validate(policy);
            } catch (PasswordPolicyException x) {
                problem(item.where(), x.field(), x.problem());
            }
            RotationSchedule schedule = RotationSchedule.none();
            JsonNode r = e.get("rotation");
            if (r != null) {
                List<String[]> found = new ArrayList<>();
                schedule = RotationSchedule.parse(text(r, "interval"), text(r, "cron"), text(r, "window"),
                        r.has("manualOnly") ? r.get("manualOnly").booleanValue() : null, found);
                for (String[] problem : found) {
                    problem(item.where(), "rotation." + problem[0], problem[1]);
                }
            }
            return problems.size() == before ? new ScheduledPolicy(policy, schedule) : null;
        }

        private Target target(Item item, Set<String> policyIds, Map<String, String> accountTargets) {
            String where = item.where();
            int before = problems.size();
            JsonNode typeNode = item.node().get("type");
            if (typeNode != null && typeNode.isTextual()) {
                item.node().set("type", TextNode.valueOf(typeNode.asText().trim().toLowerCase(Locale.ROOT)));
            }
            Checked c = check(item, "target");
            JsonNode e = c.value();
            String type = c.text("type");
            Map<String, String> settings = Map.of();
            if (type != null && (c.ok("settings") || e.get("settings") == null)) {
                // no settings are checked as {}: a type whose schema requires a setting (route: change) says so
                JsonNode given = e.get("settings") == null ? JsonNodeFactory.instance.objectNode() : e.get("settings");
                SchemaValidator.Result checked = schemas().validateSettings(type, given);
                report(where, checked.violations());
                settings = e.get("settings") == null ? Map.of() : SchemaValidator.asStrings(checked.value());
            }
            // an omitted tls means verify-full where the transport has TLS (TlsMode.defaultFor); a bad one is reported
            TlsMode tls = c.ok("tls") && c.text("tls") != null && !c.text("tls").isBlank() ? TlsMode.parse(c.text("tls"))
                    : c.bad().contains("tls") ? TlsMode.DISABLE : TlsMode.defaultFor(type);
            int port = c.ok("port") ? e.get("port").intValue() : type == null ? 0 : defaultPort(type, settings);
            String id = c.text("id");
            if (c.ok("policy")) {
                checkReference(where, "policy", c.text("policy"), policyIds, "policy");
            }
            String admin = c.text("adminAccount");
            if (admin != null && checkReference(where, "adminAccount", admin, accountTargets.keySet(), "account")
                    && id != null && accountTargets.get(admin) != null && !id.equals(accountTargets.get(admin))) {
                problem(where, "adminAccount", "account '" + printable(admin)
                        + "' is not on this target (an admin account must be on the same target)");
            }
            if ("activedirectory".equals(type) && tls == TlsMode.DISABLE && !c.bad().contains("tls")) {
                problem(where, "tls", "must be require or verify-full: Active Directory accepts passwords"
                        + " (unicodePwd) only over an encrypted connection");
            }
            if (problems.size() != before) {
                return null;
            }
            if (c.ok("site") && c.text("site") != null) {
                // kept with the settings (sealed with the target's row) under a key no connector schema uses
                settings = new java.util.HashMap<>(settings);
                settings.put(Target.SITE, c.text("site"));
            }
            return new Target(id, type, c.text("host").trim(), port, c.text("database"), tls, admin,
                    c.text("policy"), settings);
        }

        private AccountSpec account(Item item, Set<String> policyIds, Set<String> targetIds,
                                    Map<String, String> targetTypes, Map<String, Item> byTargetAndUser) {
            String where = item.where();
            int before = problems.size();
            Checked c = check(item, "account");
            String target = c.text("target");
            if (target != null) {
                checkReference(where, "target", target, targetIds, "target");
            }
            String username = c.text("username");
            if (username != null) {
                try {
                    UsernameRules.check(target == null ? null : targetTypes.get(target), username);
                    Item other = byTargetAndUser.putIfAbsent(target + "\n" + username, item);
                    if (other != null) {
                        problem(where, "username", "is already declared on target '" + printable(target)
                                + "' by " + other.where());
                    }
                } catch (IllegalArgumentException x) {
                    problem(where, "username", x.getMessage());
                }
            }
            if (c.ok("policy")) {
                checkReference(where, "policy", c.text("policy"), policyIds, "policy");
            }
            if (problems.size() != before) {
                return null;
            }
            CredentialType credentialType = c.ok("credentialType")
                    ? CredentialType.valueOf(c.text("credentialType").toUpperCase(Locale.ROOT).replace('-', '_'))
                    : CredentialType.PASSWORD;
            return new AccountSpec(c.text("id"), target, username, credentialType, c.text("policy"),
                    c.text("initialSecretEnv"));
        }

        private void checkDuplicates(List<Item> items, String kind) {
            Map<String, Item> first = new HashMap<>();
            for (Item item : items) {
                if (item.rawId() == null) {
                    continue;
                }
                Item earlier = first.putIfAbsent(item.rawId(), item);
                if (earlier != null) {
                    problem(item.where(), "id", "duplicate " + kind + " id (first declared at "
                            + earlier.section() + "[" + earlier.index() + "])");
                }
            }
        }

        /** Reports a reference to an id that no entry declares; true when it resolves. */
        private boolean checkReference(String where, String field, String ref, Set<String> known, String kind) {
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

    private static String rawId(JsonNode entry) {
        return text(entry, "id");
    }

    private static Set<String> ids(List<Item> items) {
        return items.stream().map(Item::rawId).filter(id -> id != null).collect(Collectors.toCollection(HashSet::new));
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value != null && value.isValueNode() && !value.isNull() ? value.asText() : null;
    }

    private static Integer integer(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null ? null : value.intValue();
    }

    private static int or(Integer value, int fallback) {
        return value != null ? value : fallback;
    }

    /** The port a type listens on when the entry gives none; 0 leaves it to the connector. */
    private static int defaultPort(String type, Map<String, String> settings) {
        return switch (type) {
            case "postgresql" -> 5432;
            case "mariadb", "mysql" -> 3306;
            case "ldap", "activedirectory" -> "ldaps".equals(settings.get("tlsMethod")) ? 636 : 389;
            default -> 0; // the connector's own default
        };
    }

    /** Makes text safe for a one-line message: control and format characters become \\uXXXX. */
    static String printable(String text) {
        return Texts.printable(text);
    }
}
