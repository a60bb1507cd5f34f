package io.rotor.vault;

import io.rotor.domain.Ids;

import java.util.List;
import java.util.TreeSet;

/**
 * The input rules of the vault model's repositories ({@link VaultModel}), checked before any transaction opens.
 * Every refusal is an {@link InvalidFieldException} naming the field; values are never echoed, since they may
 * hold line breaks that would forge log lines.
 */
final class DirectoryRules {
    /** Size of the model's text columns (logins, names, attribute values). */
    static final int TEXT_MAX = 255;

    private DirectoryRules() {
    }

    static void requireId(String field, String value) {
        if (value == null || value.isEmpty()) {
            throw new InvalidFieldException(field, "is required");
        }
        if (!Ids.isId(value)) {
            throw new InvalidFieldException(field, "must match " + Ids.ID_REGEX
                    + " (1 to 128 letters, digits, _ . -, starting with a letter or digit)");
        }
    }

    static void requireText(String field, String value, boolean required) {
        if (value == null || value.isBlank()) {
            if (required) {
                throw new InvalidFieldException(field, "must not be blank");
            }
            if (value == null) {
                return;
            }
        }
        if (value.length() > TEXT_MAX) {
            throw new InvalidFieldException(field, "must be at most " + TEXT_MAX + " characters (is " + value.length() + ")");
        }
        for (int i = 0; i < value.length(); i++) {
            char ch = value.charAt(i);
            if (Character.isISOControl(ch) || Character.getType(ch) == Character.FORMAT) {
                throw new InvalidFieldException(field, "must not contain control characters (found at index " + i + ")");
            }
        }
    }

    /** The ids, checked one by one ({@code field[i]}), without duplicates and sorted; null is empty. */
    static List<String> idList(String field, List<String> ids) {
        if (ids == null) {
            return List.of();
        }
        for (int i = 0; i < ids.size(); i++) {
            requireId(field + "[" + i + "]", ids.get(i));
        }
        return List.copyOf(new TreeSet<>(ids));
    }

    /** The link, association and group attributes of one request must be three different names (nulls aside). */
    static void distinctAttributes(String linkAttr, String associationAttr, String groupAttr) {
        if (linkAttr != null && linkAttr.equals(associationAttr)) {
            throw new InvalidFieldException("associationAttr", "must differ from linkAttr ('" + linkAttr + "')");
        }
        if (linkAttr != null && linkAttr.equals(groupAttr)) {
            throw new InvalidFieldException("groupAttr", "must differ from linkAttr ('" + linkAttr + "')");
        }
        if (associationAttr != null && associationAttr.equals(groupAttr)) {
            throw new InvalidFieldException("groupAttr", "must differ from associationAttr ('" + associationAttr + "')");
        }
    }

    /** Refuses a target of the wrong type for its role (vault target or vault user target). */
    static void checkType(String field, String targetId, String actual, String expected) {
        if (!expected.equals(actual)) {
            String role = VaultModel.VAULT_TARGET_TYPE.equals(expected) ? "a vault target" : "a vault user target";
            throw new InvalidFieldException(field, "'" + targetId + "' is a target of type '" + actual + "'; "
                    + role + " must have type '" + expected + "'");
        }
    }
}
