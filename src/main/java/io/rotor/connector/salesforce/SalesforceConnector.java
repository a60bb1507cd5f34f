package io.rotor.connector.salesforce;

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
import io.rotor.connector.https.HttpsCaller;
import io.rotor.connector.https.HttpsCaller.CallFailed;
import io.rotor.connector.https.HttpsCaller.Response;
import io.rotor.connector.https.HttpsSettings;
import io.rotor.connector.https.SecretBodies;
import io.rotor.connector.https.VendorErrors;
import io.rotor.domain.CredentialType;
import io.rotor.domain.Secret;
import io.rotor.domain.Target;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Salesforce users' passwords through the REST API (docs/architecture.md, "Cloud targets over HTTPS"; README,
 * "Salesforce"). The target's admin account is the connected app: its username the consumer key, its secret the
 * consumer secret; a token comes from the client-credentials flow on the org's My Domain host (the target's host).
 * Accounts are User record ids ({@code 005...}).
 *
 * <p>Verification is {@link VerificationKind#CONFIRMED}: Salesforce offers no password check for a user that a
 * rotation may use. A change is confirmed by the API: {@code POST .../sobjects/User/{id}/password} answered 204 (the
 * org accepted this very value), then {@code GET} on the same path answered {@code isExpired: false}. That read
 * proves the user exists, the connected app may manage it, and the password in force is not flagged expired; it
 * does not prove which value is in force — only the 204 to our own POST says that.
 */
public final class SalesforceConnector implements TargetConnector {
    public static final String TYPE = "salesforce";
    /** A User record id: 15 or 18 characters, prefix 005. */
    static final Pattern USER_ID = Pattern.compile("^005[A-Za-z0-9]{12}([A-Za-z0-9]{3})?$");
    static final Pattern API_VERSION = Pattern.compile("^v[0-9]{2}\\.[0-9]$");
    static final String DEFAULT_API_VERSION = "v64.0";

    private final Target target;
    private final HttpsCaller https;
    private final URI instance;
    private final String apiVersion;

    SalesforceConnector(Target target) {
        this.target = target;
        HttpsSettings settings = HttpsSettings.of(target);
        this.apiVersion = target.setting("apiVersion", DEFAULT_API_VERSION);
        if (!API_VERSION.matcher(apiVersion).matches()) {
            throw new IllegalArgumentException("target " + target.id() + " (type salesforce): setting 'apiVersion' must look like v64.0 (v, two digits, a dot, one digit)");
        }
        this.instance = HttpsSettings.baseUrl(target, "instanceUrl", settings.base());
        this.https = new HttpsCaller(settings);
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public VerificationKind verificationKind(CredentialType type) {
        return VerificationKind.CONFIRMED;
    }

    /**
     * A user's password cannot be checked by login: the answer is UNREACHABLE, which says nothing about the
     * credential. The connected app's own credential (the admin account) is checked for real with a token request.
     */
    @Override
    public VerifyResult verify(VerifyRequest request) {
        Login login = request.login();
        if (USER_ID.matcher(login.username()).matches()) {
            return VerifyResult.unreachable("Salesforce offers no password login check for users: verification is CONFIRMED"
                    + " through the admin API when the password is set (POST then GET .../sobjects/User/{id}/password)");
        }
        Token token = token(login);
        if (token.value != null) {
            return VerifyResult.valid();
        }
        return token.refusedCredential ? VerifyResult.rejected(token.problem) : VerifyResult.unreachable(token.problem);
    }

    @Override
    public ChangeResult change(ChangeRequest request) {
        if (!request.viaAdmin()) {
            return ChangeResult.rejected("Salesforce sets a user's password only through the connected app (the target's"
                    + " admin account); self-rotation is not offered, nothing was sent");
        }
        return setPassword(request.username(), request.newSecret(), request.admin());
    }

    @Override
    public ChangeResult reconcile(ReconcileRequest request) {
        if (request.admin() == null) {
            return ChangeResult.rejected("reconcile needs the connected app as the target's admin account; nothing was sent");
        }
        return setPassword(request.username(), request.newSecret(), request.admin());
    }

    @Override
    public DiscoverResult discover(DiscoverRequest request) {
        throw new UnsupportedOperationException("the salesforce connector does not discover accounts (listing users needs"
                + " a SOQL query, outside the endpoints it uses); list the User ids in the inventory");
    }

    @Override
    public void close() {
        https.close();
    }

    // ---------------------------------------------------------------- the change

    private ChangeResult setPassword(String userId, Secret next, Login app) {
        if (!USER_ID.matcher(userId).matches()) {
            return ChangeResult.rejected("username must be a Salesforce User id (15 or 18 letters and digits starting"
                    + " with 005); nothing was sent");
        }
        Token token = token(app);
        if (token.value == null) {
            return token.refusedCredential || token.refusedAccess ? ChangeResult.loginRefused(token.problem)
                    : ChangeResult.rejected(token.problem + "; the password was not sent");
        }
        URI password = instance.resolve("/services/data/" + apiVersion + "/sobjects/User/" + userId + "/password");
        byte[] body = SecretBodies.json(g -> {
            g.writeStartObject();
            g.writeFieldName("NewPassword");
            SecretBodies.writeSecret(g, next);
            g.writeEndObject();
        });
        Response answer;
        try {
            answer = https.send(authorized(password, token).header("Content-Type", "application/json"), "POST", body);
        } catch (CallFailed failed) {
            return failed.mayHaveArrived()
                    ? ChangeResult.unknown("outcome unknown: the password request was sent, then " + failed.getMessage())
                    : ChangeResult.rejected("the password request could not be sent: " + failed.getMessage());
        }
        int status = answer.status();
        if (status == 204 || status == 200) {
            return confirm(password, token);
        }
        String what = VendorErrors.describe(answer);
        if (status == 401 || status == 403) {
            return ChangeResult.loginRefused("Salesforce refused the connected app's token for this user: " + what);
        }
        if (status >= 400 && status < 500) {
            return ChangeResult.rejected("Salesforce refused the new password: " + what);
        }
        return ChangeResult.unknown("outcome unknown: Salesforce answered " + what);
    }

    /** After a 204: the confirmation read. The change is certain either way; the read adds the expiry status. */
    private ChangeResult confirm(URI password, Token token) {
        String accepted = "Salesforce accepted the new password (POST .../password answered 204)";
        try {
            Response status = https.send(authorized(password, token), "GET", null);
            JsonNode json = VendorErrors.json(status);
            if (status.status() == 200 && json != null && json.path("isExpired").isBoolean()) {
                return new ChangeResult(ChangeResult.Outcome.CHANGED, json.path("isExpired").asBoolean()
                        ? accepted + ", but GET .../password reports it expired: the user must change it at next login"
                        : accepted + " and GET .../password confirms it is in force and not expired");
            }
            return new ChangeResult(ChangeResult.Outcome.CHANGED, accepted + "; the confirmation read answered "
                    + VendorErrors.describe(status));
        } catch (CallFailed failed) {
            return new ChangeResult(ChangeResult.Outcome.CHANGED, accepted + "; the confirmation read failed: " + failed.getMessage());
        }
    }

    private java.net.http.HttpRequest.Builder authorized(URI uri, Token token) {
        return https.request(uri).header("Authorization", "Bearer " + token.value).header("Accept", "application/json");
    }

    // ---------------------------------------------------------------- the token

    /** A token, or why there is none: the credential refused, access refused, or the call failed. */
    private record Token(String value, String problem, boolean refusedCredential, boolean refusedAccess) {
    }

    /**
     * The client-credentials flow on the My Domain host. The answer must name this target's instance as
     * {@code instance_url} (else a token answer could send the password elsewhere), and its {@code signature},
     * when present, must be the HMAC of {@code id + issued_at} keyed with the client secret.
     */
    private Token token(Login app) {
        Map<String, Object> form = new LinkedHashMap<>();
        form.put("grant_type", "client_credentials");
        form.put("client_id", app.username());
        form.put("client_secret", app.secret());
        Response answer;
        try {
            answer = https.send(https.request(https.base().resolve("/services/oauth2/token"))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .header("Accept", "application/json"), "POST", SecretBodies.form(form));
        } catch (CallFailed failed) {
            return new Token(null, "the token request failed: " + failed.getMessage(), false, false);
        }
        JsonNode json = VendorErrors.json(answer);
        if (answer.status() != 200 || json == null) {
            String what = VendorErrors.describe(answer);
            String error = json == null ? "" : json.path("error").asText("");
            boolean credential = answer.status() == 401 || "invalid_client".equals(error);
            boolean access = answer.status() == 403 || "invalid_grant".equals(error) || "unauthorized_client".equals(error);
            return new Token(null, "Salesforce refused the connected app's token request: " + what, credential, access);
        }
        String access = json.path("access_token").asText("");
        String issuedTo = json.path("instance_url").asText("");
        if (access.isEmpty() || !sameInstance(issuedTo)) {
            return new Token(null, "the token answer is not for this target (instance_url must be " + instance
                    + ", setting 'instanceUrl'); the password was not sent", false, false);
        }
        if (json.has("signature") && !signatureMatches(json, app.secret())) {
            return new Token(null, "the token answer's signature does not match the connected app's secret", false, false);
        }
        return new Token(access, null, false, false);
    }

    private boolean sameInstance(String issuedTo) {
        String given = issuedTo.endsWith("/") ? issuedTo.substring(0, issuedTo.length() - 1) : issuedTo;
        try {
            URI uri = URI.create(given);
            int port = uri.getPort() == -1 ? 443 : uri.getPort();
            int ours = instance.getPort() == -1 ? 443 : instance.getPort();
            return "https".equalsIgnoreCase(uri.getScheme()) && instance.getHost().equalsIgnoreCase(uri.getHost())
                    && port == ours && (uri.getRawPath() == null || uri.getRawPath().isEmpty()) && uri.getRawQuery() == null
                    && uri.getRawUserInfo() == null;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static boolean signatureMatches(JsonNode json, Secret secret) {
        byte[] key = secret.utf8();
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            byte[] expected = mac.doFinal((json.path("id").asText("") + json.path("issued_at").asText(""))
                    .getBytes(StandardCharsets.UTF_8));
            byte[] given;
            try {
                given = Base64.getDecoder().decode(json.path("signature").asText(""));
            } catch (IllegalArgumentException e) {
                return false;
            }
            return MessageDigest.isEqual(expected, given);
        } catch (GeneralSecurityException e) {
            return false;
        } finally {
            Arrays.fill(key, (byte) 0);
        }
    }

    @Override
    public String toString() {
        return "SalesforceConnector[" + target.id() + "]";
    }
}
