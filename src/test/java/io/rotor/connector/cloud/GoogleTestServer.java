package io.rotor.connector.cloud;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A local stand-in for Google Workspace, driven by Google's published Admin SDK Directory API
 * discovery document (docs/architecture.md, "Confirmed verification"): the OAuth token endpoint's JWT bearer grant ({@code POST /token}: the assertion's
 * RS256 signature is checked against the service account's public key, and {@code kid}, {@code iss}, {@code aud},
 * {@code iat}/{@code exp}, {@code sub} and the domain-wide delegation of {@code scope} are checked) and the Directory
 * API's {@code GET}, {@code PUT} and {@code PATCH /admin/directory/v1/users/{userKey}} (token it issued, scope,
 * administrator, password rules, {@code hashFunction}). Anything else is 404, another method on a known path 405,
 * in Google's error shape. It keeps every user's password, so {@link #logsIn} plays the sign-in a test needs.
 */
final class GoogleTestServer extends SpecServer {
    static final String USER_SCOPE = "https://www.googleapis.com/auth/admin.directory.user";
    static final String READONLY_SCOPE = USER_SCOPE + ".readonly";
    private static final Pattern USER = Pattern.compile("^/admin/directory/v1/users/([^/]+)$");
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Map<String, ServiceAccount> serviceAccounts = new ConcurrentHashMap<>();
    private final Set<String> admins = ConcurrentHashMap.newKeySet();
    private final Map<String, User> users = new ConcurrentHashMap<>();
    private final Map<String, Issued> tokens = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong(100000000000000000L);
    /** The next update answers 503 without applying anything. */
    volatile boolean failNextUpdate;

    private record ServiceAccount(String email, String keyId, String clientId, PublicKey publicKey, Set<String> delegated) {
    }

    private record Issued(String subject, Set<String> scopes, Instant expires) {
    }

    private static final class User {
        final String id;
        final String email;
        volatile String password;
        volatile String hashFunction;
        volatile boolean suspended;
        volatile boolean changePasswordAtNextLogin;
        volatile String etag = etag();
        volatile int changes;

        User(String id, String email, String password) {
            this.id = id;
            this.email = email;
            this.password = password;
        }
    }

    GoogleTestServer(Path dir) throws Exception {
        super(dir);
    }

    String tokenUri() {
        return base() + "/token";
    }

    /**
     * A service account with a fresh RSA key pair, delegated {@code scopes}; returns its JSON key file as Google
     * issues it (the server keeps only the public key).
     */
    String addServiceAccount(String email, Set<String> scopes) throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        KeyPair pair = generator.generateKeyPair();
        String keyId = HexFormat.of().formatHex(random(20));
        String clientId = String.valueOf(ids.incrementAndGet());
        serviceAccounts.put(email, new ServiceAccount(email, keyId, clientId, pair.getPublic(), Set.copyOf(scopes)));
        Map<String, Object> key = new LinkedHashMap<>();
        key.put("type", "service_account");
        key.put("project_id", "rotor-test");
        key.put("private_key_id", keyId);
        key.put("private_key", "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(pair.getPrivate().getEncoded()) + "\n-----END PRIVATE KEY-----\n");
        key.put("client_email", email);
        key.put("client_id", clientId);
        key.put("auth_uri", "https://accounts.google.com/o/oauth2/auth");
        key.put("token_uri", tokenUri());
        key.put("universe_domain", "googleapis.com");
        return JSON.writeValueAsString(key);
    }

    void addAdmin(String email) {
        admins.add(email.toLowerCase());
    }

    String addUser(String email, String password) {
        User user = new User(String.valueOf(ids.incrementAndGet()), email, password);
        users.put(email.toLowerCase(), user);
        users.put(user.id, user);
        return email;
    }

    void suspend(String email) {
        user(email).suspended = true;
    }

    /** The sign-in a person would make: true when {@code password} is the user's password now. */
    boolean logsIn(String email, String password) {
        User user = user(email);
        if (user == null || user.suspended) {
            return false;
        }
        return user.hashFunction == null ? user.password.equals(password) : user.password.equalsIgnoreCase(sha1(password));
    }

    String passwordState(String email) {
        User user = user(email);
        return user == null ? null : String.valueOf(user.changes);
    }

    String hashFunctionOf(String email) {
        return user(email).hashFunction;
    }

    private User user(String key) {
        return key == null ? null : users.get(key.toLowerCase());
    }

    @Override
    void handle(HttpExchange exchange, byte[] body) throws IOException {
        String path = exchange.getRequestURI().getRawPath();
        if (path.equals("/token")) {
            if (!exchange.getRequestMethod().equals("POST")) {
                googleError(exchange, 405, "methodNotAllowed", "Method Not Allowed");
                return;
            }
            token(exchange, body);
            return;
        }
        Matcher user = USER.matcher(path);
        if (user.matches()) {
            String key = java.net.URLDecoder.decode(user.group(1), StandardCharsets.UTF_8);
            switch (exchange.getRequestMethod()) {
                case "GET" -> getUser(exchange, key);
                case "PUT", "PATCH" -> updateUser(exchange, key, body);
                default -> googleError(exchange, 405, "methodNotAllowed", "Method Not Allowed");
            }
            return;
        }
        googleError(exchange, 404, "notFound", "Not Found");
    }

    // ---------------------------------------------------------------- token endpoint

    private void token(HttpExchange exchange, byte[] body) throws IOException {
        Map<String, String> form = form(exchange, body);
        if (form == null || !"urn:ietf:params:oauth:grant-type:jwt-bearer".equals(form.get("grant_type"))) {
            oauthError(exchange, 400, "unsupported_grant_type", "Invalid grant_type: " + (form == null ? "" : form.get("grant_type")));
            return;
        }
        String assertion = form.get("assertion");
        String[] parts = assertion == null ? new String[0] : assertion.split("\\.", -1);
        if (parts.length != 3) {
            oauthError(exchange, 400, "invalid_request", "Invalid JWT: malformed assertion");
            return;
        }
        JsonNode header = json(decode(parts[0]));
        JsonNode claims = json(decode(parts[1]));
        if (header == null || claims == null || !"RS256".equals(header.path("alg").asText())) {
            oauthError(exchange, 400, "invalid_grant", "Invalid JWT: header or claims unreadable, or alg is not RS256");
            return;
        }
        ServiceAccount account = serviceAccounts.get(claims.path("iss").asText());
        if (account == null || !account.keyId().equals(header.path("kid").asText())) {
            oauthError(exchange, 400, "invalid_grant", "Invalid JWT Signature.");
            return;
        }
        try {
            Signature rs256 = Signature.getInstance("SHA256withRSA");
            rs256.initVerify(account.publicKey());
            rs256.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
            if (!rs256.verify(Base64.getUrlDecoder().decode(parts[2]))) {
                oauthError(exchange, 400, "invalid_grant", "Invalid JWT Signature.");
                return;
            }
        } catch (Exception e) {
            oauthError(exchange, 400, "invalid_grant", "Invalid JWT Signature.");
            return;
        }
        if (!"https://oauth2.googleapis.com/token".equals(claims.path("aud").asText())) {
            oauthError(exchange, 400, "invalid_grant", "Invalid JWT: audience does not match the token endpoint.");
            return;
        }
        long now = Instant.now().getEpochSecond();
        long iat = claims.path("iat").asLong(-1);
        long exp = claims.path("exp").asLong(-1);
        if (iat < 0 || exp < 0 || exp - iat > 3600 || exp <= iat || iat > now + 300 || exp < now) {
            oauthError(exchange, 400, "invalid_grant", "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.");
            return;
        }
        String subject = claims.path("sub").asText("");
        if (!admins.contains(subject.toLowerCase())) {
            oauthError(exchange, 400, "invalid_grant", "Invalid email or User ID");
            return;
        }
        Set<String> scopes = Set.of(claims.path("scope").asText("").trim().split("\\s+"));
        if (scopes.isEmpty() || !account.delegated().containsAll(scopes)) {
            oauthError(exchange, 401, "unauthorized_client", "Client is unauthorized to retrieve access tokens using this"
                    + " method, or client not authorized for any of the scopes requested.");
            return;
        }
        String issued = "ya29." + Base64.getUrlEncoder().withoutPadding().encodeToString(random(32));
        tokens.put(issued, new Issued(subject, scopes, Instant.now().plusSeconds(3599)));
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("access_token", issued);
        answer.put("expires_in", 3599);
        answer.put("token_type", "Bearer");
        reply(exchange, 200, answer);
    }

    private static void oauthError(HttpExchange exchange, int status, String error, String description) throws IOException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", error);
        body.put("error_description", description);
        reply(exchange, status, body);
    }

    // ---------------------------------------------------------------- Directory API

    /** The token's grant, or null after answering 401/403. */
    private Issued caller(HttpExchange exchange, boolean write) throws IOException {
        String bearer = bearer(exchange);
        Issued issued = bearer == null ? null : tokens.get(bearer);
        if (issued == null || issued.expires().isBefore(Instant.now())) {
            googleError(exchange, 401, "authError", "Request had invalid authentication credentials. Expected OAuth 2 access"
                    + " token, login cookie or other valid authentication credential.");
            return null;
        }
        boolean allowed = issued.scopes().contains(USER_SCOPE) || (!write && issued.scopes().contains(READONLY_SCOPE));
        if (!allowed) {
            googleError(exchange, 403, "insufficientPermissions", "Request had insufficient authentication scopes.");
            return null;
        }
        return issued;
    }

    private void getUser(HttpExchange exchange, String key) throws IOException {
        if (caller(exchange, false) == null) {
            return;
        }
        User user = user(key);
        if (user == null) {
            googleError(exchange, 404, "notFound", "Resource Not Found: userKey");
            return;
        }
        reply(exchange, 200, resource(user));
    }

    private void updateUser(HttpExchange exchange, String key, byte[] body) throws IOException {
        if (caller(exchange, true) == null) {
            return;
        }
        User user = user(key);
        if (user == null) {
            googleError(exchange, 404, "notFound", "Resource Not Found: userKey");
            return;
        }
        JsonNode request = json(body);
        if (request == null) {
            googleError(exchange, 400, "parseError", "Parse Error");
            return;
        }
        if (failNextUpdate) {
            failNextUpdate = false;
            googleError(exchange, 503, "backendError", "Backend Error");
            return;
        }
        if (request.has("password")) {
            String password = request.path("password").asText("");
            String hash = request.hasNonNull("hashFunction") ? request.get("hashFunction").asText() : null;
            boolean valid = hash == null ? password.matches("^[\\x20-\\x7e]{8,100}$")
                    : hash.equals("SHA-1") ? password.matches("^[0-9a-fA-F]{40}$")
                    : hash.equals("MD5") && password.matches("^[0-9a-fA-F]{32}$");
            if (!valid) {
                googleError(exchange, 400, "invalid", "Invalid Password");
                return;
            }
            user.password = password;
            user.hashFunction = hash;
            user.changes++;
        }
        if (request.has("changePasswordAtNextLogin")) {
            user.changePasswordAtNextLogin = request.get("changePasswordAtNextLogin").asBoolean();
        }
        if (request.has("suspended")) {
            user.suspended = request.get("suspended").asBoolean();
        }
        user.etag = etag();
        reply(exchange, 200, resource(user));
    }

    private static Map<String, Object> resource(User user) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("kind", "admin#directory#user");
        out.put("id", user.id);
        out.put("etag", user.etag);
        out.put("primaryEmail", user.email);
        out.put("isAdmin", false);
        out.put("suspended", user.suspended);
        if (user.suspended) {
            out.put("suspensionReason", "ADMIN");
        }
        out.put("changePasswordAtNextLogin", user.changePasswordAtNextLogin);
        if (user.hashFunction != null) {
            out.put("hashFunction", user.hashFunction);
        }
        return out;
    }

    private static void googleError(HttpExchange exchange, int status, String reason, String message) throws IOException {
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("message", message);
        detail.put("domain", "global");
        detail.put("reason", reason);
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("code", status);
        error.put("message", message);
        error.put("errors", List.of(detail));
        reply(exchange, status, Map.of("error", error));
    }

    private static byte[] decode(String part) {
        try {
            return Base64.getUrlDecoder().decode(part);
        } catch (IllegalArgumentException e) {
            return new byte[0];
        }
    }

    private static String etag() {
        return "\"" + Base64.getUrlEncoder().withoutPadding().encodeToString(random(12)) + "\"";
    }

    private static byte[] random(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

    static String sha1(String password) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(password.getBytes(StandardCharsets.UTF_8)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
