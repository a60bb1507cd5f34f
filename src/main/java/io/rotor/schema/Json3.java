package io.rotor.schema;

import com.fasterxml.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Copies a Jackson 2 tree (what Rotor reads YAML and JSON with) into a Jackson 3 tree (what the schema validator
 * reads). The rest of Rotor never sees Jackson 3.
 */
final class Json3 {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private Json3() {
    }

    static tools.jackson.databind.JsonNode of(JsonNode node) {
        if (node == null || node.isMissingNode() || node.isNull()) {
            return NODES.nullNode();
        }
        if (node.isObject()) {
            ObjectNode out = NODES.objectNode();
            node.fields().forEachRemaining(f -> out.set(f.getKey(), of(f.getValue())));
            return out;
        }
        if (node.isArray()) {
            ArrayNode out = NODES.arrayNode();
            node.forEach(item -> out.add(of(item)));
            return out;
        }
        if (node.isTextual()) {
            return NODES.textNode(node.textValue());
        }
        if (node.isBoolean()) {
            return NODES.booleanNode(node.booleanValue());
        }
        if (node.isNumber()) {
            return switch (node.numberType()) {
                case INT -> NODES.numberNode(node.intValue());
                case LONG -> NODES.numberNode(node.longValue());
                case BIG_INTEGER -> NODES.numberNode(node.bigIntegerValue());
                case FLOAT, DOUBLE -> NODES.numberNode(node.doubleValue());
                case BIG_DECIMAL -> NODES.numberNode(node.decimalValue());
            };
        }
        if (node.isBinary()) {
            return NODES.textNode(node.asText());
        }
        return NODES.textNode(node.asText());
    }
}
