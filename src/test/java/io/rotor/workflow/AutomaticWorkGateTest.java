package io.rotor.workflow;

import io.rotor.connector.ConnectorRegistry;
import io.rotor.domain.AccountStatus;
import io.rotor.domain.CredentialType;
import io.rotor.domain.PasswordGenerator;
import io.rotor.domain.Secret;
import io.rotor.domain.Slot;
import io.rotor.domain.Target;
import io.rotor.domain.TlsMode;
import io.rotor.vault.AccountRepository.AutomaticState;
import io.rotor.vault.AuditRecord;
import io.rotor.vault.MasterKey;
import io.rotor.vault.StoredCredential;
import io.rotor.vault.Vault;
import io.rotor.workflow.OperationResult.Outcome;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The no-lockout and checkout rules around the protocol (docs/architecture.md, "Automatic work"), on a target double. */
class AutomaticWorkGateTest {
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
        AutomaticWorkGate gate = new AutomaticWorkGate(vault.accounts(), vault.targets(), 3, Duration.ofHours(1),
                Duration.ofMinutes(30), Clock.systemUTC());
        rotation = new RotationService(vault, registry, new PasswordGenerator(), new RotorMetrics(), Duration.ofMinutes(5), 3, gate);
        vault.targets().upsertTarget(new Target("t1", "fake", "localhost", 1, null, TlsMode.DISABLE, null, null, Map.of()));
        account("alice", "old-Passw0rd!");
        rotation.verify("alice", "test");
    }

    @AfterEach
    void close() throws Exception {
        vault.close();
    }

    private void account(String username, String password) {
        vault.accounts().upsertAccount(username, "t1", username, CredentialType.PASSWORD, null);
        target.passwords.put(username, password);
        rotation.set(username, Secret.fromUtf8(password.getBytes(StandardCharsets.UTF_8)), true, "test");
    }

    private AccountStatus status(String id) {
        return vault.accounts().findAccount(id).orElseThrow().status();
    }

    private String stored(String accountId) {
        return vault.credentials().read(accountId, Slot.CURRENT).map(c -> {
            try (StoredCredential credential = c) {
                return credential.secret().reveal();
            }
        }).orElse(null);
    }

    @Test
    void automaticActorsAreTheSchedulesRecoveryAndJobsNotPeople() {
        assertThat(AutomaticWorkGate.isAutomatic("heartbeat")).isTrue();
        assertThat(AutomaticWorkGate.isAutomatic("schedule")).isTrue();
        assertThat(AutomaticWorkGate.isAutomatic("recovery")).isTrue();
        assertThat(AutomaticWorkGate.isAutomatic("job:42:alice")).isTrue();
        assertThat(AutomaticWorkGate.isAutomatic("cli:root")).isFalse();
        assertThat(AutomaticWorkGate.isAutomatic("api:token:ci")).isFalse();
        assertThat(AutomaticWorkGate.isAutomatic(null)).isFalse();
    }

    @Test
    void aHeartbeatNeverRetriesAnOutOfSyncAccount() {
        target.passwords.put("alice", "changed-behind-rotors-back");
        assertThat(rotation.verify("alice", "heartbeat").outcome()).isEqualTo(Outcome.OUT_OF_SYNC);
        int refused = target.refusedLogins;

        for (int i = 0; i < 10; i++) {
            OperationResult again = rotation.verify("alice", "heartbeat");
            assertThat(again.outcome()).isEqualTo(Outcome.SKIPPED);
            assertThat(again.detail()).contains("OUT_OF_SYNC");
        }

        assertThat(target.refusedLogins).as("no login after the first refusal").isEqualTo(refused);
        assertThat(vault.accounts().accountsOnRealTargets()).doesNotContain("alice");
        // a person may still check it: that is a deliberate, audited login
        assertThat(rotation.verify("alice", "cli:root").outcome()).isEqualTo(Outcome.OUT_OF_SYNC);
        assertThat(target.refusedLogins).isEqualTo(refused + 1);
    }

    @Test
    void aScheduledSelfRotationOfAnOutOfSyncAccountIsSkipped() {
        target.passwords.put("alice", "changed-behind-rotors-back");
        rotation.verify("alice", "cli:root");
        int refused = target.refusedLogins;

        OperationResult result = rotation.rotate("alice", "schedule");

        assertThat(result.outcome()).isEqualTo(Outcome.SKIPPED);
        assertThat(result.detail()).contains("self-rotation");
        assertThat(target.refusedLogins).isEqualTo(refused);
    }

    @Test
    void aRefusedLoginIsNotARejectedPasswordAndIsNotRetriedWithFreshOnes() {
        target.passwords.put("alice", "changed-behind-rotors-back");

        OperationResult result = rotation.rotate("alice", "cli:root");

        assertThat(result.outcome()).isEqualTo(Outcome.OUT_OF_SYNC);
        assertThat(target.refusedLogins).as("one login, not one per fresh password").isEqualTo(1);
        assertThat(target.offered).isEmpty();
        assertThat(status("alice")).isEqualTo(AccountStatus.OUT_OF_SYNC);
        assertThat(vault.credentials().has("alice", Slot.PENDING)).isFalse();
        assertThat(stored("alice")).isEqualTo("old-Passw0rd!");
    }

    @Test
    void anAdminLoginFailureStopsTheAccountAndPausesThatAdminForAutomaticWork() {
        account("root", "admin-Passw0rd!");
        account("bob", "bob-Passw0rd!");
        vault.targets().upsertTarget(new Target("t1", "fake", "localhost", 1, null, TlsMode.DISABLE, "root", null, Map.of()));
        target.passwords.put("root", "someone-changed-the-admin");

        OperationResult first = rotation.rotate("alice", "job:7:ops");
        OperationResult second = rotation.rotate("bob", "job:7:ops");

        assertThat(first.outcome()).isEqualTo(Outcome.ADMIN_LOGIN_FAILED);
        assertThat(first.detail()).contains("admin login");
        assertThat(second.outcome()).isEqualTo(Outcome.ADMIN_LOGIN_FAILED);
        assertThat(second.detail()).startsWith("not tried");
        assertThat(target.refusedLogins).as("one admin login for the whole job, no fresh passwords").isEqualTo(1);
        assertThat(target.offered).isEmpty();
        assertThat(stored("alice")).isEqualTo("old-Passw0rd!");
        assertThat(vault.accounts().automaticState("root").orElseThrow().failedOperations()).isEqualTo(1);
        assertThat(vault.accounts().automaticState("alice").orElseThrow().failedOperations()).isZero();

        // once the admin's credential is fixed (a new version), automatic work uses it again
        target.passwords.put("root", "fixed-Passw0rd!");
        rotation.set("root", Secret.fromUtf8("fixed-Passw0rd!".getBytes(StandardCharsets.UTF_8)), true, "cli:root");
        assertThat(rotation.rotate("bob", "job:8:ops").outcome()).isEqualTo(Outcome.SUCCEEDED);
    }

    @Test
    void afterNConsecutiveFailuresTheAccountIsDisabledWithTheReasonUntilAnAdminEnablesIt() {
        target.rejectNextChanges = 100;
        OperationResult last = null;
        for (int i = 0; i < 3; i++) {
            last = rotation.rotate("alice", "schedule");
            assertThat(last.outcome()).isEqualTo(Outcome.REJECTED);
        }
        assertThat(last.status()).isEqualTo(AccountStatus.DISABLED);
        assertThat(last.detail()).contains("DISABLED for automatic work after 3");
        AutomaticState state = vault.accounts().automaticState("alice").orElseThrow();
        assertThat(state.disabled()).isTrue();
        assertThat(state.disabledReason()).contains("3 consecutive failed operation(s)").contains("policy");
        assertThat(status("alice")).isEqualTo(AccountStatus.DISABLED);
        assertThat(vault.audit().trail("alice", 50)).extracting(AuditRecord::operation).contains("DISABLE");

        int offered = target.offered.size();
        assertThat(rotation.rotate("alice", "schedule").outcome()).isEqualTo(Outcome.SKIPPED);
        assertThat(rotation.verify("alice", "heartbeat").outcome()).isEqualTo(Outcome.SKIPPED);
        assertThat(rotation.rotate("alice", "job:1:ops").detail()).contains("DISABLED for automatic work");
        assertThat(target.offered).hasSize(offered);

        // a person's operation still runs, and does not quietly re-enable automatic work
        target.rejectNextChanges = 0;
        assertThat(rotation.rotate("alice", "cli:root").outcome()).isEqualTo(Outcome.SUCCEEDED);
        assertThat(status("alice")).isEqualTo(AccountStatus.DISABLED);
        assertThat(rotation.rotate("alice", "schedule").outcome()).isEqualTo(Outcome.SKIPPED);

        assertThat(vault.accounts().enable("alice", AuditRecord.of("cli:root", "ENABLE", "alice", "t1", null, "SUCCEEDED",
                "re-enabled"))).isTrue();
        assertThat(status("alice")).as("nobody knows whether CURRENT works now").isEqualTo(AccountStatus.UNVERIFIED);
        assertThat(vault.accounts().automaticState("alice").orElseThrow().failedOperations()).isZero();
        assertThat(rotation.rotate("alice", "schedule").outcome()).isEqualTo(Outcome.SUCCEEDED);
        assertThat(vault.accounts().enable("alice", AuditRecord.of("cli:root", "ENABLE", "alice", "t1", null, "SUCCEEDED",
                "again"))).as("not disabled: nothing to do").isFalse();
    }

    @Test
    void aSuccessEndsTheRunOfFailures() {
        target.rejectNextChanges = 2 * 3; // two rotations, three fresh passwords each
        rotation.rotate("alice", "schedule");
        rotation.rotate("alice", "schedule");
        assertThat(vault.accounts().automaticState("alice").orElseThrow().failedOperations()).isEqualTo(2);

        assertThat(rotation.verify("alice", "heartbeat").outcome()).isEqualTo(Outcome.SUCCEEDED);

        assertThat(vault.accounts().automaticState("alice").orElseThrow().failedOperations()).isZero();
        target.rejectNextChanges = 3;
        rotation.rotate("alice", "schedule");
        assertThat(status("alice")).isNotEqualTo(AccountStatus.DISABLED);
    }

    @Test
    void failuresOutsideTheWindowStartANewRun() {
        vault.accounts().recordOutcome("alice", true, 3, Duration.ofHours(1), "x", "test");
        vault.accounts().recordOutcome("alice", true, 3, Duration.ofHours(1), "x", "test");
        // a zero-length window: the run's first failure is always older than the window, so each failure starts over
        AutomaticState state = vault.accounts().recordOutcome("alice", true, 3, Duration.ZERO, "x", "test");
        assertThat(state.failedOperations()).isEqualTo(1);
        assertThat(state.disabled()).isFalse();
        assertThat(state.firstFailedAt()).isNotNull();
    }

    @Test
    void checkoutIsExclusiveForEveryoneButItsHolder() {
        vault.accounts().checkOut("alice", "api:token:ann", AuditRecord.of("api:token:ann", "REVEAL", "alice", "t1", null,
                "SUCCEEDED", "checked out"));

        for (String actor : new String[]{"schedule", "job:3:ops", "cli:root", "api:token:bob"}) {
            OperationResult result = rotation.rotate("alice", actor);
            assertThat(result.outcome()).as(actor).isEqualTo(Outcome.SKIPPED_CHECKED_OUT);
            assertThat(result.detail()).contains("api:token:ann").contains("checkin");
        }
        assertThat(rotation.verify("alice", "heartbeat").outcome()).isEqualTo(Outcome.SKIPPED_CHECKED_OUT);
        assertThat(rotation.reconcile("alice", "cli:root").outcome()).isEqualTo(Outcome.SKIPPED_CHECKED_OUT);
        assertThat(rotation.set("alice", null, true, "cli:root").outcome()).isEqualTo(Outcome.SKIPPED_CHECKED_OUT);
        assertThat(target.offered).isEmpty();
        assertThat(stored("alice")).isEqualTo("old-Passw0rd!");
        // skips count as nothing: they say nothing about the account
        assertThat(vault.accounts().automaticState("alice").orElseThrow().failedOperations()).isZero();

        assertThat(rotation.rotate("alice", "api:token:ann").outcome()).as("the holder itself").isEqualTo(Outcome.SUCCEEDED);
    }

    @Test
    void needsReconcileIsLeftToTheRetryOncePerBackOffWindow() {
        target.passwords.put("alice", "something-else-entirely");
        io.rotor.vault.AccountLock lock = vault.accounts().tryLock("alice", Duration.ofMinutes(1)).orElseThrow();
        vault.credentials().writePending(lock, "r1", Secret.fromUtf8("pending-guess-1".getBytes(StandardCharsets.UTF_8)),
                AuditRecord.of("test", "PENDING_WRITTEN", "alice", "t1", "r1", "PENDING", "test"));
        vault.accounts().unlock(lock);
        // recovery finds nothing that logs in and there is no admin: NEEDS_RECONCILE with a back-off
        assertThat(rotation.recover("alice", "recovery").outcome()).isEqualTo(Outcome.NEEDS_RECONCILE);
        int refused = target.refusedLogins;

        assertThat(rotation.recover("alice", "recovery").outcome()).isEqualTo(Outcome.SKIPPED);
        assertThat(rotation.retryReconcile("alice", "recovery").detail()).contains("back-off");
        assertThat(rotation.verify("alice", "heartbeat").outcome()).isEqualTo(Outcome.SKIPPED);
        assertThat(rotation.rotate("alice", "job:1:ops").outcome()).isEqualTo(Outcome.SKIPPED);
        assertThat(target.refusedLogins).as("no probe inside the back-off window").isEqualTo(refused);
        // a person may still ask for a recovery
        rotation.recover("alice", "cli:root");
        assertThat(target.refusedLogins).isGreaterThan(refused);
    }
}
