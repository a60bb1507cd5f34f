package io.rotor.domain;

/** What any credential value must satisfy before Rotor stores it or sends it anywhere. */
public final class SecretRules {
    private SecretRules() {
    }

    /**
     * Refuses an empty value and one holding NUL, CR or LF: those would end a line in a dialogue, cut a C string
     * short, or let a value smuggle a second command. The message never includes the value.
     */
    public static void check(Secret secret) {
        if (secret == null || secret.length() == 0) {
            throw new IllegalArgumentException("the credential value is empty");
        }
        char[] chars = secret.chars();
        try {
            for (int i = 0; i < chars.length; i++) {
                char c = chars[i];
                if (c == '\0' || c == '\r' || c == '\n') {
                    String name = c == '\0' ? "NUL" : c == '\r' ? "CR (carriage return)" : "LF (line feed)";
                    throw new IllegalArgumentException("the credential value contains a " + name
                            + " character at position " + (i + 1) + "; NUL, CR and LF are not allowed");
                }
            }
        } finally {
            java.util.Arrays.fill(chars, '\0');
        }
    }
}
