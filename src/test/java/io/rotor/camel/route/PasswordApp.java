package io.rotor.camel.route;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;

/**
 * A small web application with a login endpoint and a change-password endpoint that keeps its passwords in memory:
 * the target of the route-connector example ({@code docs/examples/routes/http-app-password.camel.yaml}). Its
 * endpoints are described in that file. A password shorter than {@value #MIN_LENGTH} characters is refused (422).
 * It records every request body it received, so a test can show where a password went.
 */
public final class PasswordApp implements AutoCloseable {
    public static final int MIN_LENGTH = 12;
    private static final ObjectMapper JSON = new ObjectMapper();

    public final Map<String, String> passwords = new ConcurrentHashMap<>();
    public final java.util.Set<String> admins = ConcurrentHashMap.newKeySet();
    private final HttpServer server;

    public PasswordApp() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        server.setExecutor(Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "password-app");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/login", e -> handle(e, this::login));
        server.createContext("/change-password", e -> handle(e, this::changePassword));
        server.createContext("/users", e -> handle(e, this::users));
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private record Answer(int status, String body) {
    }

    private interface Handler {
        Answer handle(JsonNode body);
    }

    private void handle(HttpExchange exchange, Handler handler) throws IOException {
        Answer answer;
        try (InputStream in = exchange.getRequestBody()) {
            if (!"POST".equals(exchange.getRequestMethod())) {
                answer = new Answer(405, "POST only");
            } else {
                answer = handler.handle(JSON.readTree(in.readAllBytes()));
            }
        } catch (IOException | RuntimeException e) {
            answer = new Answer(400, "malformed request");
        }
        byte[] bytes = answer.body().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        exchange.sendResponseHeaders(answer.status(), bytes.length == 0 ? -1 : bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private boolean logsIn(String username, String password) {
        return username != null && password != null && password.equals(passwords.get(username));
    }

    private Answer login(JsonNode body) {
        return logsIn(text(body, "username"), text(body, "password")) ? new Answer(200, "welcome")
                : new Answer(401, "login refused");
    }

    private Answer changePassword(JsonNode body) {
        String username = text(body, "username");
        String admin = text(body, "adminUsername");
        boolean allowed = admin != null
                ? admins.contains(admin) && logsIn(admin, text(body, "adminPassword"))
                : logsIn(username, text(body, "currentPassword"));
        if (!allowed) {
            return new Answer(401, "login refused");
        }
        if (username == null || !passwords.containsKey(username)) {
            return new Answer(404, "no such user");
        }
        String next = text(body, "newPassword");
        if (next == null || next.length() < MIN_LENGTH) {
            return new Answer(422, "password too short: at least " + MIN_LENGTH + " characters");
        }
        passwords.put(username, next);
        return new Answer(200, "changed");
    }

    private Answer users(JsonNode body) {
        String admin = text(body, "adminUsername");
        if (admin == null || !admins.contains(admin) || !logsIn(admin, text(body, "adminPassword"))) {
            return new Answer(401, "login refused");
        }
        String filter = text(body, "filter");
        StringBuilder out = new StringBuilder();
        for (String name : new TreeSet<>(passwords.keySet())) {
            if (filter == null || name.contains(filter)) {
                out.append(name).append('\n');
            }
        }
        return new Answer(200, out.toString());
    }

    private static String text(JsonNode body, String field) {
        JsonNode value = body.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
