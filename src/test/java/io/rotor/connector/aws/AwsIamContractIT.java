package io.rotor.connector.aws;

import io.rotor.connector.ChangeRequest;
import io.rotor.connector.ChangeResult;
import io.rotor.connector.ConnectorContract;
import io.rotor.connector.ConnectorFactory;
import io.rotor.connector.FaultProxy;
import io.rotor.connector.Login;
import io.rotor.connector.ReconcileRequest;
import io.rotor.connector.TargetConnector;
import io.rotor.connector.VerificationKind;
import io.rotor.connector.VerifyRequest;
import io.rotor.connector.VerifyResult;
import io.rotor.domain.CredentialType;
import io.rotor.domain.Secret;
import io.rotor.domain.Target;
import io.rotor.domain.TlsMode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.iam.model.AccessKeyMetadata;
import software.amazon.awssdk.services.iam.model.NoSuchEntityException;
import software.amazon.awssdk.services.iam.model.StatusType;

import java.security.MessageDigest;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The connector contract for {@code aws-iam} console passwords, and the access-key rotation, against moto 5.2 with
 * signature checking on ({@code scripts/targets/moto.sh}): a deleted or wrong key is really refused. Not the live
 * service. Users are named {@code rotor_it_aws_<run>_*}.
 *
 * <p>IAM has no password sign-in, so the contract's "fresh login" with a console password is moto's stored password
 * read through its state API ({@link MotoIam#storedPassword}); access keys are checked for real, by STS calls signed
 * with them. moto accepts an inactive key (AWS does not), so revocation is shown after the delete.
 */
class AwsIamContractIT extends ConnectorContract {
    private final MotoIam moto = MotoIam.load();
    private final String prefix = "rotor_it_aws_" + runTag() + "_";
    private TargetConnector keys;

    @BeforeAll
    void openKeyConnector() {
        keys = guarded(factory().create(keyTarget()));
    }

    @AfterAll
    void closeKeyConnector() {
        if (keys != null) {
            keys.close();
        }
        moto.close();
    }

    // ---------------------------------------------------------------- hooks (console passwords)

    @Override
    protected ConnectorFactory factory() {
        return new AwsIamConnectorFactory();
    }

    @Override
    protected String host() {
        return moto.host;
    }

    @Override
    protected int port() {
        return moto.port;
    }

    private Map<String, String> settings(String host, int port, String credential) {
        String t = Integer.toString(TIMEOUT_SECONDS);
        Map<String, String> s = new HashMap<>(Map.of("endpoint", "http://" + host + ":" + port, "credential", credential,
                "connectTimeoutSeconds", t, "readTimeoutSeconds", t, "keyPropagationSeconds", "2"));
        return s;
    }

    @Override
    protected Target target(String host, int port) {
        return new Target("it-aws-console", "aws-iam", host, port, null, TlsMode.DISABLE, null, null,
                settings(host, port, "console-password"));
    }

    private Target keyTarget() {
        return new Target("it-aws-keys", "aws-iam", host(), port(), null, TlsMode.DISABLE, null, null,
                settings(host(), port(), "access-key"));
    }

    @Override
    protected String newAccount(String tag, String password) {
        String user = prefix + tag;
        moto.iam.createUser(r -> r.userName(user));
        if (password != null) {
            moto.iam.createLoginProfile(r -> r.userName(user).password(password));
        }
        return user;
    }

    @Override
    protected void removeAccounts() {
        moto.removeUsers(prefix);
    }

    @Override
    protected Login admin() {
        return moto.admin();
    }

    /** IAM has no password sign-in: true when moto stores exactly this console password. */
    @Override
    protected boolean logsIn(String username, String password) throws Exception {
        return password.equals(moto.storedPassword(username));
    }

    @Override
    protected String passwordState(String username) throws Exception {
        String stored = moto.storedPassword(username);
        return stored == null ? null
                : HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(stored.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }

    /** Longer than the 128 characters IAM takes: the connector refuses it before sending (moto would take it). */
    @Override
    protected String rejectedCandidate() {
        return "Rc-" + "x".repeat(130);
    }

    /** A console password is confirmed through the admin API, so verify gets the admin login. */
    @Override
    protected VerifyRequest verify(String user, String password) {
        return new VerifyRequest(target(host(), port()), new Login(user, s(password)), admin());
    }

    // ---------------------------------------------------------------- contract cases that differ, and why

    /**
     * Replaces the contract's case: a console password's verify is CONFIRMED, not a login. It cannot tell a right
     * password from a wrong one (AWS never returns it), only a user with a console password from one without.
     */
    @Override
    @Test
    public void verifyTellsTheRightSecretFromAWrongOne() throws Exception {
        assertThat(connector.verificationKind(CredentialType.PASSWORD)).isEqualTo(VerificationKind.CONFIRMED);
        String pw = candidate();
        String user = newAccount("v", pw);
        VerifyResult ok = connector.verify(verify(user, pw));
        assertThat(ok.outcome()).as(ok.detail()).isEqualTo(VerifyResult.Outcome.VALID);
        assertThat(ok.detail()).contains("cannot be checked");
        String none = newAccount("vn", null);
        VerifyResult missing = connector.verify(verify(none, pw));
        assertThat(missing.outcome()).as(missing.detail()).isEqualTo(VerifyResult.Outcome.REJECTED);
        VerifyResult noAdmin = connector.verify(new VerifyRequest(target(host(), port()), new Login(user, s(pw))));
        assertThat(noAdmin.outcome()).as("without the admin key nothing can be confirmed").isEqualTo(VerifyResult.Outcome.UNREACHABLE);
        assertThat(ok.detail() + missing.detail()).doesNotContain(pw);
    }

    /**
     * Replaces the contract's case: IAM offers no way to change a console password with the password itself, so a
     * change without the admin key is refused and changes nothing.
     */
    @Override
    @Test
    public void selfChangeLeavesOnlyTheNewSecret() throws Exception {
        String old = candidate();
        String user = newAccount("s", old);
        String next = candidate();
        ChangeResult r = connector.change(new ChangeRequest(target(host(), port()), user, s(old), s(next), null));
        assertThat(r.outcome()).as(r.detail()).isEqualTo(ChangeResult.Outcome.REJECTED);
        assertThat(r.detail()).contains("admin");
        assertThat(logsIn(user, old)).isTrue();
    }

    /** The contract's case through the admin key (a console password has no self-change, see above). */
    @Override
    @Test
    public void aTargetThatStopsAnsweringAfterTheChangeIsUnknownWithinTheTimeout() throws Exception {
        String old = candidate();
        String user = newAccount("h", old);
        String next = candidate();
        try (Wire wire = wire(FaultProxy.Mode.HANG_AFTER_CHANGE, user);
             TargetConnector c = guarded(factory().create(wire.target()))) {
            long start = System.nanoTime();
            ChangeResult r = c.change(new ChangeRequest(wire.target(), user, s(old), s(next), admin()));
            assertThat(java.time.Duration.ofNanos(System.nanoTime() - start)).isLessThan(bound());
            assertThat(wire.faultHit()).as("the target went silent after it applied the change").isTrue();
            assertThat(r.outcome()).as(r.detail()).isEqualTo(ChangeResult.Outcome.UNKNOWN);
        }
        assertOnlyNewWorks(user, old, next);
    }

    // ---------------------------------------------------------------- console password specifics

    @Test
    void aConsolePasswordIsCreatedWhenAbsentAndTheChangeIsVisibleThroughGetLoginProfile() throws Exception {
        String user = newAccount("p", null);
        assertThatThrownBy(() -> moto.iam.getLoginProfile(r -> r.userName(user))).isInstanceOf(NoSuchEntityException.class);
        String first = candidate();
        ChangeResult created = connector.reconcile(new ReconcileRequest(target(host(), port()), user, s(first), admin()));
        assertThat(created.outcome()).as(created.detail()).isEqualTo(ChangeResult.Outcome.CHANGED);
        assertThat(created.detail()).contains("CreateLoginProfile");
        assertThat(moto.iam.getLoginProfile(r -> r.userName(user)).loginProfile().userName()).isEqualTo(user);
        assertThat(logsIn(user, first)).isTrue();

        String second = candidate();
        ChangeResult updated = connector.change(new ChangeRequest(target(host(), port()), user, s(first), s(second), admin()));
        assertThat(updated.outcome()).as(updated.detail()).isEqualTo(ChangeResult.Outcome.CHANGED);
        assertThat(updated.detail()).contains("UpdateLoginProfile");
        assertThat(Boolean.TRUE.equals(moto.iam.getLoginProfile(r -> r.userName(user)).loginProfile().passwordResetRequired()))
                .as("a password Rotor manages is not forced to change at next sign-in").isFalse();
        assertOnlyNewWorks(user, first, second);
        assertThat(connector.verify(verify(user, second)).outcome()).isEqualTo(VerifyResult.Outcome.VALID);
    }

    @Test
    void aDeletedAdminKeyIsARefusedLoginAndNothingIsOffered() throws Exception {
        String holder = newAccount("k", null);
        String deleted = moto.newKey(holder);
        moto.iam.deleteAccessKey(r -> r.userName(holder).accessKeyId(deleted.substring(0, deleted.indexOf(':'))));
        String old = candidate();
        String user = newAccount("ka", old);
        ChangeResult r = connector.change(new ChangeRequest(target(host(), port()), user, null, s(candidate()),
                new Login(holder, s(deleted))));
        assertThat(r.outcome()).as(r.detail()).isEqualTo(ChangeResult.Outcome.REJECTED);
        assertThat(r.loginRefused()).as("403 from moto, whose error code the SDK reports as null").isTrue();
        assertThat(r.detail()).contains("403").doesNotContain(deleted.substring(deleted.indexOf(':') + 1));
        assertThat(logsIn(user, old)).isTrue();
    }

    // ---------------------------------------------------------------- access keys

    private static String idOf(String key) {
        return key.substring(0, key.indexOf(':'));
    }

    private List<String> keyIds(String user) {
        return moto.keys(user).stream().map(AccessKeyMetadata::accessKeyId).toList();
    }

    private String rotatedKey(ChangeResult r) {
        assertThat(r.outcome()).as(r.detail()).isEqualTo(ChangeResult.Outcome.CHANGED);
        assertThat(r.issued()).as("AWS generated the key; the result carries it").isNotNull();
        return r.issued().reveal();
    }

    @Test
    void afterAnAdminRotationTheNewKeySignsAndTheOldOneIsRefused() {
        assertThat(keys.verificationKind(CredentialType.API_KEY)).isEqualTo(VerificationKind.LOGIN);
        String user = newAccount("ak", null);
        String old = moto.newKey(user);
        assertThat(keys.verify(new VerifyRequest(keyTarget(), new Login(user, s(old)))).outcome()).isEqualTo(VerifyResult.Outcome.VALID);
        Secret candidate = s(candidate());
        String next = rotatedKey(keys.change(new ChangeRequest(keyTarget(), user, s(old), candidate, admin())));
        assertThat(idOf(next)).matches("AKIA[A-Z0-9]{16}").isNotEqualTo(idOf(old));
        assertThat(next).as("the candidate is not used: AWS chooses keys").doesNotContain(candidate.reveal());
        assertThat(moto.signs(next)).as("the new key signs requests").isTrue();
        assertThat(moto.signs(old)).as("the old key is refused (deleted)").isFalse();
        assertThat(keyIds(user)).containsExactly(idOf(next));
        assertThat(keys.verify(new VerifyRequest(keyTarget(), new Login(user, s(next)))).outcome()).isEqualTo(VerifyResult.Outcome.VALID);
        VerifyResult refused = keys.verify(new VerifyRequest(keyTarget(), new Login(user, s(old))));
        assertThat(refused.outcome()).as(refused.detail()).isEqualTo(VerifyResult.Outcome.REJECTED);
        assertThat(refused.detail()).doesNotContain(old.substring(old.indexOf(':') + 1));
    }

    @Test
    void theAdminAccountsOwnKeyOnAConsolePasswordTargetRotatesAsAKey() {
        // the admin account lives on its target; its secret is a key, whatever the target's accounts hold
        assertThat(connector.verificationKind(CredentialType.API_KEY)).isEqualTo(VerificationKind.LOGIN);
        String user = newAccount("ad", null);
        moto.iam.putUserPolicy(r -> r.userName(user).policyName("all").policyDocument(
                "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}]}"));
        String old = moto.newKey(user);
        Login itself = new Login(user, s(old));
        assertThat(connector.verify(new VerifyRequest(target(host(), port()), itself, admin())).detail()).contains("STS");
        String next = rotatedKey(connector.change(new ChangeRequest(target(host(), port()), user, s(old), s(candidate()), itself)));
        assertThat(moto.signs(next)).isTrue();
        assertThat(moto.signs(old)).as("deleted with the new key's signature: the old one was already inactive").isFalse();
        assertThat(keyIds(user)).containsExactly(idOf(next));
    }

    @Test
    void aKeyRotatesItselfWithoutTheAdminKey() {
        String user = newAccount("as", null);
        moto.iam.putUserPolicy(r -> r.userName(user).policyName("own-keys").policyDocument(
                "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[\"iam:ListAccessKeys\","
                        + "\"iam:CreateAccessKey\",\"iam:UpdateAccessKey\",\"iam:DeleteAccessKey\"],\"Resource\":\"*\"}]}"));
        String old = moto.newKey(user);
        String next = rotatedKey(keys.change(new ChangeRequest(keyTarget(), user, s(old), s(candidate()), null)));
        assertThat(moto.signs(next)).isTrue();
        assertThat(moto.signs(old)).isFalse();
        assertThat(keyIds(user)).containsExactly(idOf(next));
    }

    @Test
    void anInactiveLeftoverKeyIsDeletedFirst() {
        String user = newAccount("al", null);
        String leftover = moto.newKey(user);
        moto.iam.updateAccessKey(r -> r.userName(user).accessKeyId(idOf(leftover)).status(StatusType.INACTIVE));
        String current = moto.newKey(user);
        String next = rotatedKey(keys.change(new ChangeRequest(keyTarget(), user, s(current), s(candidate()), admin())));
        assertThat(keyIds(user)).containsExactly(idOf(next));
        assertThat(moto.signs(leftover)).isFalse();
        assertThat(moto.signs(current)).isFalse();
        assertThat(moto.signs(next)).isTrue();
    }

    @Test
    void aUserHoldingTwoActiveKeysIsRefusedAndKeepsBoth() {
        String user = newAccount("a2", null);
        String current = moto.newKey(user);
        String other = moto.newKey(user);
        ChangeResult r = keys.change(new ChangeRequest(keyTarget(), user, s(current), s(candidate()), admin()));
        assertThat(r.outcome()).as(r.detail()).isEqualTo(ChangeResult.Outcome.REJECTED);
        assertThat(r.issued()).isNull();
        assertThat(r.detail()).contains("two access keys").contains(idOf(other));
        assertThat(keyIds(user)).containsExactlyInAnyOrder(idOf(current), idOf(other));
        assertThat(moto.signs(current)).isTrue();
        assertThat(moto.signs(other)).isTrue();
    }

    @Test
    void aReconcileMakesAKeyAndLeavesKeysItDoesNotKnow() {
        String user = newAccount("ar", null);
        String unknown = moto.newKey(user);
        ChangeResult r = keys.reconcile(new ReconcileRequest(keyTarget(), user, s(candidate()), admin()));
        String next = rotatedKey(r);
        assertThat(r.detail()).contains(idOf(unknown));
        assertThat(keyIds(user)).containsExactlyInAnyOrder(idOf(unknown), idOf(next));
        assertThat(moto.signs(next)).isTrue();
    }

    @Test
    void aKeyOfAnotherUserOrWithAWrongSecretIsRejected() {
        String user = newAccount("aw", null);
        String mine = moto.newKey(user);
        String stranger = newAccount("ax", null);
        String theirs = moto.newKey(stranger);
        VerifyResult other = keys.verify(new VerifyRequest(keyTarget(), new Login(user, s(theirs))));
        assertThat(other.outcome()).as(other.detail()).isEqualTo(VerifyResult.Outcome.REJECTED);
        assertThat(other.detail()).contains("not as IAM user " + user);
        String wrong = mine.substring(0, mine.length() - 1) + (mine.endsWith("A") ? "B" : "A");
        assertThat(keys.verify(new VerifyRequest(keyTarget(), new Login(user, s(wrong)))).outcome()).isEqualTo(VerifyResult.Outcome.REJECTED);
        VerifyResult malformed = keys.verify(new VerifyRequest(keyTarget(), new Login(user, s("not-a-key"))));
        assertThat(malformed.outcome()).isEqualTo(VerifyResult.Outcome.REJECTED);
        assertThat(malformed.detail()).contains("AKIA or ASIA").doesNotContain("not-a-key");
    }
}
