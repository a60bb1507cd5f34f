package io.rotor.connector.ssh;

import java.util.Locale;
import java.util.Objects;

/**
 * One command of a password changer, as in the Fudo API v2 {@code commands} list: {@code expected} waits for
 * device output matching {@code value} (a Java regex), {@code input} sends {@code value} (with
 * {@code %%placeholders%%} substituted) followed by a line end.
 */
public record ChangerStep(Type type, String value, String description) {
    public enum Type {
        EXPECTED, INPUT;

        /** {@code expected} / {@code input}, as the REST envelope spells it. */
        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Type parse(String s) {
            return switch (s == null ? "" : s.trim().toLowerCase(Locale.ROOT)) {
                case "expected" -> EXPECTED;
                case "input" -> INPUT;
                default -> throw new IllegalArgumentException("command type must be 'expected' or 'input'");
            };
        }
    }

    public ChangerStep {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(value, "value");
    }

    public static ChangerStep expected(String regex) {
        return new ChangerStep(Type.EXPECTED, regex, null);
    }

    public static ChangerStep input(String value) {
        return new ChangerStep(Type.INPUT, value, null);
    }
}
