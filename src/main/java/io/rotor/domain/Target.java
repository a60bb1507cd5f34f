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

    /**
     * The key under which {@link #settings} holds the target's site (the inventory's top-level {@code site:}): a
     * target with a site is in a network only that site's agents reach (docs/architecture.md, "Agents").
     */
    public static final String SITE = "site";

    public String setting(String key, String fallback) {
        return settings.getOrDefault(key, fallback);
    }

    /** The site whose agents reach this target, or null when Rotor connects to it directly. */
    public String site() {
        String site = settings.get(SITE);
        return site == null || site.isBlank() ? null : site;
    }

    /** The same target without its site: what an agent hands its local connector, which connects directly. */
    public Target withoutSite() {
        if (!settings.containsKey(SITE)) {
            return this;
        }
        Map<String, String> rest = new java.util.HashMap<>(settings);
        rest.remove(SITE);
        return new Target(id, type, host, port, database, tlsMode, adminAccountId, policyId, rest);
    }
}
