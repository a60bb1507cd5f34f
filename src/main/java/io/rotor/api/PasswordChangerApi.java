package io.rotor.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rotor.connector.ssh.ChangerCatalog;
import io.rotor.connector.ssh.ChangerStep;
import io.rotor.connector.ssh.PasswordChanger;
import io.rotor.domain.Account;
import io.rotor.domain.Target;
import io.rotor.vault.AccountRepository;
import io.rotor.vault.TargetRepository;
import io.rotor.workflow.OperationResult;
import org.apache.camel.Exchange;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * {@code /api/v2/password_changer}: password changers shaped like the Fudo API v2 {@code PasswordChangerModel},
 * with its envelopes ({@code "result": "success"}, the object under {@code "password_changer"}). Built-in changers
 * are listed alongside the stored ones and are read-only.
 */
public class PasswordChangerApi {
    /** Target settings that name a changer, the first one present wins for the account's own change. */
    public static final List<String> CHANGER_SETTINGS = List.of("passwordChanger", "changer", "adminChanger");
    static final Set<String> KNOWN_PLACEHOLDERS = Set.of("account_login", "account_secret", "account_new_secret",
            "admin_login", "admin_secret");
    private static final Pattern PLACEHOLDER = Pattern.compile("%%([A-Za-z0-9_]*)%%");
    private static final Pattern ID = Pattern.compile("[0-9]{1,20}");
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss.SSSSSSx")
            .withZone(ZoneOffset.UTC);

    private final ChangerCatalog catalog;
    private final AccountRepository accounts;
    private final TargetRepository targets;

    public PasswordChangerApi(ChangerCatalog catalog, AccountRepository accounts, TargetRepository targets) {
        this.catalog = catalog;
        this.accounts = accounts;
        this.targets = targets;
    }

    public ChangerCatalog catalog() {
        return catalog;
    }

    // ---------------------------------------------------------------- envelopes

    public static ObjectNode success() {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("result", "success");
        return o;
    }

    public ObjectNode list() {
        ObjectNode out = success();
        ArrayNode items = out.putArray("password_changer");
        for (ChangerCatalog.Entry e : catalog.all()) {
            items.add(summary(e.changer()));
        }
        return out;
    }

    public ObjectNode get(String id) {
        ChangerCatalog.Entry e = entry(id);
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        ObjectNode c = out.putObject("password_changer");
        PasswordChanger p = e.changer();
        c.put("id", p.id());
        c.put("name", p.name());
        c.put("type", p.type().wireName());
        c.put("transport", p.transport().wireName());
        c.put("timeout", p.timeoutSeconds());
        c.set("variables", e.variables());
        c.set("commands", ChangerCatalog.commandsJson(p.commands()));
        c.put("builtin", p.builtin());
        c.put("hidden", p.hidden());
        c.put("pty", p.pty());
        c.put("created_at", TIME.format(p.createdAt()));
        c.put("modified_at", TIME.format(p.modifiedAt()));
        out.put("result", "success");
        return out;
    }

    private static ObjectNode summary(PasswordChanger p) {
        ObjectNode c = JsonNodeFactory.instance.objectNode();
        c.put("id", p.id());
        c.put("type", p.type().wireName());
        c.put("name", p.name());
        c.put("transport", p.transport().wireName());
        c.put("timeout", p.timeoutSeconds());
        c.put("builtin", p.builtin());
        c.put("hidden", p.hidden());
        c.put("created_at", TIME.format(p.createdAt()));
        c.put("modified_at", TIME.format(p.modifiedAt()));
        return c;
    }

    public ObjectNode create(JsonNode body, Principal by) {
        ChangerCatalog.Draft draft = draft(body, null);
        checkUnique(draft.name(), null);
        String id = catalog.create(draft, by.actor());
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        out.putObject("password_changer").put("id", id);
        out.put("result", "success");
        return out;
    }

    public ObjectNode update(String id, JsonNode body, Principal by) {
        ChangerCatalog.Entry existing = writable(id, "modified");
        ChangerCatalog.Draft draft = draft(body, existing);
        checkUnique(draft.name(), id);
        if (!ChangerCatalog.key(draft.name()).equals(existing.changer().nameKey())) {
            usedBy(existing.changer()).ifPresent(t -> {
                throw ApiException.conflict("IN_USE", "password changer '" + existing.changer().name()
                        + "' is named by target '" + t + "'; change the target's setting before renaming it");
            });
        }
        if (!catalog.update(id, draft, by.actor())) {
            throw ApiException.notFound("no password changer with id '" + id + "'");
        }
        return success();
    }

    public ObjectNode delete(String id, Principal by) {
        ChangerCatalog.Entry existing = writable(id, "deleted");
        usedBy(existing.changer()).ifPresent(t -> {
            throw ApiException.conflict("IN_USE", "password changer '" + existing.changer().name()
                    + "' is named by target '" + t + "'; change the target's setting first");
        });
        if (!catalog.delete(id, by.actor())) {
            throw ApiException.notFound("no password changer with id '" + id + "'");
        }
        return success();
    }

    private ChangerCatalog.Entry entry(String id) {
        if (id == null || !ID.matcher(id).matches()) {
            throw ApiException.notFound("no password changer with id '" + printable(id) + "' (ids are digits)");
        }
        return catalog.byId(id).orElseThrow(() -> ApiException.notFound("no password changer with id '" + id + "'"));
    }

    private ChangerCatalog.Entry writable(String id, String verb) {
        ChangerCatalog.Entry e = entry(id);
        if (e.changer().builtin()) {
            throw new ApiException(403, "BUILTIN_READ_ONLY", "password changer '" + e.changer().name() + "' (id " + id
                    + ") is built-in and read-only: it cannot be " + verb + "; define your own with POST /api/v2/password_changer");
        }
        return e;
    }

    private void checkUnique(String name, String exceptId) {
        String key = ChangerCatalog.key(name);
        for (ChangerCatalog.Entry e : catalog.all()) {
            if (e.changer().nameKey().equals(key) && !e.changer().id().equals(exceptId)) {
                throw ApiException.conflict("ALREADY_EXISTS", "field 'name': a password changer named '"
                        + e.changer().name() + "' already exists" + (e.changer().builtin() ? " (built-in)" : "")
                        + " (id " + e.changer().id() + "); names are unique regardless of case");
            }
        }
    }

    private Optional<String> usedBy(PasswordChanger changer) {
        for (Target t : targets.listTargets()) {
            for (String setting : CHANGER_SETTINGS) {
                String named = t.settings().get(setting);
                if (named != null && ChangerCatalog.key(named).equals(changer.nameKey())) {
                    return Optional.of(t.id());
                }
            }
        }
        return Optional.empty();
    }

    // ---------------------------------------------------------------- validation

    /**
     * The body (a whole model for POST, some fields for PATCH over {@code existing}) as a checked draft: first against
     * the schema {@code changer} (field types, enumerations, lengths, read-only and unknown fields), then the rules a
     * schema cannot say (no CR, LF or NUL anywhere, a name that is not blank, known placeholders, valid prompt
     * regexes, variable names used once).
     */
    ChangerCatalog.Draft draft(JsonNode given, ChangerCatalog.Entry existing) {
        JsonNode body = BodyCheck.checked("changer", given, existing == null
                ? io.rotor.schema.SchemaValidator.Mode.WHOLE : io.rotor.schema.SchemaValidator.Mode.PARTIAL);
        noControl("", body);
        PasswordChanger old = existing == null ? null : existing.changer();
        String name = body.has("name") ? body.get("name").textValue() : old.name();
        if (name.isBlank()) {
            throw ApiException.badRequest("INVALID_FIELD", "field 'name': must be 1 to 255 characters (not blank)");
        }
        PasswordChanger.Type type = body.has("type")
                ? (body.get("type").textValue().equals("change") ? PasswordChanger.Type.CHANGE : PasswordChanger.Type.VERIFY)
                : old.type();
        PasswordChanger.Transport transport = old == null ? null : old.transport();
        for (PasswordChanger.Transport candidate : PasswordChanger.Transport.values()) {
            if (body.has("transport") && candidate.wireName().equals(body.get("transport").textValue())) {
                transport = candidate;
            }
        }
        int timeout = body.has("timeout") ? body.get("timeout").intValue() : old.timeoutSeconds();
        boolean pty = body.has("pty") ? body.get("pty").booleanValue() : old != null && old.pty();
        ArrayNode variables = body.has("variables") ? variables(body.get("variables"))
                : existing == null ? JsonNodeFactory.instance.arrayNode() : existing.variables();
        Set<String> declared = new HashSet<>();
        variables.forEach(v -> declared.add(v.get("name").asText()));
        List<ChangerStep> commands = body.has("commands") ? commands(body.get("commands")) : old.commands();
        for (int i = 0; i < commands.size(); i++) {
            Matcher m = PLACEHOLDER.matcher(commands.get(i).value());
            while (m.find()) {
                String p = m.group(1);
                if (!KNOWN_PLACEHOLDERS.contains(p) && !declared.contains(p)) {
                    throw ApiException.badRequest("INVALID_FIELD", "field 'commands[" + i + "].value': unknown placeholder %%"
                            + p + "%% (known: %%account_login%%, %%account_secret%%, %%account_new_secret%%,"
                            + " %%admin_login%%, %%admin_secret%% and the changer's declared variables)");
                }
            }
        }
        return new ChangerCatalog.Draft(name.trim(), type, transport, timeout, pty, variables, commands);
    }

    /** The steps of a body the schema has checked: an expected step needs a prompt that compiles. */
    private static List<ChangerStep> commands(JsonNode node) {
        List<ChangerStep> steps = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            String at = "commands[" + i + "]";
            JsonNode c = node.get(i);
            String type = c.get("type").textValue();
            String value = c.get("value").textValue();
            JsonNode d = c.get("description");
            if (type.equals("expected")) {
                if (value.isEmpty()) {
                    throw ApiException.badRequest("INVALID_FIELD", "field '" + at + ".value': an expected step needs a prompt (regex)");
                }
                try {
                    Pattern.compile(value);
                } catch (PatternSyntaxException e) {
                    throw ApiException.badRequest("INVALID_FIELD", "field '" + at + ".value': not a valid regex: " + e.getDescription());
                }
            }
            steps.add(new ChangerStep(ChangerStep.Type.parse(type), value, d == null ? null : d.textValue()));
        }
        return steps;
    }

    /** The variables of a body the schema has checked, in the stored shape; a name is used once. */
    private static ArrayNode variables(JsonNode node) {
        ArrayNode out = JsonNodeFactory.instance.arrayNode();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < node.size(); i++) {
            JsonNode v = node.get(i);
            String name = v.get("name").textValue();
            if (KNOWN_PLACEHOLDERS.contains(name) || !names.add(name)) {
                throw ApiException.badRequest("INVALID_FIELD", "field 'variables[" + i + "].name': '" + name + "' is declared"
                        + " twice or is a built-in placeholder");
            }
            ObjectNode o = out.addObject();
            o.put("name", name);
            for (String f : List.of("description", "object_type", "object_property")) {
                o.put(f, v.hasNonNull(f) ? v.get(f).textValue() : null);
            }
            for (String f : List.of("encrypted", "optional", "transport")) {
                o.put(f, v.has(f) && v.get(f).booleanValue());
            }
            if (v.hasNonNull("value")) {
                o.set("value", v.get("value").deepCopy());
            } else {
                o.putObject("value").put("value_type", "self");
            }
        }
        return out;
    }

    /** CR, LF and NUL are refused anywhere in a changer: nothing that reaches a dialogue may hold them. */
    private static void noControl(String path, JsonNode node) {
        if (node.isTextual()) {
            String s = node.textValue();
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (c == '\r' || c == '\n' || c == '\0') {
                    throw ApiException.badRequest("INVALID_FIELD", "field '" + path + "': contains "
                            + (c == '\0' ? "NUL" : c == '\r' ? "CR" : "LF") + " at position " + (i + 1)
                            + "; CR, LF and NUL are never sent to a dialogue");
                }
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                noControl(path + "[" + i + "]", node.get(i));
            }
        } else if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                noControl(path.isEmpty() ? printable(f.getKey()) : path + "." + printable(f.getKey()), f.getValue());
            }
        }
    }

    // ---------------------------------------------------------------- objspec

    public ObjectNode objspec() {
        ObjectNode out = success();
        ObjectNode spec = out.putObject("objspec").putObject("password_changer");
        attribute(spec, "id", "string", false, true, null, "Read-only, unique password changer identifier.");
        attribute(spec, "type", "string", true, false, List.of("change", "verify"), "Password changer type.");
        attribute(spec, "name", "string", true, false, null, "Unique, case-insensitive password changer name.");
        attribute(spec, "transport", "string", true, false, List.of("LDAP", "SSH", "Telnet", "WinRM"),
                "Transport layer for password changer.");
        ObjectNode timeout = attribute(spec, "timeout", "number", true, false, null,
                "Script's execution time limit expressed in seconds.");
        timeout.put("min", 1).put("max", Integer.MAX_VALUE);
        attribute(spec, "variables", "array", false, false, null, "Variables bound to object properties:"
                + " {name, description, object_type, object_property, encrypted, optional, transport, value}.");
        attribute(spec, "commands", "array", true, false, null, "Ordered steps {type: expected|input, value, description};"
                + " placeholders: %%account_login%%, %%account_secret%%, %%account_new_secret%%, %%admin_login%%,"
                + " %%admin_secret%% and declared variables.");
        attribute(spec, "pty", "boolean", false, false, null, "Rotor extension: run the dialogue on a pseudo-terminal.");
        attribute(spec, "builtin", "boolean", false, true, null, "If true, the object is not editable.");
        attribute(spec, "hidden", "boolean", false, true, null, "If true, the object is hidden in UI.");
        attribute(spec, "created_at", "string", false, true, null, "Timestamp of creation.");
        attribute(spec, "modified_at", "string", false, true, null, "Timestamp of modification.");
        attribute(spec, "removed", "boolean", false, true, null, "Read-only.");
        return out;
    }

    private static ObjectNode attribute(ObjectNode spec, String name, String type, boolean required, boolean readOnly,
                                        List<String> values, String description) {
        ObjectNode a = spec.putObject(name);
        a.put("type", type);
        a.put("required", required);
        a.put("readonly", readOnly);
        if (values != null) {
            values.forEach(a.putArray("values")::add);
        }
        a.put("description", description);
        return a;
    }

    // ---------------------------------------------------------------- trigger

    /** Before the trigger: which protocol entry point runs it ({@code direct:rotate-account} or {@code direct:verify-account}). */
    public String triggerEndpoint(Exchange exchange) {
        String id = InventoryApi.checkPathId(exchange.getIn().getHeader("id", String.class));
        Account account = accounts.findAccount(id).orElseThrow(() -> InventoryApi.unknown("account", id));
        Target target = targets.findTarget(account.targetId()).orElseThrow(() -> InventoryApi.unknown("target", account.targetId()));
        String name = target.settings().containsKey("passwordChanger") ? target.settings().get("passwordChanger")
                : target.settings().get("changer");
        boolean verify = false;
        if (name != null) {
            PasswordChanger changer = catalog.find(name).orElseThrow(() -> new ApiException(422, "FAILED",
                    "target '" + target.id() + "' names password changer '" + printable(name) + "', which does not exist"));
            verify = changer.type() == PasswordChanger.Type.VERIFY;
        }
        catalog.clearFailure(target.id(), account.username());
        exchange.setProperty("rotor.trigger.target", target.id());
        exchange.setProperty("rotor.trigger.login", account.username());
        return verify ? "direct:verify-account" : "direct:rotate-account";
    }

    /** After the trigger: {@code {"result": "success"}}, or the error with the failed run's redacted transcript. */
    public void triggerAnswer(Exchange exchange) {
        OperationResult result = exchange.getMessage().getBody(OperationResult.class);
        if (result == null) {
            throw new IllegalStateException("the workflow answered no result");
        }
        int status = OutcomeStatus.of(result.outcome());
        if (status == 200) {
            ApiReplies.json(exchange, 200, success());
            return;
        }
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        out.put("result", "error");
        out.put("code", result.outcome().name());
        out.put("message", result.detail());
        out.put("status", result.status() == null ? null : result.status().name());
        String target = exchange.getProperty("rotor.trigger.target", String.class);
        String login = exchange.getProperty("rotor.trigger.login", String.class);
        if (target != null) {
            catalog.lastFailure(target, login).ifPresent(f -> {
                out.put("changer", f.changer());
                out.put("transcript", f.transcript());
            });
        }
        ApiReplies.json(exchange, status, out);
    }

    static String printable(String text) {
        if (text == null) {
            return "";
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < Math.min(text.length(), 64); i++) {
            char c = text.charAt(i);
            out.append(Character.isISOControl(c) || Character.getType(c) == Character.FORMAT ? '?' : c);
        }
        return text.length() > 64 ? out + "..." : out.toString();
    }

    static String time(Instant at) {
        return TIME.format(at);
    }

    static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }
}
