package io.rotor.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.rotor.schema.SchemaValidator;
import io.rotor.schema.Violation;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A request body checked against its JSON Schema ({@code schema/entities/<name>.json}, served under
 * {@code /api/v1/schemas}): every problem in one {@code 400} answer, {@code UNKNOWN_FIELD} when they are all
 * unknown fields, else {@code INVALID_FIELD}. What a schema cannot see (references, uniqueness) is the caller's.
 */
final class BodyCheck {
    private BodyCheck() {
    }

    /**
     * @param mode {@link SchemaValidator.Mode#PARTIAL} for a PUT or PATCH whose missing fields come from the record
     * @return the body as checked (nulls left out, enumerations in the schema's spelling): read the fields from it
     */
    static JsonNode checked(String schema, JsonNode body, SchemaValidator.Mode mode) {
        SchemaValidator.Result result = SchemaValidator.forApi().validate(schema, body, mode);
        if (!result.valid()) {
            throw refused(result.violations());
        }
        return result.value();
    }

    static ApiException refused(List<Violation> violations) {
        boolean unknown = violations.stream().allMatch(Violation::unknownField);
        return ApiException.badRequest(unknown ? "UNKNOWN_FIELD" : "INVALID_FIELD",
                violations.stream().map(Violation::message).collect(Collectors.joining("; ")));
    }
}
