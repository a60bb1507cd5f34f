package io.rotor.connector.cloud;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.rotor.security.TestKeyStores;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The common part of the specification-driven test servers: HTTPS on loopback with a self-signed certificate made
 * for the test (its PEM is what the connector's {@code caFile} setting names: no "trust all"), one handler that
 * dispatches the documented paths, a log of every request body received (decrypted, so a test can tell whether a
 * value reached the server) and JSON helpers. Each vendor's server implements only its documented endpoints.
 */
abstract class SpecServer implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final String STORE_PASSWORD = "test-store-password";

    private final HttpsServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "spec-server");
        t.setDaemon(true);
        return t;
    });
    private final StringBuffer received = new StringBuffer();
    private final Path caFile;

    /** One key store per test JVM: keytool starts a JVM of its own, too slow to run for every server. */
    private static Path sharedStore;

    private static synchronized Path keyStore() throws Exception {
        if (sharedStore == null) {
            Path dir = Files.createTempDirectory("spec-server-tls");
            dir.toFile().deleteOnExit();
            sharedStore = TestKeyStores.create(dir.resolve("server.p12"), STORE_PASSWORD);
            sharedStore.toFile().deleteOnExit();
        }
        return sharedStore;
    }

    /** The PKCS#12 file of the servers' certificate and its password (a test client that trusts it: {@link TestKeyStores#trusting}). */
    static Path keyStoreFile() throws Exception {
        return keyStore();
    }

    static String keyStorePassword() {
        return STORE_PASSWORD;
    }

    SpecServer(Path dir) throws Exception {
        Path store = keyStore();
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            keys.load(in, STORE_PASSWORD.toCharArray());
        }
        caFile = dir.resolve("server-ca.pem");
        Files.writeString(caFile, "-----BEGIN CERTIFICATE-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(
                keys.getCertificate(TestKeyStores.ALIAS).getEncoded()) + "\n-----END CERTIFICATE-----\n");
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, STORE_PASSWORD.toCharArray());
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(kmf.getKeyManagers(), null, null);
        server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        server.setHttpsConfigurator(new HttpsConfigurator(tls));
        server.setExecutor(executor);
        server.createContext("/", exchange -> {
            try {
                byte[] body = exchange.getRequestBody().readNBytes(1 << 20);
                received.append(exchange.getRequestMethod()).append(' ').append(exchange.getRequestURI()).append('\n')
                        .append(new String(body, StandardCharsets.UTF_8)).append('\n');
                handle(exchange, body);
            } catch (RuntimeException e) {
                reply(exchange, 500, Map.of("error", Map.of("code", "internal", "message", String.valueOf(e))));
            } finally {
                exchange.close();
            }
        });
        server.start();
    }

    /** Answers one request; {@code body} is the request body already read. */
    abstract void handle(HttpExchange exchange, byte[] body) throws IOException;

    int port() {
        return server.getAddress().getPort();
    }

    String base() {
        return "https://127.0.0.1:" + port();
    }

    /** The PEM file of the server's self-signed certificate. */
    Path caFile() {
        return caFile;
    }

    /** Whether {@code value} appeared in any request the server received (path, query or body). */
    boolean received(String value) {
        return received.indexOf(value) >= 0;
    }

    static void reply(HttpExchange exchange, int status, Object body) throws IOException {
        byte[] bytes = body == null ? new byte[0] : JSON.writeValueAsBytes(body);
        if (body != null) {
            exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        }
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    static JsonNode json(byte[] body) {
        try {
            JsonNode node = JSON.readTree(body);
            return node == null || !node.isObject() ? null : node;
        } catch (IOException e) {
            return null;
        }
    }

    /** A form-encoded body, or null when the content type is not form-encoded. */
    static Map<String, String> form(HttpExchange exchange, byte[] body) {
        String type = exchange.getRequestHeaders().getFirst("Content-Type");
        if (type == null || !type.toLowerCase().startsWith("application/x-www-form-urlencoded")) {
            return null;
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (String pair : new String(body, StandardCharsets.US_ASCII).split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            out.put(key, value);
        }
        return out;
    }

    /** The bearer token of the request, or null. */
    static String bearer(HttpExchange exchange) {
        String header = exchange.getRequestHeaders().getFirst("Authorization");
        return header != null && header.startsWith("Bearer ") ? header.substring(7) : null;
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
