package io.rotor.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URL;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The JSON Schemas that validate Rotor's entries, loaded from the class path: one per entity
 * ({@code schema/entities/<name>.json}) and one settings schema per connector type
 * ({@code schema/connectors/<type>.json}, in the style of Camel kamelets: title, description, type, default,
 * enum). {@code schema/index.json} names them; every {@code schema/index.json} on the class path is read, so a
 * connector shipped in its own jar adds its types the same way.
 *
 * <p>A schema's name is the entity's ({@code target}, {@code account}, ...) or {@code connector-<type>}. Each is
 * kept self-contained: references to {@code common.json} and to the document's own {@code $defs} are replaced by
 * their content, so the API serves a document a form renderer needs nothing else for. See {@code docs/schemas.md}.
 */
public final class Schemas {
    /** The id rule of every entity: {@link io.rotor.domain.Ids}, which {@code common.json} states too (SchemasTest). */
    public static final String ID_REGEX = io.rotor.domain.Ids.ID_REGEX;
    public static final Pattern ID = io.rotor.domain.Ids.ID_PATTERN;
    /** The name prefix of the connector settings schemas: {@code connector-postgresql}. */
    public static final String CONNECTOR_PREFIX = "connector-";

    private static final String ROOT = "schema/";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static volatile Schemas shipped;

    /** One schema as listed: its name, whether an entity or a connector's settings, and its title and description. */
    public record Entry(String name, String kind, String title, String description) {
    }

    private final Map<String, ObjectNode> documents = new LinkedHashMap<>();
    private final Map<String, Entry> entries = new LinkedHashMap<>();
    private final Set<String> connectorTypes = new LinkedHashSet<>();

    private Schemas(ClassLoader loader) {
        Map<String, JsonNode> raw = new HashMap<>();
        List<String> entities = new ArrayList<>();
        List<String> connectors = new ArrayList<>();
        for (JsonNode index : indexes(loader)) {
            index.path("entities").forEach(n -> entities.add(n.asText()));
            index.path("connectors").forEach(n -> connectors.add(n.asText()));
        }
        for (String entity : entities) {
            add(entity, "entity", ROOT + "entities/" + entity + ".json", loader, raw);
        }
        for (String type : connectors) {
            connectorTypes.add(type);
            add(CONNECTOR_PREFIX + type, "connector", ROOT + "connectors/" + type + ".json", loader, raw);
        }
    }

    /** The schemas on Rotor's own class path, loaded once. */
    public static Schemas shipped() {
        Schemas s = shipped;
        if (s == null) {
            synchronized (Schemas.class) {
                if (shipped == null) {
                    shipped = new Schemas(Schemas.class.getClassLoader());
                }
                s = shipped;
            }
        }
        return s;
    }

    /** Every schema: the entities first, then the connector settings, in index order. */
    public List<Entry> list() {
        return List.copyOf(entries.values());
    }

    /** The schema document (self-contained), a copy the caller may change; empty for an unknown name. */
    public Optional<ObjectNode> get(String name) {
        ObjectNode doc = documents.get(name);
        return doc == null ? Optional.empty() : Optional.of(doc.deepCopy());
    }

    /** The connector types that have a settings schema. */
    public Set<String> connectorTypes() {
        return Collections.unmodifiableSet(connectorTypes);
    }

    public boolean hasSettingsSchema(String type) {
        return connectorTypes.contains(type);
    }

    public static String settingsSchemaName(String type) {
        return CONNECTOR_PREFIX + type;
    }

    /** The document itself, not a copy (this package only reads it). */
    ObjectNode document(String name) {
        return documents.get(name);
    }

    // ---------------------------------------------------------------- loading

    private static List<JsonNode> indexes(ClassLoader loader) {
        List<JsonNode> found = new ArrayList<>();
        try {
            Enumeration<URL> urls = loader.getResources(ROOT + "index.json");
            while (urls.hasMoreElements()) {
                try (InputStream in = urls.nextElement().openStream()) {
                    found.add(JSON.readTree(in));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + ROOT + "index.json", e);
        }
        if (found.isEmpty()) {
            throw new IllegalStateException(ROOT + "index.json is not on the class path");
        }
        return found;
    }

    private void add(String name, String kind, String resource, ClassLoader loader, Map<String, JsonNode> raw) {
        if (documents.containsKey(name)) {
            throw new IllegalStateException("schema '" + name + "' is listed twice");
        }
        JsonNode doc = read(resource, loader, raw);
        ObjectNode resolved = (ObjectNode) inline(doc, doc, resource, loader, raw, 0);
        documents.put(name, resolved);
        entries.put(name, new Entry(name, kind, resolved.path("title").asText(name),
                resolved.path("description").asText("")));
    }

    private static JsonNode read(String resource, ClassLoader loader, Map<String, JsonNode> raw) {
        return raw.computeIfAbsent(resource, r -> {
            try (InputStream in = loader.getResourceAsStream(r)) {
                if (in == null) {
                    throw new IllegalStateException("schema " + r + " is listed in " + ROOT + "index.json but missing");
                }
                JsonNode node = JSON.readTree(in);
                if (!node.isObject()) {
                    throw new IllegalStateException("schema " + r + " is not a JSON object");
                }
                return node;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read schema " + r, e);
            }
        });
    }

    /** A copy of {@code node} in which every {@code $ref} is replaced by what it points to (siblings win). */
    private static JsonNode inline(JsonNode node, JsonNode doc, String resource, ClassLoader loader,
                                   Map<String, JsonNode> raw, int depth) {
        if (depth > 32) {
            throw new IllegalStateException("schema " + resource + ": $ref nested too deeply (a cycle?)");
        }
        if (node.isArray()) {
            var out = JSON.createArrayNode();
            node.forEach(item -> out.add(inline(item, doc, resource, loader, raw, depth)));
            return out;
        }
        if (!node.isObject()) {
            return node.deepCopy();
        }
        ObjectNode out = JSON.createObjectNode();
        JsonNode ref = node.get("$ref");
        if (ref != null && ref.isTextual()) {
            String[] parts = ref.asText().split("#", 2);
            String targetResource = parts[0].isEmpty() ? resource
                    : URI.create("file:/" + resource).resolve(parts[0]).getPath().substring(1);
            JsonNode targetDoc = parts[0].isEmpty() ? doc : read(targetResource, loader, raw);
            JsonNode target = parts.length < 2 || parts[1].isEmpty() ? targetDoc : targetDoc.at(parts[1]);
            if (target.isMissingNode()) {
                throw new IllegalStateException("schema " + resource + ": $ref " + ref.asText() + " points nowhere");
            }
            JsonNode resolved = inline(target, targetDoc, targetResource, loader, raw, depth + 1);
            resolved.fields().forEachRemaining(f -> {
                if (!f.getKey().equals("$schema") && !f.getKey().equals("$defs")) {
                    out.set(f.getKey(), f.getValue());
                }
            });
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            if (!f.getKey().equals("$ref")) {
                out.set(f.getKey(), inline(f.getValue(), doc, resource, loader, raw, depth));
            }
        }
        return out;
    }
}
