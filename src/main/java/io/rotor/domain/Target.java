package io.rotor.domain;

import java.util.Map;

/**
 * A system whose accounts Rotor manages.
 *
 * @param type            connector type, e.g. {@code postgresql}, {@code mariadb}
 * @param database        database to connect to (JDBC targets), may be null
 * @param adminAccountId  vault account used for admin rotation and reconcile, may be null
 * @param settings        connector-specific extras (e.g. {@code sslrootcert}, {@code maxPoolSize})
 */
public record Target(String id, String type, String host, int port, String database, TlsMode tlsMode,
                     String adminAccountId, String policyId, Map<String, String> settings) {
    public Target {
        settings = settings == null ? Map.of() : Map.copyOf(settings);
        tlsMode = tlsMode == null ? TlsMode.DISABLE : tlsMode;
    }

    public String setting(String key, String fallback) {
        return settings.getOrDefault(key, fallback);
    }
}
