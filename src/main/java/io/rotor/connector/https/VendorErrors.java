package io.rotor.connector.https;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.util.Iterator;
import java.util.Map;

/**
 * Reads the error text out of a vendor's error answer, whatever its documented shape, for a result's detail:
 * OAuth ({@code error}, {@code error_description}), Salesforce REST (an array, or one object, of {@code errorCode},
 * {@code message}), Rackspace (one member named after the fault holding {@code code}, {@code message}). The text is
 * capped; the guard strips any secret from it (docs/architecture.md, "Security rules").
 */
public final class VendorErrors {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX = 300;

    private VendorErrors() {
    }

    /** {@code "HTTP 400 INVALID_NEW_PASSWORD: ..."}, or just the status when the body says nothing readable. */
    public static String describe(HttpsCaller.Response answer) {
        return "HTTP " + answer.status() + errorText(answer.body()).map(t -> " " + t).orElse("");
    }

    /** The first {@code errorCode}/{@code error} or fault name of the body, with its message. */
    public static java.util.Optional<String> errorText(byte[] body) {
        JsonNode node;
        try {
            node = JSON.readTree(body);
        } catch (IOException e) {
            return java.util.Optional.empty();
        }
        if (node == null) {
            return java.util.Optional.empty();
        }
        if (node.isArray() && !node.isEmpty()) {
            node = node.get(0);
        }
        String text = null;
        if (node.hasNonNull("errorCode")) {
            text = node.path("errorCode").asText() + ": " + node.path("message").asText("");
        } else if (node.hasNonNull("error") && node.get("error").isTextual()) {
            text = node.path("error").asText() + ": " + node.path("error_description").asText("");
        } else if (node.isObject() && node.size() == 1) {
            Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
            Map.Entry<String, JsonNode> fault = fields.next();
            if (fault.getValue().isObject()) {
                text = fault.getKey() + ": " + fault.getValue().path("message").asText("");
            }
        }
        if (text == null) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(text.length() > MAX ? text.substring(0, MAX) + "..." : text);
    }

    /** Reads a JSON answer, or null when it is not JSON. */
    public static JsonNode json(HttpsCaller.Response answer) {
        try {
            return JSON.readTree(answer.body());
        } catch (IOException e) {
            return null;
        }
    }
}
