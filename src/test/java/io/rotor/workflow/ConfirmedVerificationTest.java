package io.rotor.workflow;

import io.rotor.connector.ConnectorRegistry;
import io.rotor.connector.VerificationKind;
import io.rotor.domain.AccountStatus;
import io.rotor.domain.CredentialType;
import io.rotor.domain.PasswordGenerator;
import io.rotor.domain.Secret;
import io.rotor.domain.Slot;
import io.rotor.domain.Target;
import io.rotor.domain.TlsMode;
import io.rotor.vault.AuditRecord;
import io.rotor.vault.MasterKey;
import io.rotor.vault.StoredCredential;
import io.rotor.vault.Vault;
import io.rotor.workflow.OperationResult.Outcome;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The protocol on a target whose verify is only a confirmed change (a cloud console: no login Rotor can try).
 * Recovery cannot probe which version is live, so it re-applies PENDING through the admin API and commits only when
 * the target accepts it; it never drops PENDING on a probe (docs/architecture.md, "Confirmed verification").
 */
@org.junit.jupiter.api.TestInstance(org.junit.jupiter.api.TestInstance.Lifecycle.PER_CLASS)
class ConfirmedVerificationTest {
    @TempDir
    static Path dataDir;

    /** One vault for the class (opening one is the slow part); each test has its own target, accounts and double. */
    private Vault vault;
    private FakeTarget target;
    private RotationService rotation;
    private int run;
    private String t;
    private String alice;
    private String root;

    @org.junit.jupiter.api.BeforeAll
    void openVault() {
        vault = Vault.open(null, null, null, dataDir, MasterKey.load(null, dataDir.resolve("master.key")), 4);
    }

    @BeforeEach
    void freshTarget() {
        run++;
        t = "t" + run;
        alice = "alice" + run;
        root = "root" + run;
        target = new FakeTarget();
        target.kind = VerificationKind.CONFIRMED;
        ConnectorRegistry registry = new ConnectorRegistry();
        registry.register(target);
        rotation = new RotationService(vault, registry, new PasswordGenerator(), new RotorMetrics(), Duration.ofMinutes(5), 3);
        vault.targets().upsertTarget(new Target(t, "fake", "localhost", 1, null, TlsMode.DISABLE, null, null, Map.of()));
        account(root, "admin-Passw0rd!");
        account(alice, "old-Passw0rd!");
        vault.targets().upsertTarget(new Target(t, "fake", "localhost", 1, null, TlsMode.DISABLE, root, null, Map.of()));
    }

    @org.junit.jupiter.api.AfterAll
    void close() throws Exception {
        vault.close();
    }

    private void account(String username, String password) {
        vault.accounts().upsertAccount(username, t, username, CredentialType.PASSWORD, null);
        target.passwords.put(username, password);
        rotation.set(username, Secret.fromUtf8(password.getBytes(StandardCharsets.UTF_8)), true, "test");
    }

    private String stored(Slot slot) {
        return vault.credentials().read(alice, slot).map(c -> {
            try (StoredCredential credential = c) {
                return credential.secret().reveal();
            }
        }).orElse(null);
    }

    private AccountStatus status() {
        return vault.accounts().findAccount(alice).orElseThrow().status();
    }

    @Test
    void aConfirmedRotationIsConfirmedThroughTheAdminLoginAndSaysSo() {
        OperationResult result = rotation.rotate(alice, "test");

        assertThat(result.outcome()).as(result.detail()).isEqualTo(Outcome.SUCCEEDED);
        assertThat(result.detail()).contains("confirmed through the admin API").doesNotContain("fresh login");
        assertThat(target.lastVerify.admin()).as("the verify got the admin login to read the account with").isNotNull();
        assertThat(target.lastVerify.admin().username()).isEqualTo(root);
        assertThat(stored(Slot.CURRENT)).isEqualTo(target.passwords.get(alice)).isNotEqualTo("old-Passw0rd!");
        assertThat(vault.audit().trail(alice, 20)).extracting(AuditRecord::detail)
                .anyMatch(d -> d.contains("confirmed through the admin API"));
        // what the account view and `rotor accounts` show
        assertThat(rotation.verificationKind(alice)).isEqualTo(VerificationKind.CONFIRMED);
        target.kind = VerificationKind.LOGIN;
        assertThat(rotation.verificationKind(alice)).isEqualTo(VerificationKind.LOGIN);
        assertThat(rotation.verificationKind("nobody")).isNull();
    }

    @Test
    void afterAnUnknownOutcomeThatTookRecoveryReappliesPendingAndCommits() {
        target.unknownAfterApplying = true;
        int verifiesBefore = target.logins;

        OperationResult result = rotation.rotate(alice, "test");

        assertThat(result.outcome()).as(result.detail()).isEqualTo(Outcome.RECOVERED_FORWARD);
        assertThat(result.detail()).contains("re-applied");
        String committed = stored(Slot.CURRENT);
        assertThat(target.reconciledTo).as("PENDING was set again through the admin API").containsExactly(committed);
        assertThat(target.lastReconcile.admin().username()).isEqualTo(root);
        assertThat(committed).isEqualTo(target.passwords.get(alice)).isNotEqualTo("old-Passw0rd!");
        assertThat(stored(Slot.PREVIOUS)).isEqualTo("old-Passw0rd!");
        assertThat(vault.credentials().has(alice, Slot.PENDING)).isFalse();
        assertThat(status()).isEqualTo(AccountStatus.IN_SYNC);
        assertThat(target.logins - verifiesBefore).as("recovery probed no version: a probe proves nothing here").isZero();
    }

    @Test
    void afterAnUnknownOutcomeThatDidNotTakeTheReapplyMakesPendingLive() {
        target.unknownWithoutApplying = true;

        OperationResult result = rotation.rotate(alice, "test");

        // a LOGIN target would find CURRENT working and wait out the quiet period; here the set is simply repeated
        assertThat(result.outcome()).as(result.detail()).isEqualTo(Outcome.RECOVERED_FORWARD);
        assertThat(stored(Slot.CURRENT)).isEqualTo(target.passwords.get(alice)).isNotEqualTo("old-Passw0rd!");
        assertThat(vault.credentials().has(alice, Slot.PENDING)).isFalse();
    }

    @Test
    void aFailedReapplyKeepsPendingAndTheNextRecoveryCommitsIt() {
        target.unknownWithoutApplying = true;
        target.rejectNextReconciles = 1;

        OperationResult result = rotation.rotate(alice, "test");

        assertThat(result.outcome()).as(result.detail()).isEqualTo(Outcome.NEEDS_RECONCILE);
        assertThat(status()).isEqualTo(AccountStatus.NEEDS_RECONCILE);
        String pending = stored(Slot.PENDING);
        assertThat(pending).as("a candidate that might be live is never discarded").isNotNull();
        assertThat(stored(Slot.CURRENT)).isEqualTo("old-Passw0rd!");
        assertThat(target.passwords.get(alice)).as("nothing was applied").isEqualTo("old-Passw0rd!");

        OperationResult again = rotation.recover(alice, "test");

        assertThat(again.outcome()).isEqualTo(Outcome.RECOVERED_FORWARD);
        assertThat(stored(Slot.CURRENT)).isEqualTo(pending).isEqualTo(target.passwords.get(alice));
        assertThat(vault.credentials().has(alice, Slot.PENDING)).isFalse();
    }

    @Test
    void anUnknownReapplyKeepsPendingForTheNextRecovery() {
        target.unknownWithoutApplying = true;
        target.unknownNextReconciles = 1;

        OperationResult result = rotation.rotate(alice, "test");

        assertThat(result.outcome()).as(result.detail()).isEqualTo(Outcome.UNKNOWN);
        assertThat(status()).isEqualTo(AccountStatus.PENDING);
        String pending = stored(Slot.PENDING);
        assertThat(pending).isNotNull();
        assertThat(vault.accounts().accountsWithPending()).as("the recovery timer's list").contains(alice);

        OperationResult again = rotation.recover(alice, "recovery");

        assertThat(again.outcome()).isEqualTo(Outcome.RECOVERED_FORWARD);
        assertThat(stored(Slot.CURRENT)).isEqualTo(pending).isEqualTo(target.passwords.get(alice));
    }

    @Test
    void withoutAnAdminAccountPendingIsKeptAndTheAccountNeedsReconcile() {
        vault.targets().upsertTarget(new Target(t, "fake", "localhost", 1, null, TlsMode.DISABLE, null, null, Map.of()));
        target.unknownAfterApplying = true;

        OperationResult result = rotation.rotate(alice, "test");

        assertThat(result.outcome()).as(result.detail()).isEqualTo(Outcome.NEEDS_RECONCILE);
        assertThat(result.detail()).contains("no admin account");
        assertThat(vault.credentials().has(alice, Slot.PENDING)).isTrue();
        assertThat(stored(Slot.CURRENT)).isEqualTo("old-Passw0rd!");
    }

    @Test
    void aLoginTargetStillProbesAfterAnUnknownOutcome() {
        target.kind = VerificationKind.LOGIN;
        target.unknownAfterApplying = true;

        OperationResult result = rotation.rotate(alice, "test");

        assertThat(result.outcome()).as(result.detail()).isEqualTo(Outcome.RECOVERED_FORWARD);
        assertThat(target.reconciledTo).as("a login probe settled it; nothing was re-applied").isEmpty();
        assertThat(target.lastVerify.admin()).as("a LOGIN connector never gets the admin login for a verify").isNull();
    }
}
