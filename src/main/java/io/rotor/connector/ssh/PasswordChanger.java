package io.rotor.connector.ssh;

import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * A password changer or verifier as data, shaped like the Fudo API v2 {@code PasswordChangerModel} so that a
 * REST layer can expose it as it is: {@code type} change|verify, a unique case-insensitive {@code name},
 * {@code transport}, {@code timeout} in seconds (the whole dialogue), {@code variables}, ordered
 * {@code commands}, read-only {@code builtin} and {@code hidden}, {@code created_at} / {@code modified_at}.
 *
 * <p>{@code pty} is a Rotor extension: run the dialogue on a pseudo-terminal (needed by {@code su} and by
 * network devices); without it a plain shell channel with stderr merged into stdout is used.
 */
public record PasswordChanger(String id, Type type, String name, Transport transport, int timeoutSeconds,
                              List<ChangerVariable> variables, List<ChangerStep> commands, boolean builtin,
                              boolean hidden, boolean pty, Instant createdAt, Instant modifiedAt) {
    public enum Type {
        CHANGE, VERIFY;

        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public enum Transport {
        SSH("SSH"), TELNET("Telnet"), LDAP("LDAP"), WINRM("WinRM");

        private final String wireName;

        Transport(String wireName) {
            this.wireName = wireName;
        }

        public String wireName() {
            return wireName;
        }

        public static Transport parse(String s) {
            for (Transport t : values()) {
                if (t.wireName.equalsIgnoreCase(s == null ? "" : s.trim())) {
                    return t;
                }
            }
            throw new IllegalArgumentException("transport must be one of SSH, Telnet, LDAP, WinRM");
        }
    }

    public PasswordChanger {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(transport, "transport");
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("name must not be blank");
        }
        if (timeoutSeconds < 0) {
            throw new IllegalArgumentException("timeout must be between 0 and 2147483647");
        }
        variables = variables == null ? List.of() : List.copyOf(variables);
        commands = commands == null ? List.of() : List.copyOf(commands);
    }

    /** Names are unique regardless of case: this is the key a catalogue compares. */
    public String nameKey() {
        return name.trim().toLowerCase(Locale.ROOT);
    }
}
