package io.rotor.connector.salesforce;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import io.rotor.connector.https.SpecHttpsServer;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.Deque;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Salesforce as its published REST API describes it (docs/architecture.md, "Cloud targets over HTTPS"), nothing more: the client-credentials
 * token ({@code POST /services/oauth2/token}: the right client id and secret, form or Basic; an {@code instance_url}
 * and an HMAC {@code signature}), and {@code GET|HEAD|POST|DELETE /services/data/vXX.X/sobjects/User/{id}/password}
 * with a bearer token this server issued and that has not expired. Errors in the REST shape (an array of
 * {@code errorCode}/{@code message}) and the OAuth shape. It keeps each user's password (and history) and offers
 * {@link #logsIn}, the login check the tests use in place of a Salesforce UI login.
 */
public final class SalesforceTestServer extends SpecHttpsServer {
    private static final Pattern PASSWORD_PATH = Pattern.compile(
            "^/services/data/v([0-9]{2})\\.([0-9])/sobjects/(User|SelfServiceUser)/([^/]+)/password$");
    private static final Pattern USER_ID = Pattern.compile("^005[A-Za-z0-9]{12}([A-Za-z0-9]{3})?$");
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String clientId;
    private volatile String clientSecret;
    private final Map<String, Deque<String>> passwords = new ConcurrentHashMap<>();
    private final Map<String, Instant> tokens = new ConcurrentHashMap<>();
    private final Set<String> outOfReach = ConcurrentHashMap.newKeySet();
    /** Token lifetime; a test shortens it to show expired tokens are refused. */
    public volatile Duration tokenLifetime = Duration.ofHours(2);
    /** When set, token answers name this instance instead of the one the client addressed (a hostile answer). */
    public volatile String instanceUrlOverride;
    /** When set, token answers carry a signature made with another key. */
    public volatile boolean badSignature;
    /** When non-zero, the next password POST is answered with this status and not applied (a service fault). */
    public final java.util.concurrent.atomic.AtomicInteger failNextChange = new java.util.concurrent.atomic.AtomicInteger();
    /** Requests to a password resource that used a bearer token, for tests that count them. */
    public final List<String> passwordCalls = new java.util.concurrent.CopyOnWriteArrayList<>();

    public SalesforceTestServer(String clientId, String clientSecret) throws IOException {
        this.clientId = clientId;
        this.clientSecret = clientSecret;
    }

    /** A user with this password; {@code reachable} false makes the connected app's run-as user unable to manage it. */
    public void addUser(String id, String password, boolean reachable) {
        Deque<String> history = new ArrayDeque<>();
        history.push(password);
        passwords.put(id, history);
        if (!reachable) {
            outOfReach.add(id);
        }
    }

    public void removeUsers() {
        passwords.clear();
        outOfReach.clear();
    }

    /** The login check: whether {@code password} is the user's password now. */
    public boolean logsIn(String id, String password) {
        Deque<String> history = passwords.get(id);
        return history != null && password.equals(history.peek());
    }

    /** What changes whenever the password is set (the value itself; this is a test double). */
    public String passwordState(String id) {
        Deque<String> history = passwords.get(id);
        return history == null ? null : history.peek();
    }

    @Override
    protected void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getRawPath();
        if (path.equals("/services/oauth2/token")) {
            token(exchange);
            return;
        }
        Matcher m = PASSWORD_PATH.matcher(path);
        if (m.matches() && Integer.parseInt(m.group(1)) >= 24) {
            password(exchange, m.group(4));
            return;
        }
        rest(exchange, 404, "NOT_FOUND", "The requested resource does not exist");
    }

    // ---------------------------------------------------------------- OAuth

    private void token(HttpExchange exchange) throws IOException {
        if (!"POST".equals(exchange.getRequestMethod())) {
            oauth(exchange, 405, "invalid_request", "must use HTTP POST");
            return;
        }
        String type = exchange.getRequestHeaders().getFirst("Content-Type");
        if (type == null || !type.startsWith("application/x-www-form-urlencoded")) {
            oauth(exchange, 400, "invalid_request", "invalid content type");
            return;
        }
        Map<String, String> form = form(body(exchange));
        String id = form.get("client_id");
        String secret = form.get("client_secret");
        String basic = exchange.getRequestHeaders().getFirst("Authorization");
        if (basic != null && basic.startsWith("Basic ")) {
            String[] pair = new String(Base64.getDecoder().decode(basic.substring(6)), StandardCharsets.UTF_8).split(":", 2);
            id = pair[0];
            secret = pair.length > 1 ? pair[1] : null;
        }
        if (!"client_credentials".equals(form.get("grant_type"))) {
            oauth(exchange, 400, "unsupported_grant_type", "grant type not supported");
            return;
        }
        if (!clientId.equals(id) || secret == null || !clientSecret.equals(secret)) {
            oauth(exchange, 400, "invalid_client", "invalid client credentials");
            return;
        }
        String token = "00D" + HexFormat.of().formatHex(bytes(24));
        tokens.put(token, Instant.now().plus(tokenLifetime));
        String instance = instanceUrlOverride != null ? instanceUrlOverride
                : "https://" + exchange.getRequestHeaders().getFirst("Host");
        String identity = instance + "/id/00D000000000001AAA/005000000000001AAA";
        String issuedAt = String.valueOf(System.currentTimeMillis());
        Map<String, Object> answer = new HashMap<>();
        answer.put("access_token", token);
        answer.put("instance_url", instance);
        answer.put("id", identity);
        answer.put("token_type", "Bearer");
        answer.put("issued_at", issuedAt);
        answer.put("signature", hmac(badSignature ? "another-key" : clientSecret, identity + issuedAt));
        send(exchange, 200, text(answer));
    }

    // ---------------------------------------------------------------- the password resource

    private void password(HttpExchange exchange, String userId) throws IOException {
        String method = exchange.getRequestMethod();
        String auth = exchange.getRequestHeaders().getFirst("Authorization");
        Instant expires = auth != null && auth.startsWith("Bearer ") ? tokens.get(auth.substring(7)) : null;
        if (expires == null || Instant.now().isAfter(expires)) {
            rest(exchange, 401, "INVALID_SESSION_ID", "Session expired or invalid");
            return;
        }
        passwordCalls.add(method + " " + userId);
        if (!Set.of("GET", "HEAD", "POST", "DELETE").contains(method)) {
            rest(exchange, 405, "METHOD_NOT_ALLOWED", "HTTP Method '" + method + "' not allowed. Allowed are HEAD,GET,POST,DELETE");
            return;
        }
        if (!USER_ID.matcher(userId).matches()) {
            rest(exchange, 400, "MALFORMED_ID", "malformed id " + userId);
            return;
        }
        Deque<String> history = passwords.get(userId);
        if (history == null) {
            rest(exchange, 404, "NOT_FOUND", "The requested resource does not exist");
            return;
        }
        if (outOfReach.contains(userId)) {
            rest(exchange, 403, "INSUFFICIENT_ACCESS", "insufficient access rights on cross-reference id");
            return;
        }
        switch (method) {
            case "GET", "HEAD" -> send(exchange, 200, "{\"isExpired\":false}");
            case "DELETE" -> {
                String generated = "Gen" + HexFormat.of().formatHex(bytes(6)) + "7";
                synchronized (history) {
                    history.push(generated);
                }
                send(exchange, 200, text(Map.of("NewPassword", generated)));
            }
            default -> setPassword(exchange, history);
        }
    }

    private void setPassword(HttpExchange exchange, Deque<String> history) throws IOException {
        int fault = failNextChange.getAndSet(0);
        if (fault != 0) {
            body(exchange);
            rest(exchange, fault, "SERVER_UNAVAILABLE", "The server is temporarily unavailable");
            return;
        }
        String type = exchange.getRequestHeaders().getFirst("Content-Type");
        JsonNode body = parse(body(exchange));
        if (type == null || !type.startsWith("application/json") || body == null || !body.path("NewPassword").isTextual()
                || body.size() != 1) {
            rest(exchange, 400, "JSON_PARSER_ERROR", "The request body must be {\"NewPassword\": \"...\"}");
            return;
        }
        String next = body.path("NewPassword").asText();
        boolean letters = next.chars().anyMatch(Character::isLetter);
        boolean digits = next.chars().anyMatch(Character::isDigit);
        synchronized (history) {
            if (next.length() < 8 || !letters || !digits || history.stream().limit(3).anyMatch(next::equals)) {
                rest(exchange, 400, "INVALID_NEW_PASSWORD",
                        "Your password must be at least 8 characters long, mix letters and numbers, and not repeat a recent one.");
                return;
            }
            history.push(next);
        }
        send(exchange, 204, null);
    }

    // ---------------------------------------------------------------- shapes

    private static void rest(HttpExchange exchange, int status, String code, String message) throws IOException {
        send(exchange, status, text(List.of(Map.of("message", message, "errorCode", code))));
    }

    private static void oauth(HttpExchange exchange, int status, String error, String description) throws IOException {
        send(exchange, status, text(Map.of("error", error, "error_description", description)));
    }

    private static Map<String, String> form(String body) {
        Map<String, String> out = new HashMap<>();
        for (String pair : body.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            String[] kv = pair.split("=", 2);
            out.put(URLDecoder.decode(kv[0], StandardCharsets.UTF_8), kv.length > 1 ? URLDecoder.decode(kv[1], StandardCharsets.UTF_8) : "");
        }
        return out;
    }

    private static String hmac(String key, String data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return Base64.getEncoder().encodeToString(mac.doFinal(data.getBytes(StandardCharsets.UTF_8)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] bytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }
}
