package io.rotor.api.passwords;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.UUID;

/**
 * SailPoint's {@code ErrorResponseDto}: {@code detailCode}, {@code trackingId}, {@code messages[{locale,
 * localeOrigin, text}]} and {@code causes}. The 401 answer also carries SailPoint's {@code error} field and the 429
 * answer its {@code message} field, so either shape a client expects is there.
 */
public final class ErrorResponses {
    private ErrorResponses() {
    }

    public static ObjectNode of(int status, String text) {
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        out.put("detailCode", detailCode(status));
        out.put("trackingId", UUID.randomUUID().toString().replace("-", ""));
        ArrayNode messages = out.putArray("messages");
        ObjectNode message = messages.addObject();
        message.put("locale", "en-US");
        message.put("localeOrigin", "DEFAULT");
        message.put("text", text);
        out.putArray("causes");
        if (status == 401) {
            out.put("error", text);
        }
        if (status == 429) {
            out.put("message", " Rate Limit Exceeded ");
        }
        return out;
    }

    static String detailCode(int status) {
        return switch (status) {
            case 400 -> "400.1 Bad Request Content";
            case 401 -> "401 Unauthorized";
            case 403 -> "403 Forbidden";
            case 404 -> "404 Not found";
            case 409 -> "409 Conflict";
            case 415 -> "415 Unsupported Media Type";
            case 429 -> "429 Too Many Requests";
            case 503 -> "503 Service Unavailable";
            default -> "500.0 Internal Fault";
        };
    }
}
