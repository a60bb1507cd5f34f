package io.rotor.connector.cloud;

import com.fasterxml.jackson.databind.JsonNode;
import io.rotor.connector.ChangeRequest;
import io.rotor.connector.ChangeResult;
import io.rotor.connector.DiscoverRequest;
import io.rotor.connector.DiscoverResult;
import io.rotor.connector.Login;
import io.rotor.connector.ReconcileRequest;
import io.rotor.connector.TargetConnector;
import io.rotor.connector.VerificationKind;
import io.rotor.connector.VerifyRequest;
import io.rotor.connector.VerifyResult;
import io.rotor.domain.CredentialType;
import io.rotor.domain.Secret;
import io.rotor.domain.Target;

import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Microsoft Entra ID through Microsoft Graph v1.0 (docs/architecture.md, "Confirmed verification"; the README's
 * targets table). The admin account is the registered application: its username the application (client) id, its
 * secret the client secret. Every operation takes a fresh client-credentials token from
 * {@code {loginEndpoint}/{tenantId}/oauth2/v2.0/token} with the configured {@code scope}.
 *
 * <ul>
 *   <li>PASSWORD accounts (username: the user's object id or userPrincipalName) are set with
 *       {@code PATCH /users/{id}} and {@code passwordProfile} ({@code forceChangePasswordNextSignIn: false}). Graph has
 *       no password login, so verify is {@link VerificationKind#CONFIRMED}: it reads the user through the application
 *       and, after a change made by this connector, requires {@code lastPasswordChangeDateTime} to be no earlier than
 *       a few seconds before the server's answer to that change. It proves that the user exists, is enabled and had
 *       its password set then; it cannot prove which password.</li>
 * </ul>
 */
final class EntraIdConnector implements TargetConnector {
    static final String TYPE = "entra-id";
    static final Pattern GUID = Pattern.compile("^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$");
    static final Pattern USER = Pattern.compile("^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
            + "|[A-Za-z0-9.'_!#^~-]{1,113}@[A-Za-z0-9.-]{1,255})$");
    static final Pattern SCOPE = Pattern.compile("^https://[A-Za-z0-9.-]+(:[0-9]+)?/\\.default$");
    /** How far before the server's answer to our change its lastPasswordChangeDateTime may lie (processing time). */
    private static final long CONFIRM_WINDOW_SECONDS = 5;

    private final Target target;
    private final String tenantId;
    private final String scope;
    private final URI tokenUri;
    private final URI graph;
    private final CloudHttp http;
    /** Per user: the server's Date of its answer to the last change this connector made (for the confirmation). */
    private final Map<String, Instant> changedAt = new ConcurrentHashMap<>();

    EntraIdConnector(Target target) {
        this.target = target;
        this.tenantId = required("tenantId");
        if (!GUID.matcher(tenantId).matches()) {
            throw new IllegalArgumentException("target " + target.id() + ": setting tenantId must be the tenant's GUID"
                    + " (8-4-4-4-12 hexadecimal digits), e.g. 72f988bf-86f1-41af-91ab-2d7cd011db47");
        }
        this.scope = required("scope");
        if (!SCOPE.matcher(scope).matches()) {
            throw new IllegalArgumentException("target " + target.id() + ": setting scope must be a resource's"
                    + " .default scope, https://graph.microsoft.com/.default for Microsoft Graph");
        }
        URI login = CloudHttp.httpsUrl(target, "loginEndpoint", "https://login.microsoftonline.com");
        this.tokenUri = URI.create(login + "/" + tenantId + "/oauth2/v2.0/token");
        this.graph = CloudHttp.httpsUrl(target, "graphEndpoint", "https://graph.microsoft.com/v1.0");
        this.http = new CloudHttp(target);
    }

    private String required(String key) {
        String value = target.setting(key, null);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("target " + target.id() + ": setting " + key + " is required");
        }
        return value.trim();
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public VerificationKind verificationKind(CredentialType type) {
        return VerificationKind.CONFIRMED;
    }

    // ---------------------------------------------------------------- verify

    @Override
    public VerifyResult verify(VerifyRequest request) {
        String username = request.login().username();
        if (!GUID.matcher(username).matches() && !USER.matcher(username).matches()) {
            return VerifyResult.rejected("username must be an object id (GUID) or a userPrincipalName");
        }
        if (request.admin() == null) {
            return VerifyResult.unreachable("a user's password cannot be checked without the admin application"
                    + " (Graph has no password login); configure the target's adminAccount");
        }
        String token;
        try {
            token = token(request.admin());
        } catch (TokenRefused e) {
            return VerifyResult.unreachable("the admin application's token request was refused, which says nothing about"
                    + " the account: " + e.getMessage());
        } catch (CloudHttp.Failure e) {
            return VerifyResult.unreachable("token endpoint: " + e.getMessage());
        }
        CloudHttp.Answer answer;
        try {
            answer = http.send(HttpRequest.newBuilder(URI.create(graph + "/users/" + CloudHttp.segment(username)
                    + "?$select=id,accountEnabled,lastPasswordChangeDateTime,onPremisesSyncEnabled"))
                    .header("Authorization", "Bearer " + token).GET());
        } catch (CloudHttp.Failure e) {
            return VerifyResult.unreachable("Graph: " + e.getMessage());
        }
        if (answer.status() == 404) {
            return VerifyResult.rejected("Graph: no such user (" + odataError(answer) + ")");
        }
        if (!answer.ok()) {
            return VerifyResult.unreachable("Graph answered " + answer.status() + " reading the user: " + odataError(answer));
        }
        JsonNode user = answer.body();
        if (user == null || !user.path("accountEnabled").asBoolean(true)) {
            return VerifyResult.rejected("the user is disabled (accountEnabled false)");
        }
        String last = CloudHttp.text(user, "lastPasswordChangeDateTime");
        Instant ours = changedAt.get(username.toLowerCase(java.util.Locale.ROOT));
        if (ours != null) {
            Instant changed = parseInstant(last);
            if (changed == null || changed.isBefore(ours.minusSeconds(CONFIRM_WINDOW_SECONDS))) {
                return VerifyResult.rejected("lastPasswordChangeDateTime (" + last + ") is older than this connector's"
                        + " last change, so the change is not confirmed");
            }
            return new VerifyResult(VerifyResult.Outcome.VALID, "confirmed: the user is enabled and lastPasswordChangeDateTime "
                    + last + " matches the change (Graph has no password check)");
        }
        return new VerifyResult(VerifyResult.Outcome.VALID, "confirmed: the user exists and is enabled, password last set "
                + last + " (Graph has no password check)");
    }

    // ---------------------------------------------------------------- change

    @Override
    public ChangeResult change(ChangeRequest request) {
        if (!request.viaAdmin()) {
            return ChangeResult.rejected("entra-id sets passwords through the admin application (Graph offers no"
                    + " app-only self-service change); configure the target's adminAccount; nothing was sent");
        }
        return setPassword(request.username(), request.newSecret(), request.admin());
    }

    @Override
    public ChangeResult reconcile(ReconcileRequest request) {
        return setPassword(request.username(), request.newSecret(), request.admin());
    }

    private ChangeResult setPassword(String username, Secret password, Login admin) {
        if (!USER.matcher(username).matches()) {
            return ChangeResult.rejected("username must be an object id (GUID) or a userPrincipalName; nothing was sent");
        }
        if (admin == null) {
            return ChangeResult.rejected("no admin application to set the password with; nothing was sent");
        }
        String token;
        try {
            token = token(admin);
        } catch (TokenRefused e) {
            return ChangeResult.loginRefused("the admin application's token request was refused: " + e.getMessage());
        } catch (CloudHttp.Failure e) {
            return ChangeResult.rejected("token endpoint: " + e.getMessage() + "; the password was not sent");
        }
        CloudHttp.Answer answer;
        try {
            answer = http.send(HttpRequest.newBuilder(URI.create(graph + "/users/" + CloudHttp.segment(username)))
                    .header("Authorization", "Bearer " + token)
                    .header("Content-Type", "application/json")
                    .method("PATCH", CloudHttp.json(CloudHttp.object("passwordProfile", CloudHttp.object(
                            "password", password.reveal(), "forceChangePasswordNextSignIn", false)))));
        } catch (CloudHttp.Failure e) {
            return e.nothingSent ? ChangeResult.rejected("Graph: " + e.getMessage() + "; nothing was sent")
                    : ChangeResult.unknown("Graph: " + e.getMessage() + " after the change was sent");
        }
        if (answer.ok()) {
            Instant at = answer.date() == null ? null : parseHttpDate(answer.date());
            if (at != null) {
                changedAt.put(username.toLowerCase(java.util.Locale.ROOT), at);
            }
            return ChangeResult.changed();
        }
        String error = odataError(answer);
        return switch (answer.status()) {
            case 401 -> ChangeResult.loginRefused("Graph refused the admin application's token: " + error);
            case 400, 403, 404, 409, 429 -> ChangeResult.rejected("Graph answered " + answer.status() + ": " + error);
            default -> ChangeResult.unknown("Graph answered " + answer.status() + " to the change: " + error);
        };
    }

    // ---------------------------------------------------------------- discover

    @Override
    public DiscoverResult discover(DiscoverRequest request) {
        throw new UnsupportedOperationException("entra-id does not discover accounts: listing users is not part of the"
                + " Graph operations this connector was built and tested against");
    }

    // ---------------------------------------------------------------- token

    /** The token endpoint refused the client's credentials (or the scope): no request was made with them. */
    private static final class TokenRefused extends Exception {
        TokenRefused(String message) {
            super(message);
        }
    }

    private String token(Login client) throws TokenRefused, CloudHttp.Failure {
        if (!GUID.matcher(client.username()).matches()) {
            throw new TokenRefused("the admin account's username must be the application (client) id, a GUID");
        }
        CloudHttp.Answer answer = http.send(HttpRequest.newBuilder(tokenUri)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(CloudHttp.form(Map.of("client_id", client.username(), "client_secret", client.secret().reveal(),
                        "scope", scope, "grant_type", "client_credentials"))));
        if (answer.status() == 200 && !CloudHttp.text(answer.body(), "access_token").isEmpty()) {
            return answer.body().get("access_token").asText();
        }
        String error = CloudHttp.text(answer.body(), "error");
        String description = CloudHttp.text(answer.body(), "error_description");
        String code = description.startsWith("AADSTS") ? description.split(":", 2)[0] : "";
        String reason = "token endpoint answered " + answer.status() + (error.isEmpty() ? "" : " " + error)
                + (code.isEmpty() ? "" : " (" + code + ")");
        if (answer.status() == 400 || answer.status() == 401) {
            throw new TokenRefused(reason);
        }
        throw new CloudHttp.Failure(reason, true);
    }

    private static String odataError(CloudHttp.Answer answer) {
        String code = CloudHttp.text(answer.body(), "error", "code");
        String message = CloudHttp.text(answer.body(), "error", "message");
        return code.isEmpty() && message.isEmpty() ? "no error body" : code + (message.isEmpty() ? "" : ": " + message);
    }

    private static Instant parseInstant(String value) {
        try {
            return value == null || value.isEmpty() ? null : Instant.parse(value);
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static Instant parseHttpDate(String value) {
        try {
            return ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        } catch (RuntimeException e) {
            return null;
        }
    }

    @Override
    public void close() {
        http.close();
    }
}
