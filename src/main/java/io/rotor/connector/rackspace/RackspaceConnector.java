package io.rotor.connector.rackspace;

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

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * Rackspace Cloud Identity v2.0 users' passwords (docs/architecture.md, "Cloud targets over HTTPS"; README,
 * "Rackspace"). The target's admin account is a user-admin or user-manager of the domain; it gets a token from
 * {@code POST /v2.0/tokens} (password or API key, setting {@code adminCredential}) and sets a password with
 * {@code POST /v2.0/users/{id}} ({@code OS-KSADM:password}), after finding the user's id by name.
 *
 * <p>Verification is a real login ({@link VerificationKind#LOGIN}): {@code POST /v2.0/tokens} as the user, with the
 * password or (setting {@code credential: apiKey}) the API key.
 *
 * <p>API keys are verified but not rotated: Rackspace generates the new key itself (the reset call takes no value),
 * while the protocol stores the candidate as PENDING before it touches the target. A reset would make a key live
 * that is none of CURRENT, PENDING or PREVIOUS, which the protocol's invariant forbids; so a change of an API-key
 * target is refused without sending anything (see docs/architecture.md for what the protocol would need).
 */
public final class RackspaceConnector implements TargetConnector {
    public static final String TYPE = "rackspace";
    /** Rackspace user names: a letter, then letters, digits and {@code . _ - @}. */
    static final Pattern USERNAME = Pattern.compile("^[A-Za-z][A-Za-z0-9._@-]{0,99}$");
    /** What an id taken from an answer must look like before it goes into a path. */
    static final Pattern USER_ID = Pattern.compile("^[A-Za-z0-9_-]{1,64}$");
    static final String API_KEY_REFUSAL = "Rackspace generates a new API key itself on reset, but Rotor's protocol stores the"
            + " new credential as PENDING before it changes the target, so a reset would leave a live key that Rotor"
            + " never stored; API-key rotation is refused (nothing was sent). Reset the key yourself and store it with"
            + " `rotor set --vault-only`; verify works";

    enum CredentialKind {
        PASSWORD, API_KEY;

        static CredentialKind of(Target target, String key) {
            String value = target.setting(key, "password");
            return switch (value) {
                case "password" -> PASSWORD;
                case "apiKey" -> API_KEY;
                default -> throw new IllegalArgumentException("target " + target.id() + " (type rackspace): setting '" + key
                        + "' must be password or apiKey");
            };
        }
    }

    private final Target target;
    private final HttpsCaller https;
    private final CredentialKind credential;
    private final CredentialKind adminCredential;

    RackspaceConnector(Target target) {
        this.target = target;
        HttpsSettings settings = HttpsSettings.of(target);
        this.credential = CredentialKind.of(target, "credential");
        this.adminCredential = CredentialKind.of(target, "adminCredential");
        this.https = new HttpsCaller(settings);
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public VerificationKind verificationKind(CredentialType type) {
        return VerificationKind.LOGIN;
    }

    /** {@code POST /v2.0/tokens} as the account: 200 accepted, 401 refused; anything else says nothing. */
    @Override
    public VerifyResult verify(VerifyRequest request) {
        Login login = request.login();
        if (!USERNAME.matcher(login.username()).matches()) {
            return VerifyResult.rejected("not a Rackspace user name (a letter, then letters, digits and . _ - @)");
        }
        Response answer;
        try {
            answer = tokens(login, credential);
        } catch (CallFailed failed) {
            return VerifyResult.unreachable("the token request failed: " + failed.getMessage());
        }
        try {
            if (answer.status() == 200) {
                JsonNode json = VendorErrors.json(answer);
                return json != null && json.path("access").path("token").hasNonNull("id") ? VerifyResult.valid()
                        : VerifyResult.unreachable("the token answer holds no token");
            }
            if (answer.status() == 401 && answer.headers().firstValue("WWW-Authenticate").orElse("").startsWith("OS-MF")) {
                return new VerifyResult(VerifyResult.Outcome.VALID,
                        "the credential was accepted; the user's login continues with a second factor");
            }
            if (answer.status() == 401) {
                return VerifyResult.rejected("Rackspace refused the login: " + VendorErrors.describe(answer));
            }
            return VerifyResult.unreachable("Rackspace answered " + VendorErrors.describe(answer)
                    + " (a disabled user or a service fault says nothing about the credential)");
        } finally {
            answer.wipe();
        }
    }

    @Override
    public ChangeResult change(ChangeRequest request) {
        if (credential == CredentialKind.API_KEY) {
            return ChangeResult.rejected(API_KEY_REFUSAL);
        }
        if (!request.viaAdmin()) {
            return ChangeResult.rejected("Rackspace lets a user-admin or user-manager set a password (POST /v2.0/users/{id});"
                    + " give the target an admin account; self-rotation is not offered, nothing was sent");
        }
        return setPassword(request.username(), request.newSecret(), request.admin());
    }

    @Override
    public ChangeResult reconcile(ReconcileRequest request) {
        if (credential == CredentialKind.API_KEY) {
            return ChangeResult.rejected(API_KEY_REFUSAL);
        }
        if (request.admin() == null) {
            return ChangeResult.rejected("reconcile needs the target's admin account; nothing was sent");
        }
        return setPassword(request.username(), request.newSecret(), request.admin());
    }

    @Override
    public DiscoverResult discover(DiscoverRequest request) {
        throw new UnsupportedOperationException("the rackspace connector does not discover accounts; list them in the inventory");
    }

    @Override
    public void close() {
        https.close();
    }

    // ---------------------------------------------------------------- the change

    private ChangeResult setPassword(String username, Secret next, Login admin) {
        if (!USERNAME.matcher(username).matches()) {
            return ChangeResult.rejected("username must be a Rackspace user name (a letter, then letters, digits and . _ - @);"
                    + " nothing was sent");
        }
        String token;
        try {
            Response answer = tokens(admin, adminCredential);
            JsonNode json = VendorErrors.json(answer);
            if (answer.status() == 401 || answer.status() == 403) {
                return ChangeResult.loginRefused("Rackspace refused the admin login: " + VendorErrors.describe(answer));
            }
            if (answer.status() != 200 || json == null || !json.path("access").path("token").path("id").isTextual()) {
                return ChangeResult.rejected("the admin token request answered " + VendorErrors.describe(answer)
                        + "; the password was not sent");
            }
            token = json.path("access").path("token").path("id").asText();
        } catch (CallFailed failed) {
            return ChangeResult.rejected("the admin token request failed: " + failed.getMessage() + "; the password was not sent");
        }

        String userId;
        try {
            Response found = https.send(authorized(https.base().resolve("/v2.0/users?name="
                    + URLEncoder.encode(username, StandardCharsets.UTF_8)), token), "GET", null);
            if (found.status() == 401 || found.status() == 403) {
                return ChangeResult.loginRefused("Rackspace refused the admin's token to read the user: " + VendorErrors.describe(found));
            }
            if (found.status() != 200) {
                return ChangeResult.rejected("cannot find the user: " + VendorErrors.describe(found) + "; the password was not sent");
            }
            JsonNode json = VendorErrors.json(found);
            userId = json == null ? "" : json.path("user").path("id").asText("");
            if (!USER_ID.matcher(userId).matches() || !username.equals(json.path("user").path("username").asText())) {
                return ChangeResult.rejected("the user lookup answered no usable id for this user; the password was not sent");
            }
        } catch (CallFailed failed) {
            return ChangeResult.rejected("the user lookup failed: " + failed.getMessage() + "; the password was not sent");
        }

        byte[] body = SecretBodies.json(g -> {
            g.writeStartObject();
            g.writeObjectFieldStart("user");
            g.writeFieldName("OS-KSADM:password");
            SecretBodies.writeSecret(g, next);
            g.writeEndObject();
            g.writeEndObject();
        });
        Response answer;
        try {
            answer = https.send(authorized(https.base().resolve("/v2.0/users/" + userId), token)
                    .header("Content-Type", "application/json"), "POST", body);
        } catch (CallFailed failed) {
            return failed.mayHaveArrived()
                    ? ChangeResult.unknown("outcome unknown: the password request was sent, then " + failed.getMessage())
                    : ChangeResult.rejected("the password request could not be sent: " + failed.getMessage());
        }
        int status = answer.status();
        if (status == 200) {
            return new ChangeResult(ChangeResult.Outcome.CHANGED, "Rackspace set the new password (POST /v2.0/users/{id} answered 200)");
        }
        String what = VendorErrors.describe(answer);
        if (status == 401 || status == 403) {
            return ChangeResult.loginRefused("Rackspace refused the admin's token for this user: " + what);
        }
        if (status >= 400 && status < 500) {
            return ChangeResult.rejected("Rackspace refused the new password: " + what);
        }
        return ChangeResult.unknown("outcome unknown: Rackspace answered " + what);
    }

    private java.net.http.HttpRequest.Builder authorized(URI uri, String token) {
        return https.request(uri).header("X-Auth-Token", token).header("Accept", "application/json");
    }

    /** {@code POST /v2.0/tokens} with a password or an API key; the secret goes only into the body. */
    private Response tokens(Login login, CredentialKind kind) throws CallFailed {
        byte[] body = SecretBodies.json(g -> {
            g.writeStartObject();
            g.writeObjectFieldStart("auth");
            if (kind == CredentialKind.API_KEY) {
                g.writeObjectFieldStart("RAX-KSKEY:apiKeyCredentials");
                g.writeStringField("username", login.username());
                g.writeFieldName("apiKey");
            } else {
                g.writeObjectFieldStart("passwordCredentials");
                g.writeStringField("username", login.username());
                g.writeFieldName("password");
            }
            SecretBodies.writeSecret(g, login.secret());
            g.writeEndObject();
            g.writeEndObject();
            g.writeEndObject();
        });
        return https.send(https.request(https.base().resolve("/v2.0/tokens"))
                .header("Content-Type", "application/json").header("Accept", "application/json"), "POST", body);
    }

    @Override
    public String toString() {
        return "RackspaceConnector[" + target.id() + "]";
    }
}
