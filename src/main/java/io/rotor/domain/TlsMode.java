package io.rotor.domain;

import java.util.Locale;

/**
 * How a connector secures its connection to a target; a failed TLS handshake is never downgraded.
 * {@code require} encrypts without checking the server's certificate or name: it stops a passive eavesdropper,
 * not an active man in the middle. {@code verify-full} checks both and is the default where the transport has TLS.
 */
public enum TlsMode {
    DISABLE, REQUIRE, VERIFY_FULL;

    /** The target types whose connectors speak TLS (PostgreSQL, MariaDB/MySQL, LDAP, Active Directory). */
    private static final java.util.Set<String> TLS_TYPES = java.util.Set.of("postgresql", "mariadb", "mysql", "ldap",
            "activedirectory");

    /** True when targets of {@code type} can use TLS (SSH and Telnet have no such setting). */
    public static boolean supported(String type) {
        return type != null && TLS_TYPES.contains(type);
    }

    /** The mode of a new target that does not say: {@code verify-full} where the transport supports TLS. */
    public static TlsMode defaultFor(String type) {
        return supported(type) ? VERIFY_FULL : DISABLE;
    }

    /** Parses the configuration spelling ({@code disable}, {@code require}, {@code verify-full}). */
    public static TlsMode parse(String text) {
        if (text == null || text.isBlank()) {
            return DISABLE;
        }
        String normal = text.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        for (TlsMode mode : values()) {
            if (mode.name().equals(normal)) {
                return mode;
            }
        }
        throw new IllegalArgumentException("unknown TLS mode '" + text + "' (expected disable, require or verify-full)");
    }

    public String configName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
