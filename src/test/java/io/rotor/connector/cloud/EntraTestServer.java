package io.rotor.connector.cloud;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;

import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A local stand-in for Microsoft Entra ID, driven by Microsoft Graph's published OpenAPI for users and
 * passwordProfile (docs/architecture.md, "Confirmed verification"): the client-credentials token endpoint ({@code POST /{tenant}/oauth2/v2.0/token},
 * checking tenant, client id, client secret, grant type and scope) and Graph's {@code GET} / {@code PATCH
 * /v1.0/users/{id | userPrincipalName}} (bearer token it issued, the application's permission, password complexity,
 * on-premises-synced users refused, 204 on success, {@code lastPasswordChangeDateTime} moved). Anything else is 404,
 * another method on a known path 405, in the OData error shape. It keeps every user's password, so
 * {@link #logsIn} plays the sign-in a test needs to show the new password works and the old one does not.
 */
final class EntraTestServer extends SpecServer {
    static final String GRAPH_SCOPE = "https://graph.microsoft.com/.default";
    private static final Pattern TOKEN = Pattern.compile("^/([^/]+)/oauth2/v2\\.0/token$");
    private static final Pattern USER = Pattern.compile("^/v1\\.0/users/([^/]+)$");
    private static final Set<String> DEFAULT_SELECT = Set.of("businessPhones", "displayName", "givenName", "id", "jobTitle",
            "mail", "mobilePhone", "officeLocation", "preferredLanguage", "surname", "userPrincipalName");
    private static final SecureRandom RANDOM = new SecureRandom();

    final String tenantId = UUID.randomUUID().toString();
    private final Map<String, App> apps = new ConcurrentHashMap<>();
    private final Map<String, User> users = new ConcurrentHashMap<>();
    private final Map<String, Issued> tokens = new ConcurrentHashMap<>();

    /** A registered application; {@code resetsPasswords}: User.ReadWrite.All consented and User Administrator assigned. */
    private record App(String appId, String secret, boolean resetsPasswords) {
    }

    private record Issued(String appId, Instant expires) {
    }

    private static final class User {
        final String id = UUID.randomUUID().toString();
        final String upn;
        volatile String password;
        volatile Instant lastPasswordChange = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        volatile int changes;
        volatile boolean enabled = true;
        volatile boolean onPremisesSynced;

        User(String upn, String password) {
            this.upn = upn;
            this.password = password;
        }
    }

    EntraTestServer(Path dir) throws Exception {
        super(dir);
    }

    /** Registers an application with this client secret; returns its application (client) id. */
    String addApp(String secret, boolean resetsPasswords) {
        String appId = UUID.randomUUID().toString();
        apps.put(appId, new App(appId, secret, resetsPasswords));
        return appId;
    }

    String addUser(String upn, String password) {
        User user = new User(upn, password);
        users.put(upn.toLowerCase(), user);
        users.put(user.id, user);
        return upn;
    }

    void onPremisesSynced(String upn) {
        user(upn).onPremisesSynced = true;
    }

    String objectId(String upn) {
        return user(upn).id;
    }

    /** The sign-in a person would make: true when {@code password} is the user's password now. */
    boolean logsIn(String upn, String password) {
        User user = user(upn);
        return user != null && user.enabled && user.password.equals(password);
    }

    /** Changes whenever the user's password is set (what the fault proxy watches). */
    String passwordState(String upn) {
        User user = user(upn);
        return user == null ? null : user.changes + "@" + user.lastPasswordChange;
    }

    void removeUsers(String prefix) {
        users.values().removeIf(u -> u.upn.startsWith(prefix));
    }

    private User user(String key) {
        return key == null ? null : users.get(key.toLowerCase());
    }

    @Override
    void handle(HttpExchange exchange, byte[] body) throws IOException {
        String path = exchange.getRequestURI().getRawPath();
        Matcher token = TOKEN.matcher(path);
        if (token.matches()) {
            if (!exchange.getRequestMethod().equals("POST")) {
                tokenError(exchange, 405, "invalid_request", "AADSTS900561", "The endpoint only accepts POST requests.");
                return;
            }
            token(exchange, token.group(1), body);
            return;
        }
        Matcher user = USER.matcher(path);
        if (user.matches()) {
            String key = java.net.URLDecoder.decode(user.group(1), java.nio.charset.StandardCharsets.UTF_8);
            switch (exchange.getRequestMethod()) {
                case "GET" -> getUser(exchange, key);
                case "PATCH" -> patchUser(exchange, key, body);
                default -> odata(exchange, 405, "Request_BadRequest", "Specified HTTP method is not allowed for the request target.");
            }
            return;
        }
        odata(exchange, 404, "Request_ResourceNotFound", "Resource not found for the segment '" + path + "'.");
    }

    // ---------------------------------------------------------------- token endpoint

    private void token(HttpExchange exchange, String tenant, byte[] body) throws IOException {
        Map<String, String> form = form(exchange, body);
        if (form == null) {
            tokenError(exchange, 400, "invalid_request", "AADSTS900144", "The request body must contain the following parameter: 'grant_type'.");
            return;
        }
        if (!tenant.equalsIgnoreCase(tenantId)) {
            tokenError(exchange, 400, "invalid_request", "AADSTS90002", "Tenant '" + tenant + "' not found.");
            return;
        }
        if (!"client_credentials".equals(form.get("grant_type"))) {
            tokenError(exchange, 400, "unsupported_grant_type", "AADSTS70003", "The app requested an unsupported grant type.");
            return;
        }
        for (String field : List.of("client_id", "client_secret", "scope")) {
            if (form.get(field) == null || form.get(field).isEmpty()) {
                tokenError(exchange, 400, "invalid_request", "AADSTS900144", "The request body must contain the following parameter: '" + field + "'.");
                return;
            }
        }
        if (!GRAPH_SCOPE.equals(form.get("scope"))) {
            tokenError(exchange, 400, "invalid_scope", "AADSTS1002012", "The provided value for scope is not valid."
                    + " Client credential flows must have a scope value with /.default suffixed to the resource identifier.");
            return;
        }
        App app = apps.get(form.get("client_id"));
        if (app == null) {
            tokenError(exchange, 400, "unauthorized_client", "AADSTS700016", "Application with identifier '"
                    + form.get("client_id") + "' was not found in the directory.");
            return;
        }
        if (!app.secret().equals(form.get("client_secret"))) {
            tokenError(exchange, 401, "invalid_client", "AADSTS7000215", "Invalid client secret provided.");
            return;
        }
        byte[] raw = new byte[32];
        RANDOM.nextBytes(raw);
        String issued = Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
        tokens.put(issued, new Issued(app.appId(), Instant.now().plusSeconds(3599)));
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("token_type", "Bearer");
        answer.put("expires_in", 3599);
        answer.put("ext_expires_in", 3599);
        answer.put("access_token", issued);
        reply(exchange, 200, answer);
    }

    private static void tokenError(HttpExchange exchange, int status, String error, String code, String text) throws IOException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", error);
        body.put("error_description", code + ": " + text + " Trace ID: " + UUID.randomUUID());
        body.put("error_codes", List.of(Integer.parseInt(code.substring(6))));
        body.put("timestamp", Instant.now().toString());
        body.put("trace_id", UUID.randomUUID().toString());
        body.put("correlation_id", UUID.randomUUID().toString());
        reply(exchange, status, body);
    }

    // ---------------------------------------------------------------- Graph

    /** The application the request's token was issued to, or null after answering 401. */
    private App caller(HttpExchange exchange) throws IOException {
        String bearer = bearer(exchange);
        Issued issued = bearer == null ? null : tokens.get(bearer);
        if (issued == null || issued.expires().isBefore(Instant.now())) {
            odata(exchange, 401, "InvalidAuthenticationToken", bearer == null ? "Access token is empty." : "Access token validation failure. Invalid audience.");
            return null;
        }
        return apps.get(issued.appId());
    }

    private void getUser(HttpExchange exchange, String key) throws IOException {
        App app = caller(exchange);
        if (app == null) {
            return;
        }
        User user = user(key);
        if (user == null) {
            odata(exchange, 404, "Request_ResourceNotFound", "Resource '" + key + "' does not exist or one of its queried reference-property objects are not present.");
            return;
        }
        Map<String, Object> all = new LinkedHashMap<>();
        all.put("id", user.id);
        all.put("userPrincipalName", user.upn);
        all.put("displayName", user.upn);
        all.put("accountEnabled", user.enabled);
        all.put("lastPasswordChangeDateTime", user.lastPasswordChange.toString());
        all.put("onPremisesSyncEnabled", user.onPremisesSynced ? Boolean.TRUE : null);
        all.put("passwordPolicies", null);
        Set<String> select = selected(exchange);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("@odata.context", base() + "/v1.0/$metadata#users/$entity");
        all.forEach((k, v) -> {
            if (select == null ? DEFAULT_SELECT.contains(k) : select.contains(k)) {
                answer.put(k, v);
            }
        });
        reply(exchange, 200, answer);
    }

    private static Set<String> selected(HttpExchange exchange) {
        String query = exchange.getRequestURI().getQuery();
        if (query == null) {
            return null;
        }
        for (String part : query.split("&")) {
            if (part.startsWith("$select=")) {
                return Set.of(part.substring(8).split(","));
            }
        }
        return null;
    }

    private void patchUser(HttpExchange exchange, String key, byte[] body) throws IOException {
        App app = caller(exchange);
        if (app == null) {
            return;
        }
        User user = user(key);
        if (user == null) {
            odata(exchange, 404, "Request_ResourceNotFound", "Resource '" + key + "' does not exist or one of its queried reference-property objects are not present.");
            return;
        }
        JsonNode request = json(body);
        if (request == null) {
            odata(exchange, 400, "BadRequest", "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.");
            return;
        }
        JsonNode profile = request.get("passwordProfile");
        if (profile == null || !profile.isObject() || !profile.path("password").isTextual()) {
            odata(exchange, 400, "Request_BadRequest", "Invalid value specified for property 'passwordProfile' of resource 'User'.");
            return;
        }
        if (!app.resetsPasswords()) {
            odata(exchange, 403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.");
            return;
        }
        if (user.onPremisesSynced) {
            odata(exchange, 400, "Request_BadRequest", "Unable to update the specified properties for on-premises mastered Directory Sync objects or objects currently undergoing migration.");
            return;
        }
        String password = profile.get("password").asText();
        if (!complex(password)) {
            odata(exchange, 400, "Request_BadRequest", "The specified password does not comply with password complexity requirements. Please provide a different password.");
            return;
        }
        user.password = password;
        user.lastPasswordChange = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        user.changes++;
        reply(exchange, 204, null);
    }

    /** Entra's default rule: 8 to 256 characters, three of upper, lower, digit and symbol. */
    private static boolean complex(String password) {
        if (password.length() < 8 || password.length() > 256) {
            return false;
        }
        int classes = 0;
        classes += password.chars().anyMatch(Character::isUpperCase) ? 1 : 0;
        classes += password.chars().anyMatch(Character::isLowerCase) ? 1 : 0;
        classes += password.chars().anyMatch(Character::isDigit) ? 1 : 0;
        classes += password.chars().anyMatch(c -> !Character.isLetterOrDigit(c)) ? 1 : 0;
        return classes >= 3;
    }

    private static void odata(HttpExchange exchange, int status, String code, String message) throws IOException {
        Map<String, Object> inner = new LinkedHashMap<>();
        inner.put("date", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        inner.put("request-id", UUID.randomUUID().toString());
        inner.put("client-request-id", UUID.randomUUID().toString());
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("code", code);
        error.put("message", message);
        error.put("innerError", inner);
        reply(exchange, status, Map.of("error", error));
    }

}
