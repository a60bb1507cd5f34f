package io.rotor.api;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reading request bodies strictly and writing answers. A body that is not one well-formed JSON object is refused
 * with {@code MALFORMED_JSON}; the message says where, never what was there (it may be a secret).
 */
public final class ApiJson {
    private static final Pattern DUPLICATE = Pattern.compile("Duplicate field '([A-Za-z0-9_.-]{1,64})'");

    static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
            .build();

    private ApiJson() {
    }

    /** Refuses a body sent as something other than JSON (curl -d sends a form, whose fields would be lost). */
    public static void requireJson(String contentType) {
        String type = contentType == null ? "" : contentType.split(";", 2)[0].trim().toLowerCase(java.util.Locale.ROOT);
        if (!type.equals("application/json") && !(type.startsWith("application/") && type.endsWith("+json"))) {
            throw new ApiException(415, "UNSUPPORTED_MEDIA_TYPE", "send the body as JSON with Content-Type: application/json");
        }
    }

    /** The body as a JSON object. */
    public static JsonNode readObject(byte[] body) {
        if (body == null || body.length == 0) {
            throw ApiException.badRequest("MALFORMED_JSON", "the request body must be a JSON object");
        }
        JsonNode node;
        try {
            node = MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            throw malformed(e);
        } catch (IOException e) {
            throw ApiException.badRequest("MALFORMED_JSON", "the request body cannot be read as JSON");
        }
        if (node == null || !node.isObject()) {
            throw ApiException.badRequest("MALFORMED_JSON", "the request body must be a JSON object");
        }
        return node;
    }

    /** A parse error as the client may see it: where it is and what kind, never the text around it. */
    static ApiException malformed(JsonProcessingException e) {
        Matcher duplicate = DUPLICATE.matcher(String.valueOf(e.getOriginalMessage()));
        if (duplicate.find()) {
            return ApiException.badRequest("MALFORMED_JSON", "field '" + duplicate.group(1) + "' appears more than once");
        }
        String where = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr() + ", column "
                + e.getLocation().getColumnNr();
        String what = e instanceof JsonParseException ? "malformed JSON" : "the request body is not one JSON object";
        if (String.valueOf(e.getOriginalMessage()).contains("Trailing token")) {
            what = "unexpected content after the JSON object";
        }
        return ApiException.badRequest("MALFORMED_JSON", what + where);
    }

    static JsonParser parser(byte[] body) throws IOException {
        return MAPPER.createParser(body);
    }

    public static byte[] write(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the answer as JSON", e);
        }
    }
}
