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
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Google Workspace through the Admin SDK Directory API v1 (docs/architecture.md, "Confirmed verification"). The
 * admin account is a service account with domain-wide delegation: its username the service account's
 * {@code client_email}, its secret the JSON key file. Every operation takes a fresh token with the JWT bearer grant
 * (RS256, iss = client_email, sub = setting {@code subject}, the Workspace administrator it acts as, scope = setting
 * {@code scope}, aud = {@value #AUDIENCE}, one hour) and sets the password with
 * {@code PUT /admin/directory/v1/users/{userKey}} ({@code changePasswordAtNextLogin: false}; with
 * {@code hashFunction: SHA-1} the hex SHA-1 digest is sent instead of the clear text).
 *
 * <p>The Directory API has no password check, so verify is {@link VerificationKind#CONFIRMED}: it reads the user's
 * record. That proves the user exists, is not suspended, need not change its password at next login, and (after a
 * change by this connector) whether the record is still the one our update produced (its etag). It proves nothing
 * about which password is set.
 */
final class GoogleWorkspaceConnector implements TargetConnector {
    static final String TYPE = "google-workspace";
    static final String DEFAULT_SCOPE = "https://www.googleapis.com/auth/admin.directory.user";
    /** The JWT's aud: Google's token endpoint, whatever URL the grant is posted to (a proxy, a test server). */
    static final String AUDIENCE = "https://oauth2.googleapis.com/token";
    static final Pattern EMAIL = Pattern.compile("^[A-Za-z0-9._%+'-]{1,64}@[A-Za-z0-9.-]{1,255}$");
    static final Pattern USER_KEY = Pattern.compile("^([A-Za-z0-9._%+'-]{1,64}@[A-Za-z0-9.-]{1,255}|[0-9]{1,30})$");
    private static final Pattern SCOPES = Pattern.compile("^https://www\\.googleapis\\.com/auth/[a-z.]+( https://www\\.googleapis\\.com/auth/[a-z.]+)*$");
    private static final Pattern ASCII_PRINTABLE = Pattern.compile("^[\\x20-\\x7e]{8,100}$");

    private final String subject;
    private final String scope;
    private final URI tokenUri;
    private final URI directory;
    private final String hashFunction;
    private final CloudHttp http;
    /** Per user: the etag of the record our last update produced. */
    private final Map<String, String> etags = new ConcurrentHashMap<>();

    GoogleWorkspaceConnector(Target target) {
        this.subject = target.setting("subject", "").trim();
        if (!EMAIL.matcher(subject).matches()) {
            throw new IllegalArgumentException("target " + target.id() + ": setting subject is required: the email"
                    + " address of the Workspace administrator the service account acts as (domain-wide delegation)");
        }
        this.scope = target.setting("scope", DEFAULT_SCOPE).trim();
        if (!SCOPES.matcher(scope).matches() || !(" " + scope + " ").contains(" " + DEFAULT_SCOPE + " ")) {
            throw new IllegalArgumentException("target " + target.id() + ": setting scope must list " + DEFAULT_SCOPE
                    + " (space-separated https://www.googleapis.com/auth/... scopes)");
        }
        this.tokenUri = CloudHttp.httpsUrl(target, "tokenUri", "https://oauth2.googleapis.com/token");
        this.directory = CloudHttp.httpsUrl(target, "directoryEndpoint", "https://admin.googleapis.com");
        this.hashFunction = target.setting("hashFunction", "none");
        if (!hashFunction.equals("none") && !hashFunction.equals("SHA-1")) {
            throw new IllegalArgumentException("target " + target.id() + ": setting hashFunction must be none or SHA-1");
        }
        this.http = new CloudHttp(target);
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public VerificationKind verificationKind(CredentialType type) {
        return VerificationKind.CONFIRMED;
    }

    @Override
    public VerifyResult verify(VerifyRequest request) {
        String userKey = request.login().username();
        if (!USER_KEY.matcher(userKey).matches()) {
            return VerifyResult.rejected("username must be the user's primary email address or its numeric id");
        }
        if (request.admin() == null) {
            return VerifyResult.unreachable("a user's password cannot be checked without the service account"
                    + " (the Directory API has no password login); configure the target's adminAccount");
        }
        String token;
        try {
            token = token(request.admin());
        } catch (TokenRefused e) {
            return VerifyResult.unreachable("the service account's token request was refused, which says nothing about"
                    + " the account: " + e.getMessage());
        } catch (CloudHttp.Failure e) {
            return VerifyResult.unreachable("token endpoint: " + e.getMessage());
        }
        CloudHttp.Answer answer;
        try {
            answer = http.send(HttpRequest.newBuilder(userUri(userKey)).header("Authorization", "Bearer " + token).GET());
        } catch (CloudHttp.Failure e) {
            return VerifyResult.unreachable("Directory API: " + e.getMessage());
        }
        if (answer.status() == 404) {
            return VerifyResult.rejected("Directory API: no such user (" + error(answer) + ")");
        }
        if (!answer.ok() || answer.body() == null) {
            return VerifyResult.unreachable("Directory API answered " + answer.status() + " reading the user: " + error(answer));
        }
        JsonNode user = answer.body();
        if (user.path("suspended").asBoolean(false)) {
            return VerifyResult.rejected("the user is suspended, so its password does not sign in");
        }
        if (user.path("changePasswordAtNextLogin").asBoolean(false)) {
            return VerifyResult.rejected("the user must change its password at next login");
        }
        String ours = etags.get(userKey.toLowerCase(java.util.Locale.ROOT));
        String etag = CloudHttp.text(user, "etag");
        String since = ours == null ? "" : ours.equals(etag) ? "; the record is the one our last update produced"
                : "; the record was updated after our last update (etag differs)";
        return new VerifyResult(VerifyResult.Outcome.VALID, "confirmed: the user exists, is not suspended and need not"
                + " change its password" + since + " (the Directory API has no password check)");
    }

    @Override
    public ChangeResult change(ChangeRequest request) {
        if (!request.viaAdmin()) {
            return ChangeResult.rejected("google-workspace sets passwords through the service account (the Directory"
                    + " API has no self-service change); configure the target's adminAccount; nothing was sent");
        }
        return setPassword(request.username(), request.newSecret(), request.admin());
    }

    @Override
    public ChangeResult reconcile(ReconcileRequest request) {
        return setPassword(request.username(), request.newSecret(), request.admin());
    }

    private ChangeResult setPassword(String userKey, Secret password, Login admin) {
        if (!USER_KEY.matcher(userKey).matches()) {
            return ChangeResult.rejected("username must be the user's primary email address or its numeric id; nothing was sent");
        }
        if (admin == null) {
            return ChangeResult.rejected("no service account to set the password with; nothing was sent");
        }
        if (!ASCII_PRINTABLE.matcher(password.reveal()).matches()) {
            return ChangeResult.rejected("Google takes 8 to 100 printable ASCII characters as a password; nothing was sent");
        }
        String token;
        try {
            token = token(admin);
        } catch (TokenRefused e) {
            return ChangeResult.loginRefused("the service account's token request was refused: " + e.getMessage());
        } catch (CloudHttp.Failure e) {
            return ChangeResult.rejected("token endpoint: " + e.getMessage() + "; the password was not sent");
        }
        Map<String, Object> body = hashFunction.equals("SHA-1")
                ? CloudHttp.object("password", sha1Hex(password), "hashFunction", "SHA-1", "changePasswordAtNextLogin", false)
                : CloudHttp.object("password", password.reveal(), "changePasswordAtNextLogin", false);
        CloudHttp.Answer answer;
        try {
            answer = http.send(HttpRequest.newBuilder(URI.create(directory + "/admin/directory/v1/users/" + CloudHttp.segment(userKey)))
                    .header("Authorization", "Bearer " + token)
                    .header("Content-Type", "application/json")
                    .PUT(CloudHttp.json(body)));
        } catch (CloudHttp.Failure e) {
            return e.nothingSent ? ChangeResult.rejected("Directory API: " + e.getMessage() + "; nothing was sent")
                    : ChangeResult.unknown("Directory API: " + e.getMessage() + " after the change was sent");
        }
        if (answer.ok()) {
            String etag = CloudHttp.text(answer.body(), "etag");
            if (!etag.isEmpty()) {
                etags.put(userKey.toLowerCase(java.util.Locale.ROOT), etag);
            }
            return ChangeResult.changed();
        }
        String error = error(answer);
        return switch (answer.status()) {
            case 401 -> ChangeResult.loginRefused("the Directory API refused the service account's token: " + error);
            case 400, 403, 404, 409, 412, 429 -> ChangeResult.rejected("Directory API answered " + answer.status() + ": " + error);
            default -> ChangeResult.unknown("Directory API answered " + answer.status() + " to the change: " + error);
        };
    }

    @Override
    public DiscoverResult discover(DiscoverRequest request) {
        throw new UnsupportedOperationException("google-workspace does not discover accounts: users.list is not part"
                + " of the Directory API operations this connector was built and tested against");
    }

    /** The token endpoint refused the assertion: no request was made with a token. */
    private static final class TokenRefused extends Exception {
        TokenRefused(String message) {
            super(message);
        }
    }

    private String token(Login serviceAccount) throws TokenRefused, CloudHttp.Failure {
        ServiceAccountKey key;
        try {
            key = ServiceAccountKey.parse(serviceAccount.secret());
        } catch (IllegalArgumentException e) {
            throw new TokenRefused("admin account: " + e.getMessage());
        }
        if (!key.clientEmail().equalsIgnoreCase(serviceAccount.username())) {
            throw new TokenRefused("the admin account's username must be the key file's client_email");
        }
        String assertion = key.assertion(subject, scope, AUDIENCE, Instant.now());
        CloudHttp.Answer answer = http.send(HttpRequest.newBuilder(tokenUri)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(CloudHttp.form(Map.of("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion", assertion))));
        if (answer.status() == 200 && !CloudHttp.text(answer.body(), "access_token").isEmpty()) {
            return answer.body().get("access_token").asText();
        }
        String reason = "token endpoint answered " + answer.status() + " " + CloudHttp.text(answer.body(), "error")
                + ": " + CloudHttp.text(answer.body(), "error_description");
        if (answer.status() == 400 || answer.status() == 401) {
            throw new TokenRefused(reason);
        }
        throw new CloudHttp.Failure(reason, true);
    }

    private URI userUri(String userKey) {
        return URI.create(directory + "/admin/directory/v1/users/" + CloudHttp.segment(userKey) + "?projection=basic");
    }

    private static String sha1Hex(Secret password) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(password.reveal().getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is missing from this JVM", e);
        }
    }

    private static String error(CloudHttp.Answer answer) {
        String message = CloudHttp.text(answer.body(), "error", "message");
        JsonNode errors = answer.body() == null ? null : answer.body().path("error").path("errors");
        String reason = errors != null && errors.isArray() && errors.size() > 0 ? CloudHttp.text(errors.get(0), "reason") : "";
        return message.isEmpty() && reason.isEmpty() ? "no error body" : (reason.isEmpty() ? "" : reason + ": ") + message;
    }

    @Override
    public void close() {
        http.close();
    }
}
