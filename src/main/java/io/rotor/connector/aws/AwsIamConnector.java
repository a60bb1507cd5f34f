package io.rotor.connector.aws;

import io.rotor.connector.ChangeRequest;
import io.rotor.connector.ChangeResult;
import io.rotor.connector.DiscoverRequest;
import io.rotor.connector.DiscoverResult;
import io.rotor.connector.Login;
import io.rotor.connector.ReconcileRequest;
import io.rotor.connector.Redactor;
import io.rotor.connector.TargetConnector;
import io.rotor.connector.VerificationKind;
import io.rotor.connector.VerifyRequest;
import io.rotor.connector.VerifyResult;
import io.rotor.domain.CredentialType;
import io.rotor.domain.Secret;
import io.rotor.domain.Target;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.AccessKeyMetadata;
import software.amazon.awssdk.services.iam.model.CreateAccessKeyResponse;
import software.amazon.awssdk.services.iam.model.LoginProfile;
import software.amazon.awssdk.services.iam.model.StatusType;
import software.amazon.awssdk.services.iam.model.User;
import software.amazon.awssdk.services.sts.StsClient;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * AWS IAM through the AWS SDK for Java v2 (docs/architecture.md, "AWS IAM"). A target holds one kind of credential
 * (setting {@code credential}):
 * <ul>
 *   <li>{@code console-password}: {@code UpdateLoginProfile}, or {@code CreateLoginProfile} when the user has none,
 *       through the admin access key. There is no password sign-in over the API, so verify is
 *       {@link VerificationKind#CONFIRMED}: {@code GetLoginProfile} shows the user has a console password; it
 *       cannot show which one.</li>
 *   <li>{@code access-key}: the secret is {@code <AccessKeyId>:<SecretAccessKey>} ({@link AccessKey}). AWS generates
 *       keys, so a change ignores the request's candidate and answers the new key in {@link ChangeResult#issued()}:
 *       create it, verify it with STS {@code GetCallerIdentity} signed by it (a real login), deactivate and then
 *       delete the old one. At most two keys per user: an inactive key other than the current one is deleted first;
 *       a user holding two active keys is refused.</li>
 * </ul>
 * Requests go out once (no SDK retries, no HTTP client retries), so that a timeout after sending is reported as
 * UNKNOWN, never repeated.
 */
public final class AwsIamConnector implements TargetConnector {
    public static final String TYPE = "aws-iam";
    /** IAM user names: up to 64 of letters, digits and {@code +=,.@_-}. */
    static final Pattern USER_NAME = Pattern.compile("[A-Za-z0-9+=,.@_-]{1,64}");
    private static final int MAX_PASSWORD = 128;

    private final Target target;
    private final AwsIamSettings settings;
    private final SdkHttpClient http;

    AwsIamConnector(Target target) {
        this.target = target;
        this.settings = AwsIamSettings.of(target);
        // Apache HttpClient as the SDK configures it never re-sends a request by itself (the JDK's HttpURLConnection
        // re-sends a POST after a cut connection: a CreateAccessKey sent twice)
        this.http = ApacheHttpClient.builder()
                .connectionTimeout(settings.connectTimeout())
                .connectionAcquisitionTimeout(settings.connectTimeout())
                .socketTimeout(settings.readTimeout())
                .build();
    }

    @Override
    public String type() {
        return TYPE;
    }

    /**
     * An access key is checked by a real STS call signed with it; a console password only through the admin API. An
     * api-key account on a console-password target (its admin account, whose secret is a key) is a key too.
     */
    @Override
    public VerificationKind verificationKind(CredentialType type) {
        return type == CredentialType.API_KEY || settings.credential() == AwsIamSettings.Credential.ACCESS_KEY
                ? VerificationKind.LOGIN : VerificationKind.CONFIRMED;
    }

    /** Access keys: the target's kind, or a secret of the key's shape (the admin account on a console-password target). */
    private boolean isKey(Secret secret) {
        return settings.credential() == AwsIamSettings.Credential.ACCESS_KEY || AccessKey.hasShape(secret);
    }

    // ---------------------------------------------------------------- verify

    @Override
    public VerifyResult verify(VerifyRequest request) {
        String user = request.login().username();
        if (!USER_NAME.matcher(String.valueOf(user)).matches()) {
            return VerifyResult.rejected("not an IAM user name: " + user);
        }
        return isKey(request.login().secret())
                ? verifyKey(user, request.login().secret())
                : confirmConsolePassword(user, request.admin());
    }

    /** STS GetCallerIdentity signed with the key; the answer must name this user. */
    private VerifyResult verifyKey(String user, Secret stored) {
        AccessKey key;
        try {
            key = AccessKey.parse(stored, "the credential of " + user);
        } catch (IllegalArgumentException e) {
            return VerifyResult.rejected(e.getMessage());
        }
        try (key) {
            return callerIs(key, user);
        }
    }

    private VerifyResult callerIs(AccessKey key, String user) {
        try (StsClient sts = sts(key)) {
            String arn = sts.getCallerIdentity().arn();
            String name = arn == null ? "" : arn.substring(arn.lastIndexOf('/') + 1);
            if (!arn.contains(":user/") || !name.equalsIgnoreCase(user)) {
                return VerifyResult.rejected("the key " + key.id() + " signs as " + arn + ", not as IAM user " + user);
            }
            return new VerifyResult(VerifyResult.Outcome.VALID, "STS GetCallerIdentity signed with key " + key.id() + " answered " + arn);
        } catch (RuntimeException e) {
            return AwsFailures.ofLogin(failure(e, key.secret()));
        }
    }

    /**
     * What this proves: the IAM user exists and has a console password (a login profile), read with the admin key.
     * It does not prove which password is set: AWS never returns it and offers no password sign-in over the API.
     * That UpdateLoginProfile or CreateLoginProfile answered 200 is the evidence that the candidate was set.
     */
    private VerifyResult confirmConsolePassword(String user, Login admin) {
        if (admin == null) {
            return VerifyResult.unreachable("a console password is confirmed through the admin access key; none was given");
        }
        AccessKey key;
        try {
            key = adminKey(admin);
        } catch (IllegalArgumentException e) {
            return VerifyResult.unreachable(e.getMessage());
        }
        try (key; IamClient iam = iam(key)) {
            LoginProfile profile = iam.getLoginProfile(r -> r.userName(user)).loginProfile();
            return new VerifyResult(VerifyResult.Outcome.VALID, "confirmed: IAM user " + user + " has a console password"
                    + (Boolean.TRUE.equals(profile.passwordResetRequired()) ? " (reset required at next sign-in)" : "")
                    + "; the password itself cannot be checked over the API");
        } catch (RuntimeException e) {
            AwsFailures.Failure f = failure(e, key.secret());
            return f.kind() == AwsFailures.Kind.NOT_FOUND
                    ? VerifyResult.rejected("IAM user " + user + " has no console password (" + f.detail() + ")")
                    // the admin key refused says nothing about the account's password
                    : VerifyResult.unreachable((f.kind() == AwsFailures.Kind.CREDENTIAL_REFUSED ? "the admin key was refused: " : "")
                    + f.detail());
        }
    }

    // ---------------------------------------------------------------- change / reconcile

    @Override
    public ChangeResult change(ChangeRequest request) {
        String user = request.username();
        if (!USER_NAME.matcher(String.valueOf(user)).matches()) {
            return ChangeResult.rejected("not an IAM user name: " + user);
        }
        if (!isKey(request.current())) {
            if (!request.viaAdmin()) {
                return ChangeResult.rejected("a console password is set through the target's admin access key only"
                        + " (IAM offers no password sign-in over the API); the target has no admin account");
            }
            return setConsolePassword(request.admin(), user, request.newSecret());
        }
        return rotateKey(request.admin(), user, request.current());
    }

    @Override
    public ChangeResult reconcile(ReconcileRequest request) {
        String user = request.username();
        if (!USER_NAME.matcher(String.valueOf(user)).matches()) {
            return ChangeResult.rejected("not an IAM user name: " + user);
        }
        if (request.admin() == null) {
            return ChangeResult.rejected("reconcile needs the target's admin access key");
        }
        return settings.credential() == AwsIamSettings.Credential.CONSOLE_PASSWORD
                ? setConsolePassword(request.admin(), user, request.newSecret())
                : rotateKey(request.admin(), user, null);
    }

    private ChangeResult setConsolePassword(Login admin, String user, Secret password) {
        String problem = passwordProblem(password);
        if (problem != null) {
            return ChangeResult.rejected("refused before sending: " + problem);
        }
        AccessKey key;
        try {
            key = adminKey(admin);
        } catch (IllegalArgumentException e) {
            return ChangeResult.loginRefused(e.getMessage());
        }
        try (key; IamClient iam = iam(key)) {
            boolean exists;
            try {
                iam.getLoginProfile(r -> r.userName(user));
                exists = true;
            } catch (RuntimeException e) {
                AwsFailures.Failure f = failure(e, key.secret(), password);
                if (f.kind() != AwsFailures.Kind.NOT_FOUND) {
                    return AwsFailures.beforeChange(f, "GetLoginProfile");
                }
                exists = false;
            }
            String value = password.reveal();
            try {
                if (exists) {
                    iam.updateLoginProfile(r -> r.userName(user).password(value).passwordResetRequired(settings.passwordResetRequired()));
                } else {
                    iam.createLoginProfile(r -> r.userName(user).password(value).passwordResetRequired(settings.passwordResetRequired()));
                }
            } catch (RuntimeException e) {
                return AwsFailures.ofChange(failure(e, key.secret(), password), exists ? "UpdateLoginProfile" : "CreateLoginProfile");
            }
            return new ChangeResult(ChangeResult.Outcome.CHANGED, "console password of " + user + " set ("
                    + (exists ? "UpdateLoginProfile" : "CreateLoginProfile, it had none") + ")");
        }
    }

    /** AWS takes 1 to 128 characters from U+0020 to U+00FF (its API's pattern, less the tab and line breaks). */
    static String passwordProblem(Secret password) {
        char[] chars = password.chars();
        try {
            if (chars.length == 0 || chars.length > MAX_PASSWORD) {
                return "an IAM console password has 1 to " + MAX_PASSWORD + " characters, the candidate has " + chars.length;
            }
            for (char c : chars) {
                if (c < 0x20 || c == 0x7f || c > 0xff) {
                    return "an IAM console password holds only printable characters from U+0020 to U+00FF";
                }
            }
            return null;
        } finally {
            java.util.Arrays.fill(chars, '\0');
        }
    }

    /**
     * Access key rotation. {@code admin} signs the IAM calls when given, else the account's own current key
     * (self-rotation needs iam:ListAccessKeys, CreateAccessKey, UpdateAccessKey and DeleteAccessKey on the user).
     */
    private ChangeResult rotateKey(Login admin, String user, Secret current) {
        AccessKey old = null;
        AccessKey signer = null;
        AccessKey fresh = null;
        try {
            try {
                old = current == null ? null : AccessKey.parse(current, "the current credential of " + user);
                signer = admin != null ? adminKey(admin) : old;
            } catch (IllegalArgumentException e) {
                return ChangeResult.loginRefused(e.getMessage());
            }
            if (signer == null) {
                return ChangeResult.rejected("neither an admin access key nor the account's current key was given");
            }
            String oldId = old == null ? null : old.id();
            List<AccessKeyMetadata> keys;
            try (IamClient iam = iam(signer)) {
                keys = listKeys(iam, user);
                KeyPlan plan = KeyPlan.of(keys, oldId);
                if (plan.refusal() != null) {
                    return ChangeResult.rejected(plan.refusal());
                }
                for (String leftover : plan.deleteFirst()) {
                    iam.deleteAccessKey(r -> r.userName(user).accessKeyId(leftover));
                }
            } catch (RuntimeException e) {
                return AwsFailures.beforeChange(failure(e, signer.secret()), "preparing the key rotation of " + user);
            }

            CreateAccessKeyResponse created;
            try (IamClient iam = iam(signer)) {
                created = iam.createAccessKey(r -> r.userName(user));
            } catch (RuntimeException e) {
                return AwsFailures.ofChange(failure(e, signer.secret()), "CreateAccessKey");
            }
            String newId = created.accessKey().accessKeyId();
            Secret issued = AccessKey.format(newId, created.accessKey().secretAccessKey());
            fresh = AccessKey.parse(issued, "the key CreateAccessKey answered");

            VerifyResult proof = awaitKey(fresh, user);
            if (!proof.isValid()) {
                try (IamClient iam = iam(signer)) {
                    iam.deleteAccessKey(r -> r.userName(user).accessKeyId(newId));
                    issued.close();
                    return ChangeResult.rejected("the new key " + newId + " was not accepted by STS within "
                            + settings.keyPropagation().toSeconds() + " s (" + proof.detail() + "); it was deleted and the old key left as it was");
                } catch (RuntimeException e) {
                    return new ChangeResult(ChangeResult.Outcome.UNKNOWN, "the new key " + newId + " was not accepted by STS ("
                            + proof.detail() + ") and could not be deleted: " + failure(e, signer.secret(), issued).detail(), false, issued);
                }
            }
            if (oldId == null || keys.stream().noneMatch(k -> k.accessKeyId().equals(oldId))) {
                String others = keys.stream().map(AccessKeyMetadata::accessKeyId).filter(id -> !id.equals(newId)).toList().toString();
                return ChangeResult.changedTo(issued, "new access key " + newId + " created and verified through STS; "
                        + (oldId == null ? "the old key is unknown, so other keys were left in place: " + others
                        : "the old key " + oldId + " no longer existed"));
            }
            // the old key cannot sign its own deactivation's follow-up on AWS: switch to the new key when it signed
            AccessKey cleaner = signer.id().equals(oldId) ? fresh : signer;
            try (IamClient iam = iam(cleaner)) {
                iam.updateAccessKey(r -> r.userName(user).accessKeyId(oldId).status(StatusType.INACTIVE));
                iam.deleteAccessKey(r -> r.userName(user).accessKeyId(oldId));
            } catch (RuntimeException e) {
                return ChangeResult.changedTo(issued, "new access key " + newId + " created and verified through STS; the old key "
                        + oldId + " could not be deactivated or deleted (" + failure(e, cleaner.secret(), signer.secret()).detail()
                        + "): an inactive one is deleted by the next rotation, an active one must be removed by hand");
            }
            return ChangeResult.changedTo(issued, "new access key " + newId + " created and verified through STS; the old key "
                    + oldId + " deactivated and deleted");
        } finally {
            closeAll(old, admin != null ? signer : null, fresh);
        }
    }

    /** IAM is eventually consistent: a brand-new key may be refused for a few seconds, so this retries refusals. */
    private VerifyResult awaitKey(AccessKey key, String user) {
        long deadline = System.nanoTime() + settings.keyPropagation().toNanos();
        while (true) {
            VerifyResult result = callerIs(key, user);
            if (result.isValid() || result.outcome() == VerifyResult.Outcome.UNREACHABLE || System.nanoTime() >= deadline) {
                return result;
            }
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return result;
            }
        }
    }

    private static List<AccessKeyMetadata> listKeys(IamClient iam, String user) {
        List<AccessKeyMetadata> keys = new ArrayList<>();
        iam.listAccessKeysPaginator(r -> r.userName(user)).accessKeyMetadata().forEach(keys::add);
        return keys;
    }

    /**
     * The two-keys rule: inactive keys other than the current one go first; if two keys still remain, the user holds
     * two keys Rotor may not touch and the rotation is refused.
     */
    record KeyPlan(List<String> deleteFirst, String refusal) {
        static KeyPlan of(List<AccessKeyMetadata> keys, String currentId) {
            List<String> leftovers = keys.stream()
                    .filter(k -> k.status() == StatusType.INACTIVE && !k.accessKeyId().equals(currentId))
                    .map(AccessKeyMetadata::accessKeyId).toList();
            List<AccessKeyMetadata> remaining = keys.stream().filter(k -> !leftovers.contains(k.accessKeyId())).toList();
            if (remaining.size() >= 2) {
                String held = remaining.stream().map(k -> k.accessKeyId() + " (" + k.statusAsString() + ")").toList().toString();
                return new KeyPlan(List.of(), "the user already holds two access keys Rotor may not delete " + held
                        + ": AWS allows two per user and Rotor deletes only inactive keys other than the account's current"
                        + " one; deactivate or delete one of them first");
            }
            return new KeyPlan(leftovers, null);
        }
    }

    // ---------------------------------------------------------------- discover

    /** IAM users, all pages; {@code filter} is a case-insensitive prefix of the user name. */
    @Override
    public DiscoverResult discover(DiscoverRequest request) {
        if (request.admin() == null) {
            throw new IllegalStateException("discovery on " + target.id() + " needs the admin access key");
        }
        String prefix = request.filter() == null ? "" : request.filter().toLowerCase(Locale.ROOT);
        try (AccessKey key = adminKey(request.admin()); IamClient iam = iam(key)) {
            List<String> names = new ArrayList<>();
            try {
                for (User u : iam.listUsersPaginator(r -> r.maxItems(1000)).users()) {
                    if (u.userName().toLowerCase(Locale.ROOT).startsWith(prefix)) {
                        names.add(u.userName());
                    }
                }
            } catch (RuntimeException e) {
                throw new IllegalStateException("ListUsers on " + target.id() + " failed: " + failure(e, key.secret()).detail());
            }
            return new DiscoverResult(names);
        }
    }

    // ---------------------------------------------------------------- plumbing

    private AccessKey adminKey(Login admin) {
        AccessKey key = AccessKey.parse(admin.secret(), "the admin account's access key");
        if (settings.adminAccessKeyId() != null && !settings.adminAccessKeyId().equals(key.id())) {
            String id = key.id();
            key.close();
            throw new IllegalArgumentException("the admin account's access key " + id
                    + " is not the one setting 'adminAccessKeyId' names (" + settings.adminAccessKeyId() + ")");
        }
        return key;
    }

    private ClientOverrideConfiguration overrides() {
        Duration call = settings.connectTimeout().plus(settings.readTimeout()).plusSeconds(1);
        return ClientOverrideConfiguration.builder()
                .retryStrategy(AwsRetryStrategy.doNotRetry())
                .apiCallAttemptTimeout(call)
                .apiCallTimeout(call)
                .build();
    }

    private static StaticCredentialsProvider credentials(AccessKey key) {
        return StaticCredentialsProvider.create(AwsBasicCredentials.create(key.id(), key.secret().reveal()));
    }

    private IamClient iam(AccessKey key) {
        var builder = IamClient.builder().httpClient(http).credentialsProvider(credentials(key))
                .overrideConfiguration(overrides()).region(iamRegion());
        if (settings.endpoint() != null) {
            builder.endpointOverride(settings.endpoint());
        }
        return builder.build();
    }

    private StsClient sts(AccessKey key) {
        var builder = StsClient.builder().httpClient(http).credentialsProvider(credentials(key))
                .overrideConfiguration(overrides()).region(Region.of(settings.region()));
        if (settings.stsEndpoint() != null) {
            builder.endpointOverride(settings.stsEndpoint());
        }
        return builder.build();
    }

    /** IAM is global per partition: its signing region follows the partition of the STS region. */
    private Region iamRegion() {
        String r = settings.region();
        return r.startsWith("cn-") ? Region.AWS_CN_GLOBAL : r.startsWith("us-gov-") ? Region.AWS_US_GOV_GLOBAL : Region.AWS_GLOBAL;
    }

    private static AwsFailures.Failure failure(RuntimeException e, Secret... secrets) {
        AwsFailures.Failure f = AwsFailures.of(e);
        // the secret part of an access key is redacted on its own too ("AKIA...:secret" as a whole is not what leaks)
        List<Secret> all = new ArrayList<>();
        for (Secret s : secrets) {
            if (s != null) {
                all.add(s);
            }
        }
        return new AwsFailures.Failure(f.kind(), Redactor.redact(f.detail(), all.toArray(Secret[]::new)));
    }

    private static void closeAll(AutoCloseable... closeables) {
        for (AutoCloseable c : closeables) {
            if (c != null) {
                try {
                    c.close();
                } catch (Exception ignored) {
                    // wiping a char[] does not fail
                }
            }
        }
    }

    @Override
    public void close() {
        http.close();
    }
}
