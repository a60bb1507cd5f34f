package io.rotor.connector.https;

import io.rotor.domain.Target;
import io.rotor.domain.TlsMode;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Pattern;

/**
 * The transport settings every HTTPS connector reads from its target, checked when the connector is created
 * (docs/architecture.md, "Cloud targets over HTTPS"). Each error names the field; none quotes a secret (these
 * settings hold none).
 *
 * @param base            {@code https://host[:port]} of the target, without path
 * @param trustStore      a PEM file of trusted CA certificates, or null for the JVM's default trust
 * @param connectTimeout  how long a TCP connect may take
 * @param requestTimeout  how long one request may take, answer included
 */
public record HttpsSettings(URI base, Path trustStore, Duration connectTimeout, Duration requestTimeout) {
    /** A host name or an IP literal, nothing that could carry a path, user info or a second authority. */
    private static final Pattern HOST = Pattern.compile("^(\\[[0-9A-Fa-f:.]+]|[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?)$");
    private static final Pattern BASE_URL = Pattern.compile(
            "^https://(\\[[0-9A-Fa-f:.]+]|[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?)(:[0-9]{1,5})?$");
    private static final Pattern CONTROL = Pattern.compile("[\\u0000-\\u001f\\u007f-\\u009f]");

    /**
     * Reads the settings of {@code target}: its host and port (default 443) make the base address.
     *
     * @throws IllegalArgumentException naming the field, for a bad host, port, timeout, trust store or TLS mode
     */
    public static HttpsSettings of(Target target) {
        String where = "target " + target.id() + " (type " + target.type() + ")";
        if (target.tlsMode() == TlsMode.REQUIRE) {
            throw new IllegalArgumentException(where + ": field 'tls': require (certificate not checked) is not offered;"
                    + " this connector always speaks HTTPS and checks the certificate chain and host name; give the CA with setting 'trustStore'");
        }
        String host = target.host();
        if (host != null && host.indexOf(':') >= 0 && !host.startsWith("[")) {
            host = "[" + host + "]"; // an IPv6 literal as the target gives it
        }
        if (host == null || !HOST.matcher(host).matches()) {
            throw new IllegalArgumentException(where + ": field 'host' must be a host name or an IP address");
        }
        int port = target.port() <= 0 ? 443 : target.port();
        if (port > 65535) {
            throw new IllegalArgumentException(where + ": field 'port' must be between 1 and 65535");
        }
        URI base = URI.create("https://" + host + (port == 443 ? "" : ":" + port));
        String file = target.setting("trustStore", null);
        Path trust = null;
        if (file != null) {
            if (file.isBlank() || CONTROL.matcher(file).find()) {
                throw new IllegalArgumentException(where + ": setting 'trustStore' must be the path of a PEM file");
            }
            trust = Path.of(file);
        }
        return new HttpsSettings(base, trust, seconds(target, where, "connectTimeoutSeconds", 10),
                seconds(target, where, "requestTimeoutSeconds", 30));
    }

    /**
     * An {@code https://host[:port]} address from setting {@code key} (no path, query, user info or fragment), or
     * {@code fallback} when the setting is absent.
     *
     * @throws IllegalArgumentException naming the setting
     */
    public static URI baseUrl(Target target, String key, URI fallback) {
        String value = target.setting(key, null);
        if (value == null) {
            return fallback;
        }
        String trimmed = value.endsWith("/") ? value.substring(0, value.length() - 1) : value;
        if (!BASE_URL.matcher(trimmed).matches()) {
            throw new IllegalArgumentException("target " + target.id() + " (type " + target.type() + "): setting '" + key
                    + "' must be https://host or https://host:port, with no path, query or user info");
        }
        return URI.create(trimmed);
    }

    private static Duration seconds(Target target, String where, String key, int fallback) {
        String value = target.setting(key, String.valueOf(fallback));
        try {
            int n = Integer.parseInt(value.trim());
            if (n < 1 || n > 3600) {
                throw new NumberFormatException();
            }
            return Duration.ofSeconds(n);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(where + ": setting '" + key + "' must be a whole number of seconds from 1 to 3600");
        }
    }
}
