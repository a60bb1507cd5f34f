package io.rotor.domain;

import java.util.Locale;

/** How a connector secures its connection to a target; a failed TLS handshake is never downgraded. */
public enum TlsMode {
    DISABLE, REQUIRE, VERIFY_FULL;

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
