package io.rotor.security;

import io.rotor.config.RotorSettings;
import org.apache.camel.CamelContext;
import org.apache.camel.support.jsse.KeyManagersParameters;
import org.apache.camel.support.jsse.KeyStoreParameters;
import org.apache.camel.support.jsse.SSLContextParameters;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * How {@code rotor serve} exposes the REST API, health and metrics: HTTPS when {@code rotor.http.tls.key-store}
 * names a PKCS#12 key store (its password from {@code ROTOR_HTTP_TLS_KEY_STORE_PASSWORD}, never from a file or
 * the command line), plain HTTP otherwise, and plain HTTP only on a loopback address unless the operator says
 * {@code --insecure-http}: bearer tokens and the credentials the API hands out must not cross a network in clear.
 */
public final class HttpTransport {
    public static final String KEY_STORE_SETTING = "rotor.http.tls.key-store";
    public static final String PASSWORD_ENV = "ROTOR_HTTP_TLS_KEY_STORE_PASSWORD";
    public static final String INSECURE_FLAG = "--insecure-http";

    private final SSLContextParameters tls;
    private final Path keyStore;

    private HttpTransport(SSLContextParameters tls, Path keyStore) {
        this.tls = tls;
        this.keyStore = keyStore;
    }

    /**
     * Decides the transport before anything starts, and refuses what is unsafe or broken with a message that names
     * the setting (never the password).
     *
     * @param insecureHttp the operator's explicit {@code --insecure-http}
     */
    public static HttpTransport decide(RotorSettings settings, Map<String, String> environment, boolean insecureHttp) {
        Path keyStore = settings.path(KEY_STORE_SETTING, null);
        if (keyStore != null) {
            return new HttpTransport(load(keyStore, environment.get(PASSWORD_ENV)), keyStore);
        }
        if (!insecureHttp) {
            for (String host : servedHosts(settings)) {
                if (!isLoopback(host)) {
                    throw new UnsafeConfigurationException("refusing to serve plain HTTP on " + host
                            + ", which is not a loopback address: set " + KEY_STORE_SETTING + " to a PKCS#12 key store"
                            + " (password in " + PASSWORD_ENV + ") to serve HTTPS, bind camel.server.host to 127.0.0.1,"
                            + " or pass " + INSECURE_FLAG + " to accept clear text on the network");
                }
            }
        }
        return new HttpTransport(null, null);
    }

    /** No HTTP server at all (a one-shot command). */
    public static HttpTransport none() {
        return new HttpTransport(null, null);
    }

    public boolean secure() {
        return tls != null;
    }

    public String scheme() {
        return secure() ? "https" : "http";
    }

    /** The Camel settings that make the HTTP server (and the management endpoints) use {@link #applyTo(CamelContext)}. */
    public void applyTo(Properties overrides) {
        if (secure()) {
            overrides.setProperty("camel.server.use-global-ssl-context-parameters", "true");
            overrides.setProperty("camel.management.use-global-ssl-context-parameters", "true");
        }
    }

    /** Installs the key material as the context's global SSL parameters; call before the context starts. */
    public void applyTo(CamelContext context) {
        if (secure()) {
            context.setSSLContextParameters(tls);
        }
    }

    @Override
    public String toString() {
        return secure() ? "HTTPS with the key store " + keyStore : "plain HTTP";
    }

    /** The hosts the server binds: the REST API's and, when it is enabled, the management endpoints'. */
    static List<String> servedHosts(RotorSettings settings) {
        List<String> hosts = new ArrayList<>();
        if (Boolean.parseBoolean(resolve(settings, "camel.server.enabled", "true"))) {
            hosts.add(resolve(settings, "camel.server.host", "0.0.0.0"));
        }
        if (Boolean.parseBoolean(resolve(settings, "camel.management.enabled", "false"))) {
            hosts.add(resolve(settings, "camel.management.host", "0.0.0.0"));
        }
        return hosts;
    }

    /** A setting whose whole value may be one {@code {{other.key}}} placeholder, as in the shipped configuration. */
    private static String resolve(RotorSettings settings, String key, String fallback) {
        String value = settings.get(key, fallback);
        for (int depth = 0; depth < 5 && value.startsWith("{{") && value.endsWith("}}"); depth++) {
            value = settings.get(value.substring(2, value.length() - 2).trim(), fallback);
        }
        return value;
    }

    static boolean isLoopback(String host) {
        try {
            InetAddress[] addresses = InetAddress.getAllByName(host.trim());
            for (InetAddress address : addresses) {
                if (!address.isLoopbackAddress()) {
                    return false;
                }
            }
            return addresses.length > 0;
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /**
     * Loads the key store here, so that a wrong path or password stops the start with a clear message, and hands
     * Camel an in-memory copy whose key password is random: Camel resolves {@code {{...}}} placeholders in key
     * passwords, and the operator's password never has to reach Camel's objects.
     */
    private static SSLContextParameters load(Path file, String password) {
        if (password == null || password.isEmpty()) {
            throw new IllegalArgumentException(KEY_STORE_SETTING + " is set but the environment variable " + PASSWORD_ENV
                    + " (the key store's password) is not");
        }
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(KEY_STORE_SETTING + ": " + file + " is not a file");
        }
        char[] secret = password.toCharArray();
        try {
            KeyStore original = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(file)) {
                original.load(in, secret);
            }
            char[] inner = HexFormat.of().formatHex(randomBytes()).toCharArray();
            KeyStore copy = KeyStore.getInstance("PKCS12");
            copy.load(null, null);
            int keys = 0;
            for (String alias : Collections.list(original.aliases())) {
                if (original.isKeyEntry(alias)) {
                    copy.setKeyEntry(alias, original.getKey(alias, secret), inner, original.getCertificateChain(alias));
                    keys++;
                }
            }
            if (keys == 0) {
                throw new IllegalArgumentException(KEY_STORE_SETTING + ": " + file + " holds no private key entry");
            }
            KeyStoreParameters store = new KeyStoreParameters();
            store.setKeyStore(copy);
            KeyManagersParameters managers = new KeyManagersParameters();
            managers.setKeyStore(store);
            managers.setKeyPassword(new String(inner));
            SSLContextParameters parameters = new SSLContextParameters();
            parameters.setKeyManagers(managers);
            return parameters;
        } catch (IOException | GeneralSecurityException e) {
            // a wrong password surfaces as an IOException whose message names no secret
            throw new IllegalArgumentException(KEY_STORE_SETTING + ": cannot open the PKCS#12 key store " + file
                    + " with the password in " + PASSWORD_ENV + ": " + e.getMessage());
        } finally {
            java.util.Arrays.fill(secret, '\0');
        }
    }

    private static byte[] randomBytes() {
        byte[] bytes = new byte[24];
        new SecureRandom().nextBytes(bytes);
        return bytes;
    }
}
