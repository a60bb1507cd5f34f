package io.rotor.connector.rackspace;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import io.rotor.connector.https.SpecHttpsServer;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Rackspace Cloud Identity v2.0 as its published API describes it (docs/architecture.md, "Cloud targets over HTTPS"), nothing more:
 * {@code POST /v2.0/tokens} (password or API key), {@code POST /v2.0/users/{id}} with {@code OS-KSADM:password}
 * (user-admins of the user's domain only; the rule of 8 characters with upper, lower and digit; revokes the user's
 * tokens), the API-key reset and its recovery read, plus {@code GET /v2.0/users?name=} (OpenStack Identity v2.0
 * "get user by name", which Rackspace implements; the connector needs a user's id). Calls carry an
 * {@code X-Auth-Token} this server issued and that has not expired. Errors are one member named after the fault.
 * It keeps every user's password and API key; {@link #logsIn} is the login the tests check with.
 */
public final class RackspaceTestServer extends SpecHttpsServer {
    private static final Pattern USER = Pattern.compile("^/v2\\.0/users/([^/]+)$");
    private static final Pattern KEY = Pattern.compile("^/v2\\.0/users/([^/]+)/OS-KSADM/credentials/RAX-KSKEY:apiKeyCredentials$");
    private static final Pattern RESET = Pattern.compile(
            "^/v2\\.0/users/([^/]+)/OS-KSADM/credentials/RAX-KSKEY:apiKeyCredentials/RAX-AUTH/reset$");
    private static final SecureRandom RANDOM = new SecureRandom();

    /** One user: the admin flag is the role identity:user-admin, otherwise identity:default. */
    static final class User {
        final String id;
        final String username;
        final String domain;
        final boolean admin;
        volatile String password;
        volatile String apiKey;
        volatile boolean enabled = true;

        User(String id, String username, String domain, boolean admin, String password, String apiKey) {
            this.id = id;
            this.username = username;
            this.domain = domain;
            this.admin = admin;
            this.password = password;
            this.apiKey = apiKey;
        }
    }

    private record Token(String userId, Instant expires) {
    }

    private final Map<String, User> users = new ConcurrentHashMap<>();
    private final Map<String, Token> tokens = new ConcurrentHashMap<>();
    /** Token lifetime; a test shortens it. */
    public volatile Duration tokenLifetime = Duration.ofHours(24);
    /** User names whose login asks for a second factor after the first one passed. */
    public final java.util.Set<String> multiFactor = ConcurrentHashMap.newKeySet();
    /** When non-zero, the next password change is answered with this status and not applied (a service fault). */
    public final java.util.concurrent.atomic.AtomicInteger failNextChange = new java.util.concurrent.atomic.AtomicInteger();
    /** Every request line (method and path) that was authenticated by a token. */
    public final List<String> calls = new CopyOnWriteArrayList<>();

    public RackspaceTestServer() throws IOException {
    }

    public User addUser(String username, String domain, boolean admin, String password, String apiKey) {
        User user = new User(String.valueOf(10_000_000 + RANDOM.nextInt(80_000_000)), username, domain, admin, password, apiKey);
        users.put(user.id, user);
        return user;
    }

    public User user(String username) {
        return users.values().stream().filter(u -> u.username.equals(username)).findFirst().orElse(null);
    }

    public void removeUsers(String prefix) {
        users.values().removeIf(u -> u.username.startsWith(prefix));
    }

    /** The login check with a password. */
    public boolean logsIn(String username, String password) {
        User user = user(username);
        return user != null && user.enabled && password.equals(user.password);
    }

    @Override
    protected void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getRawPath();
        String method = exchange.getRequestMethod();
        if (path.equals("/v2.0/tokens")) {
            if (!method.equals("POST")) {
                fault(exchange, 405, "badMethod", "Method not allowed");
                return;
            }
            tokens(exchange);
            return;
        }
        Matcher m;
        if (path.equals("/v2.0/users")) {
            only(exchange, "GET", () -> byName(exchange));
        } else if ((m = USER.matcher(path)).matches()) {
            String id = m.group(1);
            only(exchange, "POST", () -> setPassword(exchange, id));
        } else if ((m = RESET.matcher(path)).matches()) {
            String id = m.group(1);
            only(exchange, "POST", () -> resetKey(exchange, id));
        } else if ((m = KEY.matcher(path)).matches()) {
            String id = m.group(1);
            only(exchange, "GET", () -> readKey(exchange, id));
        } else {
            fault(exchange, 404, "itemNotFound", "Resource not found");
        }
    }

    private interface Call {
        void run() throws IOException;
    }

    private void only(HttpExchange exchange, String method, Call call) throws IOException {
        if (!exchange.getRequestMethod().equals(method)) {
            fault(exchange, 405, "badMethod", "Method not allowed");
            return;
        }
        call.run();
    }

    // ---------------------------------------------------------------- tokens

    private void tokens(HttpExchange exchange) throws IOException {
        JsonNode body = parse(body(exchange));
        JsonNode auth = body == null ? null : body.path("auth");
        if (auth == null || !auth.isObject() || (auth.has("tenantId") && auth.has("tenantName"))) {
            fault(exchange, 400, "badRequest", "Invalid request body");
            return;
        }
        JsonNode byPassword = auth.path("passwordCredentials");
        JsonNode byKey = auth.path("RAX-KSKEY:apiKeyCredentials");
        if (byPassword.isObject() == byKey.isObject()) {
            fault(exchange, 400, "badRequest", "Invalid request body: one credential is required");
            return;
        }
        JsonNode credential = byPassword.isObject() ? byPassword : byKey;
        String secretField = byPassword.isObject() ? "password" : "apiKey";
        if (!credential.path("username").isTextual() || !credential.path(secretField).isTextual()) {
            fault(exchange, 400, "badRequest", "username and " + secretField + " are required");
            return;
        }
        User user = user(credential.path("username").asText());
        String given = credential.path(secretField).asText();
        String expected = user == null ? null : byPassword.isObject() ? user.password : user.apiKey;
        if (expected == null || !expected.equals(given)) {
            fault(exchange, 401, "unauthorized", "Unable to authenticate user with credentials provided.");
            return;
        }
        if (!user.enabled) {
            fault(exchange, 403, "forbidden", "User '" + user.username + "' is disabled.");
            return;
        }
        if (byPassword.isObject() && multiFactor.contains(user.username)) {
            exchange.getResponseHeaders().set("WWW-Authenticate", "OS-MF sessionId='" + HexFormat.of().formatHex(bytes(8)) + "', factor='PASSCODE'");
            fault(exchange, 401, "unauthorized", "Additional authentication credentials required");
            return;
        }
        String id = HexFormat.of().formatHex(bytes(16));
        Instant expires = Instant.now().plus(tokenLifetime);
        tokens.put(id, new Token(user.id, expires));
        Map<String, Object> token = new LinkedHashMap<>();
        token.put("id", id);
        token.put("expires", expires.toString());
        token.put("tenant", Map.of("id", "123456", "name", "123456"));
        token.put("RAX-AUTH:authenticatedBy", List.of(byPassword.isObject() ? "PASSWORD" : "APIKEY"));
        Map<String, Object> who = new LinkedHashMap<>();
        who.put("id", user.id);
        who.put("name", user.username);
        who.put("roles", List.of(Map.of("id", user.admin ? "3" : "2", "name", user.admin ? "identity:user-admin" : "identity:default",
                "description", "role")));
        who.put("RAX-AUTH:defaultRegion", "DFW");
        who.put("RAX-AUTH:domainId", user.domain);
        send(exchange, 200, text(Map.of("access", Map.of("token", token, "serviceCatalog", List.of(), "user", who))));
    }

    /** The caller of a token-authenticated request, or null after answering 401. */
    private User caller(HttpExchange exchange) throws IOException {
        String id = exchange.getRequestHeaders().getFirst("X-Auth-Token");
        Token token = id == null ? null : tokens.get(id);
        User user = token == null ? null : users.get(token.userId());
        if (token == null || user == null || Instant.now().isAfter(token.expires())) {
            fault(exchange, 401, "unauthorized", "No valid token provided. Please use the 'X-Auth-Token' header with a valid token.");
            return null;
        }
        calls.add(exchange.getRequestMethod() + " " + exchange.getRequestURI().getRawPath());
        return user;
    }

    /** An admin of {@code target}'s domain managing a default user, or the user itself when {@code self} is allowed. */
    private static boolean mayManage(User caller, User target, boolean self) {
        return (self && caller.id.equals(target.id)) || (caller.admin && !target.admin && caller.domain.equals(target.domain));
    }

    // ---------------------------------------------------------------- users

    private void byName(HttpExchange exchange) throws IOException {
        User caller = caller(exchange);
        if (caller == null) {
            return;
        }
        String query = exchange.getRequestURI().getRawQuery();
        if (query == null || !query.startsWith("name=") || query.contains("&")) {
            fault(exchange, 400, "badRequest", "this server answers GET /v2.0/users?name= only");
            return;
        }
        User user = user(URLDecoder.decode(query.substring(5), StandardCharsets.UTF_8));
        if (user == null || !(caller.id.equals(user.id) || (caller.admin && caller.domain.equals(user.domain)))) {
            fault(exchange, 404, "itemNotFound", "User not found");
            return;
        }
        send(exchange, 200, text(Map.of("user", describe(user))));
    }

    private void setPassword(HttpExchange exchange, String id) throws IOException {
        User caller = caller(exchange);
        if (caller == null) {
            return;
        }
        User user = users.get(id);
        if (user == null) {
            fault(exchange, 404, "itemNotFound", "User " + id + " not found");
            return;
        }
        if (!mayManage(caller, user, false)) {
            fault(exchange, 403, "forbidden", "Not Authorized");
            return;
        }
        JsonNode body = parse(body(exchange));
        JsonNode password = body == null ? null : body.path("user").path("OS-KSADM:password");
        if (password == null || !password.isTextual()) {
            fault(exchange, 400, "badRequest", "Invalid json request body");
            return;
        }
        String next = password.asText();
        int fault = failNextChange.getAndSet(0);
        if (fault != 0) {
            fault(exchange, fault, "serviceUnavailable", "Service Unavailable");
            return;
        }
        if (next.length() < 8 || next.chars().noneMatch(Character::isUpperCase) || next.chars().noneMatch(Character::isLowerCase)
                || next.chars().noneMatch(Character::isDigit)) {
            fault(exchange, 400, "badRequest", "Password must be at least 8 characters in length, must contain at least one"
                    + " uppercase letter, one lowercase letter, and one numeric character.");
            return;
        }
        user.password = next;
        tokens.values().removeIf(t -> t.userId().equals(user.id)); // a password change revokes the user's tokens
        send(exchange, 200, text(Map.of("user", describe(user))));
    }

    private void resetKey(HttpExchange exchange, String id) throws IOException {
        User caller = caller(exchange);
        if (caller == null) {
            return;
        }
        User user = users.get(id);
        if (user == null) {
            fault(exchange, 404, "itemNotFound", "User " + id + " not found");
            return;
        }
        if (!mayManage(caller, user, true)) {
            fault(exchange, 403, "forbidden", "Not Authorized");
            return;
        }
        user.apiKey = HexFormat.of().formatHex(bytes(16));
        send(exchange, 200, text(Map.of("RAX-KSKEY:apiKeyCredentials", Map.of("username", user.username, "apiKey", user.apiKey))));
    }

    private void readKey(HttpExchange exchange, String id) throws IOException {
        User caller = caller(exchange);
        if (caller == null) {
            return;
        }
        User user = users.get(id);
        if (user == null || !mayManage(caller, user, true)) {
            fault(exchange, user == null ? 404 : 403, user == null ? "itemNotFound" : "forbidden", user == null ? "User not found" : "Not Authorized");
            return;
        }
        send(exchange, 200, text(Map.of("RAX-KSKEY:apiKeyCredentials", Map.of("username", user.username, "apiKey", user.apiKey))));
    }

    private static Map<String, Object> describe(User user) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", user.id);
        out.put("username", user.username);
        out.put("email", user.username + "@example.com");
        out.put("enabled", user.enabled);
        out.put("RAX-AUTH:defaultRegion", "DFW");
        out.put("RAX-AUTH:domainId", user.domain);
        return out;
    }

    private static void fault(HttpExchange exchange, int status, String name, String message) throws IOException {
        send(exchange, status, text(Map.of(name, Map.of("code", status, "message", message))));
    }

    private static byte[] bytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }
}
