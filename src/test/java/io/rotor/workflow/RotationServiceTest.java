package io.rotor.workflow;

import io.rotor.connector.ConnectorRegistry;
import io.rotor.domain.AccountStatus;
import io.rotor.domain.CredentialType;
import io.rotor.domain.PasswordGenerator;
import io.rotor.domain.PasswordPolicy;
import io.rotor.domain.Secret;
import io.rotor.domain.Slot;
import io.rotor.domain.Target;
import io.rotor.domain.TlsMode;
import io.rotor.vault.AuditRecord;
import io.rotor.vault.MasterKey;
import io.rotor.vault.StoredCredential;
import io.rotor.vault.UnknownAccountException;
import io.rotor.vault.Vault;
import io.rotor.workflow.OperationResult.Outcome;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The rotation protocol's decisions, against an in-memory target double (the real targets are in *IT tests). */
class RotationServiceTest {
    @TempDir
    Path dataDir;

    private Vault vault;
    private FakeTarget target;
    private RotationService rotation;

    @BeforeEach
    void openVault() {
        vault = Vault.open(null, null, null, dataDir, MasterKey.load(null, dataDir.resolve("master.key")), 4);
        target = new FakeTarget();
        ConnectorRegistry registry = new ConnectorRegistry();
        registry.register(target);
        rotation = new RotationService(vault, registry, new PasswordGenerator(), new RotorMetrics(), Duration.ofMinutes(5), 3);
        vault.targets().upsertTarget(new Target("t1", "fake", "localhost", 1, null, TlsMode.DISABLE, null, null, Map.of()));
        account("alice", "old-Passw0rd!");
    }

    @AfterEach
    void close() throws Exception {
        vault.close();
    }

    private void account(String username, String password) {
        vault.accounts().upsertAccount(username, "t1", username, CredentialType.PASSWORD, null);
        target.passwords.put(username, password);
        rotation.set(username, secret(password), true, "test");
    }

    private static Secret secret(String value) {
        return Secret.fromUtf8(value.getBytes(StandardCharsets.UTF_8));
    }

    private String stored(String accountId, Slot slot) {
        return vault.credentials().read(accountId, slot).map(c -> {
            try (StoredCredential credential = c) {
                return credential.secret().reveal();
            }
        }).orElse(null);
    }

    @Test
    void rotationChangesTheTargetVerifiesAndShiftsVersions() {
        OperationResult result = rotation.rotate("alice", "test");

        assertThat(result.outcome()).isEqualTo(Outcome.SUCCEEDED);
        String current = stored("alice", Slot.CURRENT);
        assertThat(current).isNotEqualTo("old-Passw0rd!").isEqualTo(target.passwords.get("alice"));
        assertThat(stored("alice", Slot.PREVIOUS)).isEqualTo("old-Passw0rd!");
        assertThat(vault.credentials().has("alice", Slot.PENDING)).isFalse();
        assertThat(vault.accounts().findAccount("alice").orElseThrow().status()).isEqualTo(AccountStatus.IN_SYNC);
        assertThat(vault.audit().trail("alice", 20)).extracting(AuditRecord::operation).contains("PENDING_WRITTEN", "ROTATE");
    }

    @Test
    void aRejectedPasswordIsReplacedByAFreshOneNotRetried() {
        target.rejectNextChanges = 2;

        OperationResult result = rotation.rotate("alice", "test");

        assertThat(result.outcome()).isEqualTo(Outcome.SUCCEEDED);
        assertThat(target.offered).hasSize(3).doesNotHaveDuplicates();
        assertThat(stored("alice", Slot.CURRENT)).isEqualTo(target.offered.get(2));
    }

    @Test
    void aTargetThatKeepsRejectingLeavesCurrentUntouchedAndNothingPending() {
        target.rejectNextChanges = 10;

        OperationResult result = rotation.rotate("alice", "test");

        assertThat(result.outcome()).isEqualTo(Outcome.REJECTED);
        assertThat(result.detail()).contains("policy");
        assertThat(stored("alice", Slot.CURRENT)).isEqualTo("old-Passw0rd!");
        assertThat(vault.credentials().has("alice", Slot.PENDING)).isFalse();
    }

    @Test
    void anUnknownOutcomeThatTookIsRecoveredForward() {
        target.unknownAfterApplying = true;

        OperationResult result = rotation.rotate("alice", "test");

        assertThat(result.outcome()).isEqualTo(Outcome.RECOVERED_FORWARD);
        assertThat(stored("alice", Slot.CURRENT)).isEqualTo(target.passwords.get("alice")).isNotEqualTo("old-Passw0rd!");
        assertThat(vault.credentials().has("alice", Slot.PENDING)).isFalse();
    }

    /** The same vault and target seen once the quiet period after an unknown outcome has passed (no sleep needed). */
    private RotationService afterQuietPeriod() {
        ConnectorRegistry registry = new ConnectorRegistry();
        registry.register(target);
        return new RotationService(vault, registry, new PasswordGenerator(), new RotorMetrics(),
                new ProtocolTiming(Duration.ofMinutes(5), Duration.ofSeconds(40), Duration.ofSeconds(900), Duration.ZERO), 3);
    }

    @Test
    void anUnknownOutcomeKeepsTheCandidateWhileCurrentStillWorksAndTheChangeMayLand() {
        target.unknownWithoutApplying = true;

        OperationResult result = rotation.rotate("alice", "test");

        // an immediate probe finds CURRENT working, but the change may still land: PENDING is kept
        assertThat(result.outcome()).isEqualTo(Outcome.UNKNOWN);
        assertThat(result.status()).isEqualTo(AccountStatus.PENDING);
        String candidate = stored("alice", Slot.PENDING);
        assertThat(candidate).isNotNull().isNotEqualTo("old-Passw0rd!");
        assertThat(vault.accounts().findAccount("alice").orElseThrow().status()).isEqualTo(AccountStatus.PENDING);
        assertThat(rotation.recover("alice", "test").outcome()).as("still in its quiet period").isEqualTo(Outcome.UNKNOWN);

        // the change lands late (an ALTER ROLE queued behind a lock): the kept candidate is committed
        target.passwords.put("alice", candidate);
        assertThat(rotation.recover("alice", "test").outcome()).isEqualTo(Outcome.RECOVERED_FORWARD);
        assertThat(stored("alice", Slot.CURRENT)).isEqualTo(candidate).isEqualTo(target.passwords.get("alice"));
        assertThat(stored("alice", Slot.PREVIOUS)).isEqualTo("old-Passw0rd!");
    }

    @Test
    void anUnknownOutcomeThatNeverTookIsRolledBackOnlyAfterTheQuietPeriod() {
        target.unknownWithoutApplying = true;
        assertThat(rotation.rotate("alice", "test").outcome()).isEqualTo(Outcome.UNKNOWN);

        OperationResult result = afterQuietPeriod().recover("alice", "recovery");

        assertThat(result.outcome()).isEqualTo(Outcome.ROLLED_BACK);
        assertThat(stored("alice", Slot.CURRENT)).isEqualTo("old-Passw0rd!").isEqualTo(target.passwords.get("alice"));
        assertThat(vault.credentials().has("alice", Slot.PENDING)).isFalse();
    }

    @Test
    void abandoningACandidateReassertsCurrentThroughTheAdminAccount() {
        account("root", "admin-Passw0rd!");
        vault.targets().upsertTarget(new Target("t1", "fake", "localhost", 1, null, TlsMode.DISABLE, "root", null, Map.of()));
        target.unknownWithoutApplying = true;
        assertThat(rotation.rotate("alice", "test").outcome()).isEqualTo(Outcome.UNKNOWN);
        target.unknownWithoutApplying = false;

        OperationResult result = afterQuietPeriod().recover("alice", "recovery");

        assertThat(result.outcome()).isEqualTo(Outcome.ROLLED_BACK);
        assertThat(result.detail()).contains("re-asserted through admin account root");
        assertThat(target.lastReconcile.username()).isEqualTo("alice");
        assertThat(target.reconciledTo).containsExactly("old-Passw0rd!");
        assertThat(target.passwords.get("alice")).isEqualTo("old-Passw0rd!");
        assertThat(vault.credentials().has("alice", Slot.PENDING)).isFalse();
    }

    @Test
    void anUnreachableTargetDuringRecoveryKeepsPendingUntilItAnswers() {
        target.unreachableAfterChange = true;

        OperationResult result = rotation.rotate("alice", "test");

        assertThat(result.outcome()).isEqualTo(Outcome.UNREACHABLE);
        assertThat(vault.credentials().has("alice", Slot.PENDING)).isTrue();
        assertThat(vault.accounts().findAccount("alice").orElseThrow().status()).isEqualTo(AccountStatus.PENDING);
        assertThat(vault.accounts().accountsWithPending()).containsExactly("alice");

        target.unreachable = false;
        OperationTally tally = new RecoveryService(vault.accounts(), rotation).recoverAll();

        assertThat(tally.counts()).containsEntry(Outcome.RECOVERED_FORWARD, 1);
        assertThat(stored("alice", Slot.CURRENT)).isEqualTo(target.passwords.get("alice")).isNotEqualTo("old-Passw0rd!");
        assertThat(vault.credentials().has("alice", Slot.PENDING)).isFalse();
    }

    @Test
    void whenNoStoredVersionWorksEveryVersionIsKeptAndTheAccountNeedsReconcile() {
        rotation.rotate("alice", "test");
        target.hijackedAfterChange = true;

        OperationResult result = rotation.rotate("alice", "test");

        assertThat(result.outcome()).isEqualTo(Outcome.NEEDS_RECONCILE);
        assertThat(vault.accounts().findAccount("alice").orElseThrow().status()).isEqualTo(AccountStatus.NEEDS_RECONCILE);
        assertThat(vault.credentials().has("alice", Slot.PENDING)).as("a candidate that might be live is never discarded").isTrue();
        assertThat(vault.credentials().has("alice", Slot.CURRENT)).isTrue();
        assertThat(vault.credentials().has("alice", Slot.PREVIOUS)).isTrue();
        assertThat(vault.accounts().accountsDueForReconcile()).as("back-off before the next attempt").isEmpty();
    }

    @Test
    void withAnAdminAccountRecoveryReconcilesWhatNothingElseOpens() {
        account("root", "admin-Passw0rd!");
        vault.targets().upsertTarget(new Target("t1", "fake", "localhost", 1, null, TlsMode.DISABLE, "root", null, Map.of()));
        target.hijackedAfterChange = true;

        OperationResult result = rotation.rotate("alice", "test");

        assertThat(result.outcome()).isEqualTo(Outcome.RECONCILED);
        assertThat(stored("alice", Slot.CURRENT)).isEqualTo(target.passwords.get("alice"));
        assertThat(vault.credentials().has("alice", Slot.PENDING)).isFalse();
    }

    @Test
    void anAdminAccountReconcilesAnAccountNobodyKnows() {
        account("root", "admin-Passw0rd!");
        vault.targets().upsertTarget(new Target("t1", "fake", "localhost", 1, null, TlsMode.DISABLE, "root", null, Map.of()));
        target.passwords.put("alice", "lost-forever");

        OperationResult result = rotation.reconcile("alice", "test");

        assertThat(result.outcome()).isEqualTo(Outcome.RECONCILED);
        assertThat(stored("alice", Slot.CURRENT)).isEqualTo(target.passwords.get("alice")).isNotEqualTo("lost-forever");
        assertThat(vault.accounts().findAccount("alice").orElseThrow().status()).isEqualTo(AccountStatus.IN_SYNC);
    }

    @Test
    void adminRotationDoesNotNeedTheAccountsOwnPassword() {
        account("root", "admin-Passw0rd!");
        vault.targets().upsertTarget(new Target("t1", "fake", "localhost", 1, null, TlsMode.DISABLE, "root", null, Map.of()));
        target.passwords.put("alice", "unknown-to-rotor");

        OperationResult result = rotation.rotate("alice", "test");

        assertThat(result.outcome()).isEqualTo(Outcome.SUCCEEDED);
        assertThat(stored("alice", Slot.CURRENT)).isEqualTo(target.passwords.get("alice"));
    }

    @Test
    void aVaultOnlySetLeavesTheAccountUnverifiedUntilAVerifyPasses() {
        OperationResult set = rotation.set("alice", secret("typed-by-operator-1"), true, "test");
        assertThat(set.status()).isEqualTo(AccountStatus.UNVERIFIED);
        assertThat(target.passwords.get("alice")).isEqualTo("old-Passw0rd!");

        assertThat(rotation.verify("alice", "test").outcome()).isEqualTo(Outcome.OUT_OF_SYNC);
        assertThat(vault.accounts().findAccount("alice").orElseThrow().status()).isEqualTo(AccountStatus.OUT_OF_SYNC);

        rotation.set("alice", secret("old-Passw0rd!"), true, "test");
        assertThat(rotation.verify("alice", "test").outcome()).isEqualTo(Outcome.SUCCEEDED);
        assertThat(vault.accounts().findAccount("alice").orElseThrow().status()).isEqualTo(AccountStatus.IN_SYNC);
    }

    @Test
    void aSetOnTheTargetUsesTheGivenValue() {
        OperationResult set = rotation.set("alice", secret("Chosen value ' \" \\ ; $ `"), false, "test");

        assertThat(set.outcome()).isEqualTo(Outcome.SUCCEEDED);
        assertThat(target.passwords.get("alice")).isEqualTo("Chosen value ' \" \\ ; $ `");
        assertThat(stored("alice", Slot.PREVIOUS)).isEqualTo("old-Passw0rd!");
    }

    @Test
    void badSetValuesAreRefusedAndChangeNothing() {
        long auditBefore = vault.audit().trail("alice", 1000).size();
        assertThatThrownBy(() -> rotation.set("alice", secret(""), false, "test")).hasMessageContaining("empty");
        assertThatThrownBy(() -> rotation.set("alice", secret("abc\0def"), true, "test")).hasMessageContaining("NUL");
        assertThatThrownBy(() -> rotation.set("alice", secret("abc\ndef"), true, "test")).hasMessageContaining("LF");

        assertThat(stored("alice", Slot.CURRENT)).isEqualTo("old-Passw0rd!");
        assertThat(vault.audit().trail("alice", 1000)).hasSize((int) auditBefore);
    }

    @Test
    void anUnknownAccountIsNamed() {
        assertThatThrownBy(() -> rotation.rotate("nobody", "test"))
                .isInstanceOf(UnknownAccountException.class).hasMessageContaining("'nobody'");
    }

    @Test
    void aBusyAccountIsNotTouched() {
        var lock = vault.accounts().tryLock("alice", Duration.ofMinutes(5)).orElseThrow();
        try {
            assertThat(rotation.rotate("alice", "test").outcome()).isEqualTo(Outcome.BUSY);
            assertThat(target.offered).isEmpty();
        } finally {
            vault.accounts().unlock(lock);
        }
    }

    @Test
    void aStaleWorkerCannotCommit() {
        // a lock that has already expired: with a 1 ms lifetime a fast vault could still hold it at the next tryLock
        var stale = vault.accounts().tryLock("alice", Duration.ofMillis(-1)).orElseThrow();
        long version = vault.credentials().writePending(stale, "r1", secret("candidate-1"), AuditRecord.of("t", "PENDING_WRITTEN", "alice", "t1", "r1", "PENDING", null));
        assertThat(version).isGreaterThan(0);
        // the lock expires and another worker takes the account over
        var fresh = vault.accounts().tryLock("alice", Duration.ofMinutes(5));
        assertThat(fresh).isPresent();

        assertThatThrownBy(() -> vault.credentials().commitPending(stale, AuditRecord.of("t", "ROTATE", "alice", "t1", "r1", "SUCCEEDED", null)))
                .hasMessageContaining("taken over");
        assertThat(stored("alice", Slot.CURRENT)).isEqualTo("old-Passw0rd!");
        assertThat(vault.credentials().has("alice", Slot.PENDING)).isTrue();
        vault.accounts().unlock(fresh.get());
    }

    @Test
    void aCommitThatReleasesTheLockFreesTheAccountAndAStaleOneStillCommitsNothing() {
        var lock = vault.accounts().tryLock("alice", Duration.ofMinutes(5)).orElseThrow();
        vault.credentials().writePending(lock, "r1", secret("candidate-1"), AuditRecord.of("t", "PENDING_WRITTEN", "alice", "t1", "r1", "PENDING", null));
        vault.credentials().commitPending(lock, AuditRecord.of("t", "ROTATE", "alice", "t1", "r1", "SUCCEEDED", null), true);
        assertThat(stored("alice", Slot.CURRENT)).isEqualTo("candidate-1");
        // released in the same transaction: the next operation takes the account at once, without an unlock
        var next = vault.accounts().tryLock("alice", Duration.ofMinutes(5));
        assertThat(next).isPresent();
        // the old token no longer opens anything
        assertThatThrownBy(() -> vault.credentials().writePending(lock, "r2", secret("candidate-2"),
                AuditRecord.of("t", "PENDING_WRITTEN", "alice", "t1", "r2", "PENDING", null))).hasMessageContaining("taken over");
        vault.credentials().writePending(next.get(), "r3", secret("candidate-3"), AuditRecord.of("t", "PENDING_WRITTEN", "alice", "t1", "r3", "PENDING", null));
        // the old lock's stale holder cannot commit and release what the new holder has pending
        assertThatThrownBy(() -> vault.credentials().commitPending(lock, AuditRecord.of("t", "ROTATE", "alice", "t1", "r3", "SUCCEEDED", null), true))
                .hasMessageContaining("taken over");
        assertThat(vault.credentials().has("alice", Slot.PENDING)).isTrue();
        assertThat(vault.accounts().tryLock("alice", Duration.ofMinutes(5))).isEmpty();
        vault.accounts().unlock(next.get());
    }

    @Test
    void aRotationLeavesTheAccountUnlocked() {
        assertThat(rotation.rotate("alice", "test").outcome()).isEqualTo(Outcome.SUCCEEDED);
        var lock = vault.accounts().tryLock("alice", Duration.ofMinutes(5));
        assertThat(lock).isPresent();
        vault.accounts().unlock(lock.get());
        assertThat(rotation.rotate("alice", "test").outcome()).isEqualTo(Outcome.SUCCEEDED);
        assertThat(vault.accounts().tryLock("alice", Duration.ofMinutes(5))).isPresent();
    }

    @Test
    void recoveryAtStartSettlesEveryPendingAccount() {
        account("bob", "bob-Passw0rd!");
        // simulate two crashes: one after the target changed, one before
        var lockA = vault.accounts().tryLock("alice", Duration.ofMinutes(5)).orElseThrow();
        vault.credentials().writePending(lockA, "ra", secret("alice-new-1"), AuditRecord.of("t", "PENDING_WRITTEN", "alice", "t1", "ra", "PENDING", null));
        target.passwords.put("alice", "alice-new-1");
        vault.accounts().unlock(lockA);
        var lockB = vault.accounts().tryLock("bob", Duration.ofMinutes(5)).orElseThrow();
        vault.credentials().writePending(lockB, "rb", secret("bob-new-1"), AuditRecord.of("t", "PENDING_WRITTEN", "bob", "t1", "rb", "PENDING", null));
        vault.accounts().unlock(lockB);

        OperationTally early = new RecoveryService(vault.accounts(), rotation).recoverAll();
        // bob's change may still land: within the quiet period his PENDING is kept although CURRENT works
        assertThat(early.counts()).containsEntry(Outcome.RECOVERED_FORWARD, 1).containsEntry(Outcome.UNKNOWN, 1);
        assertThat(stored("bob", Slot.PENDING)).isEqualTo("bob-new-1");

        OperationTally tally = new RecoveryService(vault.accounts(), afterQuietPeriod()).settleDeferred();

        assertThat(tally.counts()).containsEntry(Outcome.ROLLED_BACK, 1);
        assertThat(stored("alice", Slot.CURRENT)).isEqualTo("alice-new-1");
        assertThat(stored("bob", Slot.CURRENT)).isEqualTo("bob-Passw0rd!");
        assertThat(vault.accounts().accountsWithPending()).isEmpty();
        assertThat(List.of(vault.accounts().findAccount("alice").orElseThrow().status(), vault.accounts().findAccount("bob").orElseThrow().status()))
                .containsOnly(AccountStatus.IN_SYNC);
    }

    @Test
    void recoveryProbesAtMostThreeLogins() {
        var lock = vault.accounts().tryLock("alice", Duration.ofMinutes(5)).orElseThrow();
        vault.credentials().writePending(lock, "r", secret("never-applied"), AuditRecord.of("t", "PENDING_WRITTEN", "alice", "t1", "r", "PENDING", null));
        vault.accounts().unlock(lock);
        target.passwords.put("alice", "something-else");
        int before = target.logins;

        rotation.recover("alice", "test");

        assertThat(target.logins - before).isLessThanOrEqualTo(3);
    }

    @Test
    void aPolicyNamedDefaultIsTheBuiltInOneUntilTheInventoryDeclaresItsOwn() {
        vault.accounts().upsertAccount("dora", "t1", "dora", CredentialType.PASSWORD, "default");
        target.passwords.put("dora", "dora-old-1");
        rotation.set("dora", secret("dora-old-1"), true, "test");

        assertThat(rotation.rotate("dora", "test").outcome()).isEqualTo(Outcome.SUCCEEDED);
        assertThat(stored("dora", Slot.CURRENT)).hasSizeBetween(24, 32);

        vault.policies().upsertPolicy(new PasswordPolicy("default", 10, 10, 0, 0, 10, 0, "", "", false));
        assertThat(rotation.rotate("alice", "test").outcome()).isEqualTo(Outcome.SUCCEEDED);
        assertThat(stored("alice", Slot.CURRENT)).as("an account without a policy uses the declared default").matches("[0-9]{10}");
    }

    @Test
    void thePolicyIsUsedForGeneratedPasswords() {
        vault.policies().upsertPolicy(new PasswordPolicy("digits", 12, 12, 0, 0, 12, 0, "", "", false));
        vault.accounts().upsertAccount("carol", "t1", "carol", CredentialType.PASSWORD, "digits");
        target.passwords.put("carol", "carol-old-1");
        rotation.set("carol", secret("carol-old-1"), true, "test");

        rotation.rotate("carol", "test");

        assertThat(stored("carol", Slot.CURRENT)).matches("[0-9]{12}");
    }

    // ---------------------------------------------------------------- leases (docs/architecture.md, "Leases")

    /** Forges what a stalled worker looks like: its lease ran out by the vault database's clock. */
    private void expireLease(String accountId) {
        try (var connection = vault.dataSource().getConnection();
             var statement = connection.prepareStatement("UPDATE accounts SET lock_until = TIMESTAMP '2000-01-01 00:00:00' WHERE id = ?")) {
            statement.setString(1, accountId);
            assertThat(statement.executeUpdate()).isEqualTo(1);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aCommitThatFindsItsLockTakenOverWritesTheCandidateBackAsPending() {
        RotationService otherNode = afterQuietPeriod();
        List<OperationResult> meanwhile = new java.util.ArrayList<>();
        target.onChange = () -> {
            target.onChange = null;
            // while this worker talks to the target its lease is taken over (expired) by another node, which finds
            // CURRENT still working and drops the candidate that has not landed yet
            expireLease("alice");
            meanwhile.add(otherNode.recover("alice", "other-node"));
        };

        OperationResult result = rotation.rotate("alice", "test");

        assertThat(meanwhile).extracting(OperationResult::outcome).containsExactly(Outcome.ROLLED_BACK);
        String live = target.passwords.get("alice");
        assertThat(live).isNotEqualTo("old-Passw0rd!");
        assertThat(result.outcome()).isEqualTo(Outcome.UNKNOWN);
        assertThat(stored("alice", Slot.PENDING)).as("the live candidate is written back, never dropped").isEqualTo(live);
        assertThat(stored("alice", Slot.CURRENT)).isEqualTo("old-Passw0rd!");
        assertThat(vault.audit().trail("alice", 30)).extracting(AuditRecord::outcome).contains("WRITTEN_BACK");

        assertThat(otherNode.recover("alice", "recovery").outcome()).isEqualTo(Outcome.RECOVERED_FORWARD);
        assertThat(stored("alice", Slot.CURRENT)).isEqualTo(live);
    }

    @Test
    void aLiveWorkersLeaseIsRenewedWhileItsConnectorCallRuns() {
        ConnectorRegistry registry = new ConnectorRegistry();
        registry.register(target);
        RotationService shortLease = new RotationService(vault, registry, new PasswordGenerator(), new RotorMetrics(),
                new ProtocolTiming(Duration.ofSeconds(1), Duration.ofSeconds(40), Duration.ofSeconds(900), Duration.ofSeconds(60)), 3);
        List<OperationResult> meanwhile = new java.util.ArrayList<>();
        target.onChange = () -> {
            target.onChange = null;
            try {
                Thread.sleep(1_600); // a slow target: longer than the lease itself
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            meanwhile.add(afterQuietPeriod().recover("alice", "other-node"));
        };

        OperationResult result = shortLease.rotate("alice", "test");

        assertThat(meanwhile).extracting(OperationResult::outcome).containsExactly(Outcome.BUSY);
        assertThat(result.outcome()).isEqualTo(Outcome.SUCCEEDED);
        assertThat(stored("alice", Slot.CURRENT)).isEqualTo(target.passwords.get("alice"));
    }

    @Test
    void settingsUnderWhichAnOperationCouldOutliveItsLeaseAreRefusedAtConfiguration() {
        ConnectorRegistry registry = new ConnectorRegistry();
        registry.register(target);
        ProtocolTiming tooSlow = new ProtocolTiming(Duration.ofSeconds(60), Duration.ofSeconds(100), Duration.ofSeconds(900),
                Duration.ofSeconds(60));

        assertThatThrownBy(() -> new RotationService(vault, registry, new PasswordGenerator(), new RotorMetrics(), tooSlow, 3))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("1100 s")
                .hasMessageContaining("rotor.rotation.max-hold-seconds (900 s)");
        assertThat(tooSlow.worstCase(1)).isEqualTo(Duration.ofSeconds(700));
    }

    // ---------------------------------------------------------------- set never destroys a working credential

    @Test
    void twoMistakenVaultOnlySetsKeepTheLastPasswordThatWorked() {
        assertThat(rotation.verify("alice", "test").outcome()).isEqualTo(Outcome.SUCCEEDED);

        rotation.set("alice", secret("typo-one-1!A"), true, "operator");
        rotation.set("alice", secret("typo-two-2!B"), true, "operator");

        assertThat(stored("alice", Slot.CURRENT)).isEqualTo("typo-two-2!B");
        assertThat(stored("alice", Slot.PREVIOUS)).as("the verified password is not pushed out by an unverified one")
                .isEqualTo("old-Passw0rd!").isEqualTo(target.passwords.get("alice"));
    }

    @Test
    void aVaultOnlySetNeverReplacesAPendingCandidate() {
        target.unknownWithoutApplying = true;
        assertThat(rotation.rotate("alice", "test").outcome()).isEqualTo(Outcome.UNKNOWN);
        String candidate = stored("alice", Slot.PENDING);

        OperationResult set = rotation.set("alice", secret("operator-1!Aa"), true, "operator");

        assertThat(set.success()).isFalse();
        assertThat(set.detail()).contains("not settled");
        assertThat(stored("alice", Slot.PENDING)).isEqualTo(candidate);
        assertThat(stored("alice", Slot.CURRENT)).isEqualTo("old-Passw0rd!");
    }
}
