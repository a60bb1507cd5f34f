package io.rotor.api.passwords;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.dialect.OpenApi30;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * SailPoint's own OpenAPI extract of the password management API (the shared spec file): validates a request or a
 * response body against the schema the document gives for that path, method and status, with the OpenAPI 3.0
 * dialect of json-schema-validator, so a drift from SailPoint's shapes fails the test that made the call.
 */
public final class SailPointContract {
    private static final String IRI = "https://rotor.test/sailpoint-v3.json";
    private static final String DEFAULT_SPEC = "/work/shared/specs/sailpoint-password-management-v3.yaml";

    private final JsonNode document;
    private final SchemaRegistry registry;
    private final tools.jackson.databind.ObjectMapper json3 = new tools.jackson.databind.ObjectMapper();

    private SailPointContract(JsonNode document) throws IOException {
        this.document = document;
        String text = new ObjectMapper().writeValueAsString(document);
        this.registry = SchemaRegistry.withDefaultDialect(OpenApi30.getInstance(), b -> b.schemas(Map.of(IRI, text)));
    }

    /** The spec from {@code ROTOR_SAILPOINT_SPEC} or the shared specs folder. */
    public static SailPointContract load() throws IOException {
        String configured = System.getenv("ROTOR_SAILPOINT_SPEC");
        Path file = Path.of(configured == null || configured.isBlank() ? DEFAULT_SPEC : configured);
        return new SailPointContract(new YAMLMapper().readTree(Files.readString(file)));
    }

    /** @param path the spec's path template, e.g. {@code /password-change-status/{id}} */
    public List<String> requestProblems(String path, String method, String body) {
        String pointer = "/paths/" + escape(path) + "/" + method.toLowerCase() + "/requestBody/content/application~1json/schema";
        return problems(pointer, body);
    }

    public List<String> responseProblems(String path, String method, int status, String body) {
        String responses = "/paths/" + escape(path) + "/" + method.toLowerCase() + "/responses/" + status;
        JsonNode response = document.at(responses);
        if (response.isMissingNode()) {
            return List.of("the spec defines no " + status + " answer for " + method + " " + path);
        }
        if (response.has("$ref")) {
            responses = response.get("$ref").asText().substring(1);
        }
        return problems(responses + "/content/application~1json/schema", body);
    }

    /** Against a named component schema, e.g. {@code ErrorResponseDto} (for a status a path does not list). */
    public List<String> schemaProblems(String name, String body) {
        return problems("/components/schemas/" + name, body);
    }

    private List<String> problems(String pointer, String body) {
        if (document.at(pointer).isMissingNode()) {
            return List.of("the spec has no schema at " + pointer);
        }
        Schema schema = registry.getSchema(SchemaLocation.of(IRI + "#" + pointer));
        return schema.validate(json3.readTree(body)).stream().map(Object::toString).toList();
    }

    private static String escape(String path) {
        return path.replace("~", "~0").replace("/", "~1");
    }
}
