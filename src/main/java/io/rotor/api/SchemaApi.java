package io.rotor.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.rotor.schema.Schemas;

import java.util.List;

/**
 * {@code GET /api/v1/schemas} and {@code /api/v1/schemas/{name}}: the JSON Schemas that the inventory loader, the API
 * and the console validate entries against, so that a client (the console) renders its forms from them and checks
 * what it sends the same way. They describe shapes and hold no data.
 */
public final class SchemaApi {
    private final Schemas schemas;

    public SchemaApi(Schemas schemas) {
        this.schemas = schemas;
    }

    /** One schema in the list. {@code kind}: {@code entity} or {@code connector} (a connector type's settings). */
    public record SchemaView(String name, String kind, String title, String description) {
    }

    public List<SchemaView> list() {
        return schemas.list().stream().map(e -> new SchemaView(e.name(), e.kind(), e.title(), e.description())).toList();
    }

    /** The schema document; 404 for a name that is not listed. */
    public JsonNode get(String name) {
        InventoryApi.checkParameter("name", name);
        return schemas.get(name).orElseThrow(() -> ApiException.notFound("unknown schema '" + name
                + "' (GET " + ApiRoutes.CONTEXT_PATH + "/schemas lists them)"));
    }
}
