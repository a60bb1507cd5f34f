package io.rotor.domain;

/**
 * What any credential value must satisfy before Rotor stores it or sends it anywhere.
 *
 * <p>No control character: every C0 character (U+0000–U+001F, which includes NUL, TAB, CR and LF), DEL (U+007F)
 * and the C1 range (U+0080–U+009F) is refused. On a pseudo-terminal the line discipline acts on them before the
 * program reading the line sees it: ^U (U+0015) kills what was typed so far, ^W erases a word, DEL and ^H erase a
 * character, ^C / ^Z / ^\ send signals, ^V quotes the next one. A secret typed into {@code chpasswd} as
 * {@code bob:<^U>root:x} would set root's password. CR, LF and NUL end or cut a line outright.
 *
 * <p>Messages name the character by its code point and position and never include the value.
 */
public final class SecretRules {
    private SecretRules() {
    }

    /**
     * Refuses an empty value and one holding a control character.
     *
     * @throws IllegalArgumentException naming the problem (never the value)
     */
    public static void check(Secret secret) {
        if (secret == null || secret.length() == 0) {
            throw new IllegalArgumentException("the credential value is empty");
        }
        char[] chars = secret.chars();
        try {
            int at = firstControlCharacter(chars);
            if (at >= 0) {
                throw new IllegalArgumentException("the credential value contains " + describe(chars[at])
                        + " at position " + (at + 1) + "; " + RULE);
            }
        } finally {
            java.util.Arrays.fill(chars, '\0');
        }
    }

    /** What every refusal ends with: the rule, for the operator who reads the message. */
    public static final String RULE = "control characters (U+0000-U+001F, U+007F-U+009F) are never allowed in a"
            + " credential: a terminal would act on them (^U erases the line typed so far)";

    /** True for the characters no secret, username or dialogue value may hold. */
    public static boolean isControl(char c) {
        return c < 0x20 || (c >= 0x7F && c <= 0x9F);
    }

    /** The index of the first control character, or -1. */
    public static int firstControlCharacter(char[] chars) {
        for (int i = 0; i < chars.length; i++) {
            if (isControl(chars[i])) {
                return i;
            }
        }
        return -1;
    }

    /** The index of the first control character, or -1. */
    public static int firstControlCharacter(CharSequence s) {
        for (int i = 0; i < s.length(); i++) {
            if (isControl(s.charAt(i))) {
                return i;
            }
        }
        return -1;
    }

    /**
     * A control character by name and code point, e.g. {@code a control character (^U, U+0015)}, {@code an LF
     * (line feed, U+000A)}. Naming one refused character tells nothing usable about a secret it can never be part of.
     */
    public static String describe(char c) {
        String code = String.format("U+%04X", (int) c);
        return switch (c) {
            case '\0' -> "a NUL character (" + code + ")";
            case '\r' -> "a CR (carriage return, " + code + ")";
            case '\n' -> "an LF (line feed, " + code + ")";
            case '\t' -> "a TAB (" + code + ")";
            case 0x7F -> "a DEL character (" + code + ")";
            default -> c < 0x20 ? "a control character (^" + (char) (c + 64) + ", " + code + ")"
                    : "a control character (" + code + ")";
        };
    }
}
