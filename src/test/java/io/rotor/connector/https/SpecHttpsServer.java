package io.rotor.connector.https;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A loopback HTTPS server (the JDK's {@link HttpsServer}, certificate from {@link TestTls}) that implements one
 * vendor's documented endpoints and nothing else, for the connector tests. Subclasses route each request; this
 * class keeps what arrived (request bodies, decrypted) so a test can tell whether a candidate ever reached it.
 */
public abstract class SpecHttpsServer implements AutoCloseable {
    protected static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_BODY = 64 * 1024;

    private final HttpsServer server;
    private final ExecutorService threads = Executors.newFixedThreadPool(4, r -> {
        Thread t = new Thread(r, "spec-https-server");
        t.setDaemon(true);
        return t;
    });
    private final List<String> received = new CopyOnWriteArrayList<>();
    /** Each request's URI and header values, to show that no secret travelled there. */
    private final List<String> addressing = new CopyOnWriteArrayList<>();

    protected SpecHttpsServer() throws IOException {
        server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        server.setHttpsConfigurator(new HttpsConfigurator(TestTls.server().serverContext()));
        server.createContext("/", exchange -> {
            try (exchange) {
                StringBuilder seen = new StringBuilder(exchange.getRequestURI().toString());
                exchange.getRequestHeaders().forEach((name, values) -> seen.append('\n').append(name).append(": ").append(values));
                addressing.add(seen.toString());
                handle(exchange);
            } catch (RuntimeException e) {
                send(exchange, 500, "{\"error\":\"test server fault\"}");
            }
        });
        server.setExecutor(threads);
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** Answers one request; {@link #body} reads (and records) its body. */
    protected abstract void handle(HttpExchange exchange) throws IOException;

    /** Whether any request body that reached the server (after TLS) held {@code value}. */
    public boolean received(String value) {
        return received.stream().anyMatch(b -> b.contains(value));
    }

    /**
     * Whether {@code value}, as given or URL-encoded, appeared in any request's URI or headers (where only ids and
     * tokens belong, never a password or a client secret).
     */
    public boolean seenOutsideBodies(String value) {
        String encoded = java.net.URLEncoder.encode(value, StandardCharsets.UTF_8);
        String basic = java.util.Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8));
        return addressing.stream().anyMatch(a -> a.contains(value) || a.contains(encoded) || a.contains(basic));
    }

    /** How many request bodies arrived so far. */
    public int receivedCount() {
        return received.size();
    }

    protected String body(HttpExchange exchange) throws IOException {
        try (InputStream in = exchange.getRequestBody()) {
            byte[] bytes = in.readNBytes(MAX_BODY);
            String text = new String(bytes, StandardCharsets.UTF_8);
            received.add(text);
            return text;
        }
    }

    protected static JsonNode parse(String text) {
        try {
            JsonNode node = JSON.readTree(text);
            return node == null ? JSON.missingNode() : node;
        } catch (IOException e) {
            return null;
        }
    }

    protected static void send(HttpExchange exchange, int status, String json) throws IOException {
        byte[] bytes = json == null ? new byte[0] : json.getBytes(StandardCharsets.UTF_8);
        if (json != null) {
            exchange.getResponseHeaders().set("Content-Type", "application/json;charset=UTF-8");
        }
        boolean noBody = bytes.length == 0 || "HEAD".equals(exchange.getRequestMethod());
        exchange.sendResponseHeaders(status, noBody ? -1 : bytes.length);
        if (!noBody) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    protected static String text(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
