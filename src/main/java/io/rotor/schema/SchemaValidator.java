package io.rotor.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DecimalNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.dialect.Dialect;
import com.networknt.schema.dialect.Draft202012;
import com.networknt.schema.keyword.NonValidationKeyword;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Validates an entry against its schema and says what is wrong in words: one {@link Violation} per problem, naming
 * the field ({@code field 'port': must be between 1 and 65535}) or the setting
 * ({@code unknown setting 'sslrotcert' for type postgresql (did you mean 'sslrootcert'?)}), never quoting a value.
 * The inventory loader, the REST API and the console use it, so one mistake reads the same everywhere.
 *
 * <p>Typed values: the entry is checked as the JSON or YAML tree it arrived as, before anything is flattened to
 * strings. A field or setting the schema types {@code integer}, {@code number} or {@code boolean} may be written
 * typed ({@code maxPoolSize: 5}) or as a string holding such a value ({@code "5"}); a {@code string} must be a
 * string: YAML 1.1 reads an unquoted {@code 0123} as 83 and {@code on} as true, so a number or boolean where text
 * belongs is refused rather than silently rewritten. Enumerated values are matched regardless of case, of blanks
 * around them and of {@code _} for {@code -}, and come back in the schema's spelling. A JSON null counts as left
 * out (except in settings, where it is "must have a value"). {@link Result#value()} is the entry so normalised.
 */
public final class SchemaValidator {
    private static final String QUOTE = "YAML reads this unquoted value as a number or true/false, which can change it"
            + " (0123 becomes 83, on becomes true)";
    private static final Pattern INTEGER = Pattern.compile("-?[0-9]{1,18}");
    private static final Pattern DECIMAL = Pattern.compile("-?[0-9]{1,18}(\\.[0-9]{1,18})?");
    /** errorMessage as one string covers these keywords; the others (type, required...) keep their own text. */
    private static final Set<String> VALUE_KEYWORDS = Set.of("pattern", "minLength", "maxLength", "format", "anyOf", "oneOf");

    private static volatile SchemaValidator forInventory;
    private static volatile SchemaValidator forApi;

    private final Schemas schemas;
    private final boolean yamlSource;
    private final SchemaRegistry registry;
    private final Map<String, Compiled> compiled = new ConcurrentHashMap<>();

    /** Which fields a check requires: all the schema's, or none (PATCH: the rest comes from the stored record). */
    public enum Mode { WHOLE, PARTIAL }

    /**
     * @param value      the entry as checked: enumerations in the schema's spelling, numbers and booleans given as
     *                   strings turned into numbers and booleans, nulls removed. Read the entry's fields from it.
     * @param violations every problem, in the entry's field order; empty when the entry is valid
     */
    public record Result(JsonNode value, List<Violation> violations) {
        public Result {
            violations = List.copyOf(violations);
        }

        public boolean valid() {
            return violations.isEmpty();
        }
    }

    private record Compiled(String name, JsonNode doc, Schema schema) {
    }

    /**
     * @param yamlSource whether entries may come from YAML: a number where text belongs is then explained as YAML's
     *                   retyping ({@code put it in quotes}) rather than as {@code must be a string}
     */
    public SchemaValidator(Schemas schemas, boolean yamlSource) {
        this.schemas = schemas;
        this.yamlSource = yamlSource;
        Dialect dialect = Dialect.builder(Draft202012.getInstance())
                .keyword(new NonValidationKeyword("errorMessage"))
                .build();
        this.registry = SchemaRegistry.withDefaultDialect(dialect);
    }

    /**
     * For the inventory's entries (targets, accounts, policies), whether they come from the YAML file or as a JSON
     * body of the REST API: both must read the same for the same mistake.
     */
    public static SchemaValidator forInventory() {
        if (forInventory == null) {
            forInventory = new SchemaValidator(Schemas.shipped(), true);
        }
        return forInventory;
    }

    /** For bodies that only ever come as JSON (the directory, password changers, workflow requests). */
    public static SchemaValidator forApi() {
        if (forApi == null) {
            forApi = new SchemaValidator(Schemas.shipped(), false);
        }
        return forApi;
    }

    public Schemas schemas() {
        return schemas;
    }

    /** Checks a whole entry against the schema {@code name} (see {@link #validate(String, JsonNode, Mode)}). */
    public Result validate(String name, JsonNode entry) {
        return validate(name, entry, Mode.WHOLE);
    }

    /**
     * Checks an entry against a schema.
     *
     * @param name  a schema's name ({@code target}), or a name and a JSON pointer into it
     *              ({@code workflow-request#/$defs/mass-onboard})
     * @param entry not changed
     * @throws IllegalArgumentException for an unknown schema name
     */
    public Result validate(String name, JsonNode entry, Mode mode) {
        Compiled c = compiled(name);
        JsonNode value = normalize(c.doc(), entry.deepCopy(), true);
        List<Violation> found = new ArrayList<>();
        if (value instanceof ObjectNode object) {
            readOnly(c.doc(), object, found);
        }
        Messages messages = new Messages(c.doc(), value, null);
        for (Error e : c.schema().validate(Json3.of(value))) {
            if (mode == Mode.PARTIAL && "required".equals(e.getKeyword()) && e.getInstanceLocation().getNameCount() == 0) {
                continue;
            }
            messages.add(e);
        }
        found.addAll(messages.violations());
        return new Result(value, sorted(found, entry, c.doc()));
    }

    /**
     * Checks a target's settings against the settings schema of its type. An unknown setting is refused with the
     * closest known one; a type without a settings schema takes no settings. Violation paths start with
     * {@code settings.}.
     *
     * @param type     the target's type, lower case
     * @param settings an object (the entry's schema has checked that)
     */
    public Result validateSettings(String type, JsonNode settings) {
        if (!schemas.hasSettingsSchema(type)) {
            List<Violation> found = new ArrayList<>();
            settings.fieldNames().forEachRemaining(key -> found.add(new Violation("settings." + key, "unknown setting '"
                    + Texts.printable(key) + "' for type " + type + " (type " + type + " takes no settings)")));
            return new Result(settings.deepCopy(), found);
        }
        Compiled c = compiled(Schemas.settingsSchemaName(type));
        JsonNode value = normalize(c.doc(), settings.deepCopy(), false);
        Messages messages = new Messages(c.doc(), value, type);
        for (Error e : c.schema().validate(Json3.of(value))) {
            messages.add(e);
        }
        return new Result(value, sorted(messages.violations(), value, c.doc()));
    }

    /** Settings as the connectors read them (Target's map of strings): numbers and booleans as their text. */
    public static Map<String, String> asStrings(JsonNode settings) {
        Map<String, String> out = new LinkedHashMap<>();
        settings.fields().forEachRemaining(f -> {
            JsonNode v = f.getValue();
            out.put(f.getKey(), v.isBigDecimal() ? v.decimalValue().toPlainString() : v.asText());
        });
        return out;
    }

    // ---------------------------------------------------------------- compiling

    private Compiled compiled(String name) {
        return compiled.computeIfAbsent(name, n -> {
            String[] parts = n.split("#", 2);
            JsonNode doc = schemas.document(parts[0]);
            if (doc == null) {
                throw new IllegalArgumentException("no schema named '" + parts[0] + "'");
            }
            JsonNode node = parts.length == 2 ? doc.at(parts[1]) : doc;
            if (!node.isObject()) {
                throw new IllegalArgumentException("schema '" + parts[0] + "' has nothing at " + parts[1]);
            }
            ObjectNode standalone = ((ObjectNode) node).deepCopy();
            standalone.put("$schema", doc.path("$schema").asText("https://json-schema.org/draft/2020-12/schema"));
            Schema schema = registry.getSchema(SchemaLocation.of("urn:rotor:schema:" + n.replace('#', ':').replace('/', ':')),
                    Json3.of(standalone));
            return new Compiled(n, standalone, schema);
        });
    }

    // ---------------------------------------------------------------- normalising

    private static JsonNode normalize(JsonNode schema, JsonNode node, boolean dropNulls) {
        if (schema == null || !schema.isObject()) {
            return node;
        }
        if (node instanceof ObjectNode object) {
            JsonNode properties = schema.get("properties");
            JsonNode additional = schema.get("additionalProperties");
            List<String> names = new ArrayList<>();
            object.fieldNames().forEachRemaining(names::add);
            for (String name : names) {
                JsonNode child = object.get(name);
                JsonNode childSchema = properties != null ? properties.get(name) : null;
                if (childSchema == null && additional != null && additional.isObject()) {
                    childSchema = additional;
                }
                if (child.isNull() && dropNulls && properties != null && properties.has(name)) {
                    object.remove(name);
                } else if (childSchema != null) {
                    object.set(name, normalize(childSchema, child, dropNulls));
                }
            }
            return object;
        }
        if (node instanceof ArrayNode array) {
            JsonNode items = schema.get("items");
            for (int i = 0; i < array.size(); i++) {
                array.set(i, normalize(items, array.get(i), dropNulls));
            }
            return array;
        }
        if (node.isTextual()) {
            String text = node.textValue();
            Set<String> types = types(schema);
            if (!types.contains("string")) {
                if (types.contains("integer") && INTEGER.matcher(text).matches()) {
                    long n = Long.parseLong(text);
                    return n == (int) n ? IntNode.valueOf((int) n) : LongNode.valueOf(n);
                }
                if (types.contains("number") && DECIMAL.matcher(text).matches()) {
                    return DecimalNode.valueOf(new BigDecimal(text));
                }
                if (types.contains("boolean") && (text.equals("true") || text.equals("false"))) {
                    return BooleanNode.valueOf(text.equals("true"));
                }
            }
            JsonNode values = schema.get("enum");
            if (values != null && values.isArray()) {
                String given = canonical(text);
                for (JsonNode v : values) {
                    if (v.isTextual() && canonical(v.textValue()).equals(given)) {
                        return TextNode.valueOf(v.textValue());
                    }
                }
            }
        }
        return node;
    }

    private static String canonical(String value) {
        return value.trim().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    static Set<String> types(JsonNode schema) {
        Set<String> types = new LinkedHashSet<>();
        JsonNode type = schema == null ? null : schema.get("type");
        if (type != null && type.isTextual()) {
            types.add(type.textValue());
        } else if (type != null && type.isArray()) {
            type.forEach(t -> types.add(t.asText()));
        }
        return types;
    }

    /** A field the schema marks readOnly (ids, timestamps the server sets) is refused, and then left out. */
    private static void readOnly(JsonNode schema, ObjectNode value, List<Violation> found) {
        JsonNode properties = schema.path("properties");
        List<String> names = new ArrayList<>();
        value.fieldNames().forEachRemaining(names::add);
        for (String name : names) {
            if (properties.path(name).path("readOnly").asBoolean(false)) {
                found.add(new Violation(name, "field '" + name + "': is read-only"));
                value.remove(name);
            }
        }
    }

    // ---------------------------------------------------------------- ordering

    /** In the entry's field order; fields that are missing after the present ones, in the schema's order. */
    private static List<Violation> sorted(List<Violation> violations, JsonNode value, JsonNode schema) {
        List<String> present = new ArrayList<>();
        if (value.isObject()) {
            value.fieldNames().forEachRemaining(present::add);
        }
        List<String> declared = new ArrayList<>();
        schema.path("properties").fieldNames().forEachRemaining(declared::add);
        List<Violation> out = new ArrayList<>(violations);
        out.sort(Comparator.comparingInt(v -> {
            String first = v.path().replaceFirst("^settings\\.", "").split("[.\\[]", 2)[0];
            int at = present.indexOf(first);
            if (at >= 0) {
                return at;
            }
            int d = declared.indexOf(first);
            return 100_000 + (d >= 0 ? d : 99_999);
        }));
        return out;
    }

    // ---------------------------------------------------------------- messages

    /** Turns the validator's errors for one entry into violations in words. */
    private final class Messages {
        private final JsonNode doc;
        private final JsonNode value;
        /** The connector type when checking settings (messages say "setting 'x'"), else null. */
        private final String settingsOf;
        private final Map<String, Violation> found = new LinkedHashMap<>();

        Messages(JsonNode doc, JsonNode value, String settingsOf) {
            this.doc = doc;
            this.value = value;
            this.settingsOf = settingsOf;
        }

        List<Violation> violations() {
            return new ArrayList<>(found.values());
        }

        void add(Error e) {
            List<Object> at = new ArrayList<>();
            for (int i = 0; i < e.getInstanceLocation().getNameCount(); i++) {
                at.add(e.getInstanceLocation().getElement(i));
            }
            List<String> keywordAt = new ArrayList<>();
            var fragment = e.getSchemaLocation().getFragment();
            for (int i = 0; i < fragment.getNameCount(); i++) {
                keywordAt.add(String.valueOf(fragment.getElement(i)));
            }
            // the alternatives of an anyOf/oneOf each fail on their own: report the whole once
            int alternatives = Math.max(keywordAt.lastIndexOf("anyOf"), keywordAt.lastIndexOf("oneOf"));
            String keyword = e.getKeyword();
            if (alternatives >= 0) {
                keyword = keywordAt.get(alternatives);
                keywordAt = keywordAt.subList(0, alternatives + 1);
            }
            JsonNode owner = doc.at(pointer(keywordAt.subList(0, Math.max(0, keywordAt.size() - 1))));
            String property = e.getProperty();
            switch (keyword) {
                case "required" -> {
                    List<Object> field = new ArrayList<>(at);
                    field.add(property);
                    JsonNode examples = owner.path("properties").path(property).path("examples");
                    String hint = examples.isArray() && !examples.isEmpty()
                            ? " (" + String.join(", ", texts(examples)) + ", ...)" : "";
                    put(field, "is required" + hint);
                }
                case "additionalProperties" -> {
                    List<Object> field = new ArrayList<>(at);
                    field.add(property);
                    unknown(field, property, owner);
                }
                case "propertyNames" -> put(at, "the name '" + Texts.printable(property) + "' "
                        + valueText("pattern", owner.path("propertyNames")));
                case "type" -> put(at, typeText(owner, e));
                default -> put(at, valueText(keyword, owner));
            }
        }

        private void unknown(List<Object> field, String name, JsonNode owner) {
            List<String> known = new ArrayList<>();
            owner.path("properties").fields().forEachRemaining(p -> {
                if (!p.getValue().path("readOnly").asBoolean(false)) {
                    known.add(p.getKey());
                }
            });
            if (settingsOf != null && field.size() == 1) {
                String text = "unknown setting '" + Texts.printable(name) + "' for type " + settingsOf + " ("
                        + Suggestions.closest(name, known).map(s -> "did you mean '" + s + "'?")
                        .orElse(known.isEmpty() ? "type " + settingsOf + " takes no settings"
                                : "known settings: " + String.join(", ", known)) + ")";
                found.putIfAbsent(path(field) + "\n" + text, new Violation("settings." + path(field), text));
                return;
            }
            put(field, "unknown field (known fields: " + String.join(", ", known) + ")");
        }

        private String typeText(JsonNode owner, Error e) {
            Set<String> expected = types(owner);
            tools.jackson.databind.JsonNode given = e.getInstanceNode();
            if (given != null && given.isNull()) {
                return "must have a value";
            }
            if (expected.size() == 1) {
                String type = expected.iterator().next();
                switch (type) {
                    case "string" -> {
                        if (given != null && (given.isObject() || given.isArray())) {
                            return "must be a single value, not a list or mapping";
                        }
                        return yamlSource ? (settingsOf != null ? "must be quoted: " + QUOTE : QUOTE + ": put it in quotes")
                                : "must be a string";
                    }
                    case "integer" -> {
                        return "must be a whole number";
                    }
                    case "number" -> {
                        return "must be a number";
                    }
                    case "boolean" -> {
                        return "must be true or false";
                    }
                    case "array" -> {
                        return "must be a list";
                    }
                    case "object" -> {
                        return owner.has("properties") ? "must be an object of fields (a mapping)"
                                : "must be a mapping of names to values";
                    }
                    default -> {
                    }
                }
            }
            List<String> nouns = new ArrayList<>();
            for (String type : expected) {
                nouns.add(switch (type) {
                    case "string" -> "a string";
                    case "integer" -> "a whole number";
                    case "number" -> "a number";
                    case "boolean" -> "true or false";
                    case "array" -> "a list";
                    case "object" -> "an object";
                    default -> type;
                });
            }
            return "must be " + String.join(" or ", nouns);
        }

        /** The text for a keyword about the value itself (range, length, pattern...). */
        private String valueText(String keyword, JsonNode owner) {
            JsonNode custom = owner.get("errorMessage");
            if (custom != null && custom.isTextual() && VALUE_KEYWORDS.contains(keyword)) {
                return custom.textValue();
            }
            if (custom != null && custom.path(keyword).isTextual()) {
                return custom.path(keyword).textValue();
            }
            JsonNode min = owner.get("minimum");
            JsonNode max = owner.get("maximum");
            return switch (keyword) {
                case "minimum", "maximum" -> min != null && max != null
                        ? "must be between " + min.asText() + " and " + max.asText()
                        : min != null ? "must be at least " + min.asText() : "must be at most " + max.asText();
                case "exclusiveMinimum" -> "must be greater than " + owner.get("exclusiveMinimum").asText();
                case "exclusiveMaximum" -> "must be less than " + owner.get("exclusiveMaximum").asText();
                case "enum" -> "must be one of " + String.join(", ", texts(owner.get("enum")));
                case "const" -> "must be " + owner.get("const").asText();
                case "pattern" -> "must match " + owner.path("pattern").asText().replaceAll("^\\^|\\$$", "");
                case "minLength" -> owner.path("minLength").asInt() == 1 ? "must not be empty"
                        : "must be at least " + owner.path("minLength").asInt() + " characters";
                case "maxLength" -> "must be at most " + owner.path("maxLength").asInt() + " characters";
                case "minItems" -> owner.path("minItems").asInt() == 1 ? "must be a non-empty list"
                        : "must have at least " + owner.path("minItems").asInt() + " entries";
                case "maxItems" -> "must have at most " + owner.path("maxItems").asInt() + " entries";
                case "uniqueItems" -> "must not repeat a value";
                case "anyOf", "oneOf" -> "does not have any of the accepted forms";
                default -> "is not valid (" + keyword + ")";
            };
        }

        private void put(List<Object> at, String text) {
            String path = path(at);
            String message;
            if (settingsOf != null) {
                message = "setting '" + Texts.printable(path) + "' " + text;
                path = "settings." + path;
            } else {
                message = path.isEmpty() ? text : "field '" + Texts.printable(path) + "': " + text;
            }
            found.putIfAbsent(path + "\n" + message, new Violation(path, message));
        }
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static String path(List<Object> elements) {
        StringBuilder out = new StringBuilder();
        for (Object e : elements) {
            if (e instanceof Number n) {
                out.append('[').append(n).append(']');
            } else {
                if (out.length() > 0) {
                    out.append('.');
                }
                out.append(e);
            }
        }
        return out.toString();
    }

    private static String pointer(List<String> elements) {
        StringBuilder out = new StringBuilder();
        for (String e : elements) {
            out.append('/').append(e.replace("~", "~0").replace("/", "~1"));
        }
        return out.toString();
    }
}
