package io.rotor.vault;

import io.rotor.domain.Account;
import io.rotor.domain.AccountStatus;
import io.rotor.domain.CredentialType;
import io.rotor.domain.PasswordPolicy;
import io.rotor.domain.RotationSchedule;
import io.rotor.domain.Secret;
import io.rotor.domain.Slot;
import io.rotor.domain.Target;
import io.rotor.domain.TlsMode;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The vault repositories' contract, on the repositories alone (no connector): run on H2 by the repository tests
 * of this package and on PostgreSQL by {@code RepositoriesOnPostgresIT}. Each scenario uses its own ids, so all of
 * them may run against one database.
 */
public final class RepositoryScenarios {
    private RepositoryScenarios() {
    }

    public static Secret secret(String value) {
        return Secret.fromUtf8(value.getBytes(StandardCharsets.UTF_8));
    }

    /** A target {@code t1} and an account with {@code value} as CURRENT (a vault-only set), unlocked again. */
    public static void seed(Vault vault, String accountId, String value) {
        vault.targets().upsertTarget(new Target("t1", "postgresql", "127.0.0.1", 5432, "postgres", TlsMode.DISABLE, null, null, Map.of()));
        vault.accounts().upsertAccount(accountId, "t1", accountId, CredentialType.PASSWORD, null);
        AccountLock lock = vault.accounts().tryLock(accountId, Duration.ofMinutes(1)).orElseThrow();
        try {
            vault.credentials().setCurrent(lock, "r-" + accountId, secret(value), AccountStatus.UNVERIFIED,
                    AuditRecord.of("test", "SET_VAULT_ONLY", accountId, "t1", "r", "SUCCEEDED", null));
        } finally {
            vault.accounts().unlock(lock);
        }
    }

    public static String read(Vault vault, String accountId, Slot slot) {
        try (StoredCredential c = vault.credentials().read(accountId, slot).orElseThrow()) {
            return c.secret().reveal();
        }
    }

    private static Account account(Vault vault, String id) {
        return vault.accounts().findAccount(id).orElseThrow();
    }

    private static AuditRecord audit(String operation, String accountId, String outcome) {
        return AuditRecord.of("test", operation, accountId, "t1", "rot", outcome, null);
    }

    /** Steps 3 and 6 of the protocol, recovery's restore and abandon, each with its audit record. */
    public static void protocol(Vault vault) {
        seed(vault, "p1", "first-secret");
        CredentialRepository credentials = vault.credentials();
        AccountRepository accounts = vault.accounts();

        AccountLock lock = accounts.tryLock("p1", Duration.ofMinutes(1)).orElseThrow();
        assertThat(accounts.tryLock("p1", Duration.ofMinutes(1))).as("one operation at a time").isEmpty();
        assertThat(credentials.writePending(lock, "rot-2", secret("second-secret"), audit("PENDING_WRITTEN", "p1", "PENDING")))
                .isEqualTo(2);
        assertThat(account(vault, "p1").status()).isEqualTo(AccountStatus.PENDING);
        assertThat(accounts.accountsWithPending()).contains("p1");
        assertThatThrownBy(() -> credentials.writePending(lock, "rot-3", secret("third"), audit("PENDING_WRITTEN", "p1", "PENDING")))
                .isInstanceOf(VaultException.class)
                .hasMessage("account 'p1' already has a PENDING credential; recovery must settle it first");

        credentials.commitPending(lock, audit("ROTATE", "p1", "SUCCEEDED"), true);
        assertThat(read(vault, "p1", Slot.CURRENT)).isEqualTo("second-secret");
        assertThat(read(vault, "p1", Slot.PREVIOUS)).isEqualTo("first-secret");
        assertThat(credentials.has("p1", Slot.PENDING)).isFalse();
        assertThat(account(vault, "p1").status()).isEqualTo(AccountStatus.IN_SYNC);
        assertThat(account(vault, "p1").version()).isEqualTo(2);
        assertThat(accounts.accountsWithPending()).doesNotContain("p1");
        assertThatThrownBy(() -> credentials.commitPending(lock, audit("ROTATE", "p1", "SUCCEEDED")))
                .as("the commit gave the lock back: the old lock commits nothing").isInstanceOf(StaleLockException.class);

        // the commit gave the lock back: a new operation may take it
        AccountLock next = accounts.tryLock("p1", Duration.ofMinutes(1)).orElseThrow();
        credentials.writePending(next, "rot-3", secret("third-secret"), audit("PENDING_WRITTEN", "p1", "PENDING"));
        credentials.restorePrevious(next, audit("RECOVER", "p1", "RESTORED_PREVIOUS"));
        assertThat(read(vault, "p1", Slot.CURRENT)).isEqualTo("first-secret");
        assertThat(read(vault, "p1", Slot.PREVIOUS)).isEqualTo("second-secret");
        assertThat(credentials.has("p1", Slot.PENDING)).isFalse();
        assertThat(account(vault, "p1").version()).isEqualTo(1);
        assertThat(account(vault, "p1").status()).isEqualTo(AccountStatus.IN_SYNC);

        assertThat(credentials.writePending(next, "rot-4", secret("fourth-secret"), audit("PENDING_WRITTEN", "p1", "PENDING")))
                .as("one above the highest stored version").isEqualTo(3);
        credentials.abandonPending(next, AccountStatus.OUT_OF_SYNC, audit("CHANGE", "p1", "REJECTED"));
        assertThat(credentials.has("p1", Slot.PENDING)).isFalse();
        assertThat(read(vault, "p1", Slot.CURRENT)).isEqualTo("first-secret");
        assertThat(account(vault, "p1").status()).isEqualTo(AccountStatus.OUT_OF_SYNC);

        assertThat(credentials.setCurrent(next, "rot-5", secret("fifth-secret"), AccountStatus.UNVERIFIED,
                audit("SET_VAULT_ONLY", "p1", "SUCCEEDED"))).isEqualTo(3);
        assertThat(read(vault, "p1", Slot.CURRENT)).isEqualTo("fifth-secret");
        // CURRENT was OUT_OF_SYNC, not verified: it does not push out PREVIOUS, which may be the last that worked
        assertThat(read(vault, "p1", Slot.PREVIOUS)).isEqualTo("second-secret");
        assertThat(account(vault, "p1")).extracting(Account::status, Account::version).containsExactly(AccountStatus.UNVERIFIED, 3L);
        accounts.setStatus(next, AccountStatus.IN_SYNC, audit("VERIFY", "p1", "IN_SYNC"));
        accounts.unlock(next);
        assertThat(account(vault, "p1").status()).isEqualTo(AccountStatus.IN_SYNC);

        assertThat(vault.audit().trail("p1", 100)).extracting(AuditRecord::operation).containsExactly("VERIFY",
                "SET_VAULT_ONLY", "CHANGE", "PENDING_WRITTEN", "RECOVER", "PENDING_WRITTEN", "ROTATE", "PENDING_WRITTEN",
                "SET_VAULT_ONLY");
    }

    /** A worker whose lock was taken over commits nothing, and its refused writes leave no audit record. */
    public static void staleLock(Vault vault) {
        seed(vault, "s1", "live-secret");
        AccountRepository accounts = vault.accounts();
        CredentialRepository credentials = vault.credentials();
        AccountLock stalled = accounts.tryLock("s1", Duration.ofMillis(-1)).orElseThrow();
        AccountLock taker = accounts.tryLock("s1", Duration.ofMinutes(1)).orElseThrow(() ->
                new AssertionError("an expired lock is taken over"));
        int auditBefore = vault.audit().trail("s1", 100).size();

        assertThatThrownBy(() -> credentials.writePending(stalled, "late", secret("late-secret"), audit("PENDING_WRITTEN", "s1", "PENDING")))
                .isInstanceOf(StaleLockException.class)
                .hasMessage("the lock on account 's1' was taken over by another worker; this worker's change was not committed");
        assertThatThrownBy(() -> credentials.setCurrent(stalled, "late", secret("late-secret"), AccountStatus.UNVERIFIED,
                audit("SET_VAULT_ONLY", "s1", "SUCCEEDED"))).isInstanceOf(StaleLockException.class);
        assertThatThrownBy(() -> accounts.setStatus(stalled, AccountStatus.OUT_OF_SYNC, audit("VERIFY", "s1", "OUT_OF_SYNC")))
                .isInstanceOf(StaleLockException.class);
        assertThatThrownBy(() -> accounts.markNeedsReconcile(stalled, audit("RECOVER", "s1", "NEEDS_RECONCILE")))
                .isInstanceOf(StaleLockException.class);
        accounts.unlock(stalled);

        assertThat(credentials.has("s1", Slot.PENDING)).isFalse();
        assertThat(read(vault, "s1", Slot.CURRENT)).isEqualTo("live-secret");
        assertThat(account(vault, "s1").status()).isEqualTo(AccountStatus.UNVERIFIED);
        assertThat(vault.audit().trail("s1", 100)).hasSize(auditBefore);
        // the stalled worker's unlock left the new owner's lock alone
        assertThat(accounts.tryLock("s1", Duration.ofMinutes(1))).isEmpty();
        credentials.writePending(taker, "rot", secret("taker-secret"), audit("PENDING_WRITTEN", "s1", "PENDING"));
        credentials.commitPending(taker, audit("ROTATE", "s1", "SUCCEEDED"), true);
        assertThat(read(vault, "s1", Slot.CURRENT)).isEqualTo("taker-secret");
    }

    /** A failed audit write refuses the change: both are one transaction. */
    public static void auditFailureRollsBackTheChange(Vault vault) {
        seed(vault, "a1", "kept-secret");
        AccountLock lock = vault.accounts().tryLock("a1", Duration.ofMinutes(1)).orElseThrow();
        AuditRecord unwritable = AuditRecord.of("test", "PENDING_WRITTEN", "a1", "t1", "rot", null, null); // outcome NOT NULL

        assertThatThrownBy(() -> vault.credentials().writePending(lock, "rot", secret("lost-secret"), unwritable))
                .isInstanceOf(VaultException.class).hasMessageStartingWith("vault write failed, nothing was changed");
        assertThatThrownBy(() -> vault.targets().upsertTarget(new Target("t-unaudited", "postgresql", "h", 1, null,
                TlsMode.DISABLE, null, null, Map.of()), unwritable)).isInstanceOf(VaultException.class);

        assertThat(vault.credentials().has("a1", Slot.PENDING)).isFalse();
        assertThat(account(vault, "a1").status()).isEqualTo(AccountStatus.UNVERIFIED);
        assertThat(vault.targets().findTarget("t-unaudited")).isEmpty();
        vault.accounts().unlock(lock);
    }

    /** Repository calls inside {@link UnitOfWork#inTransaction} join it: they commit together or not at all. */
    public static void repositoriesJoinTheCallersTransaction(Vault vault) {
        UnitOfWork work = vault.unitOfWork();
        assertThatThrownBy(() -> work.useTransaction(h -> {
            vault.targets().upsertTarget(new Target("t-joined", "postgresql", "h", 1, null, TlsMode.DISABLE, null, null, Map.of()),
                    audit("TARGET_CREATE", null, "SUCCEEDED"));
            vault.accounts().upsertAccount("joined", "t-joined", "joined", CredentialType.PASSWORD, null);
            assertThat(vault.accounts().findAccount("joined")).as("visible inside the transaction").isPresent();
            throw new IllegalStateException("refused after both writes");
        })).isInstanceOf(IllegalStateException.class).hasMessage("refused after both writes");
        assertThat(vault.targets().findTarget("t-joined")).isEmpty();
        assertThat(vault.accounts().findAccount("joined")).isEmpty();

        work.useTransaction(h -> {
            vault.targets().upsertTarget(new Target("t-joined", "postgresql", "h", 1, null, TlsMode.DISABLE, null, null, Map.of()));
            vault.accounts().upsertAccount("joined", "t-joined", "joined", CredentialType.PASSWORD, null);
        });
        assertThat(vault.accounts().findAccount("joined")).isPresent();
    }

    /** Exclusive use (checkout / checkin) and the refusals of account deletion. */
    public static void checkoutAndDeletion(Vault vault) {
        AccountRepository accounts = vault.accounts();
        vault.targets().upsertTarget(new Target("t1", "postgresql", "127.0.0.1", 5432, "postgres", TlsMode.DISABLE, null, null, Map.of()));
        accounts.upsertAccount("c1", "t1", "c1", CredentialType.PASSWORD, null);
        assertThatThrownBy(() -> accounts.checkOut("c1", "alice", audit("REVEAL", "c1", "SUCCEEDED")))
                .isInstanceOfSatisfying(VaultConflictException.class, e -> assertThat(e.reason()).isEqualTo(VaultConflictException.Reason.NO_CREDENTIAL))
                .hasMessage("account 'c1' has no CURRENT credential to check out");
        assertThatThrownBy(() -> accounts.checkOut("nobody", "alice", audit("REVEAL", "nobody", "SUCCEEDED")))
                .isInstanceOf(UnknownAccountException.class);
        seed(vault, "c1", "checked-out-secret");

        accounts.checkOut("c1", "alice", audit("REVEAL", "c1", "SUCCEEDED"));
        accounts.checkOut("c1", "alice", audit("REVEAL", "c1", "SUCCEEDED"));
        assertThatThrownBy(() -> accounts.checkOut("c1", "bob", audit("REVEAL", "c1", "SUCCEEDED")))
                .isInstanceOfSatisfying(VaultConflictException.class, e -> assertThat(e.reason()).isEqualTo(VaultConflictException.Reason.CHECKED_OUT))
                .hasMessage("account 'c1' is checked out by alice");
        assertThat(accounts.checkedOutBy("c1")).contains("alice");
        assertThat(accounts.checkouts()).containsEntry("c1", "alice");
        assertThatThrownBy(() -> accounts.deleteAccount("c1", audit("ACCOUNT_DELETE", "c1", "SUCCEEDED")))
                .hasMessage("account 'c1' is checked out by alice; check it in first");
        assertThatThrownBy(() -> accounts.checkIn("c1", "bob", false, audit("CHECKIN", "c1", "SUCCEEDED")))
                .hasMessage("account 'c1' is checked out by alice; only it (or an admin) may check it in");
        assertThat(accounts.checkIn("c1", "admin", true, audit("CHECKIN", "c1", "SUCCEEDED"))).isEqualTo("alice");
        assertThat(accounts.checkedOutBy("c1")).isEmpty();
        assertThatThrownBy(() -> accounts.checkIn("c1", "alice", false, audit("CHECKIN", "c1", "SUCCEEDED")))
                .isInstanceOfSatisfying(VaultConflictException.class, e -> assertThat(e.reason()).isEqualTo(VaultConflictException.Reason.NOT_CHECKED_OUT));

        AccountLock lock = accounts.tryLock("c1", Duration.ofMinutes(1)).orElseThrow();
        assertThatThrownBy(() -> accounts.checkOut("c1", "alice", audit("REVEAL", "c1", "SUCCEEDED")))
                .hasMessage("another operation holds account 'c1'; try again later");
        assertThatThrownBy(() -> accounts.deleteAccount("c1", audit("ACCOUNT_DELETE", "c1", "SUCCEEDED")))
                .isInstanceOfSatisfying(VaultConflictException.class, e -> assertThat(e.reason()).isEqualTo(VaultConflictException.Reason.BUSY));
        vault.credentials().writePending(lock, "rot", secret("maybe-live"), audit("PENDING_WRITTEN", "c1", "PENDING"));
        assertThatThrownBy(() -> accounts.checkOut("c1", "alice", audit("REVEAL", "c1", "SUCCEEDED")))
                .isInstanceOfSatisfying(VaultConflictException.class, e -> assertThat(e.reason()).isEqualTo(VaultConflictException.Reason.BUSY));
        assertThatThrownBy(() -> accounts.deleteAccount("c1", audit("ACCOUNT_DELETE", "c1", "SUCCEEDED")))
                .hasMessage("account 'c1' has a PENDING credential that may be the live one; recover it first");
        vault.credentials().abandonPending(lock, AccountStatus.IN_SYNC, audit("RECOVER", "c1", "ROLLED_BACK"));
        accounts.unlock(lock);

        vault.targets().upsertTarget(new Target("t-admin", "postgresql", "h", 1, null, TlsMode.DISABLE, "c1", null, Map.of()));
        assertThatThrownBy(() -> accounts.deleteAccount("c1", audit("ACCOUNT_DELETE", "c1", "SUCCEEDED")))
                .isInstanceOfSatisfying(VaultConflictException.class, e -> assertThat(e.reason()).isEqualTo(VaultConflictException.Reason.IN_USE))
                .hasMessage("account 'c1' is the admin account of 1 target(s); change them first");
        vault.targets().upsertTarget(new Target("t-admin", "postgresql", "h", 1, null, TlsMode.DISABLE, null, null, Map.of()));

        assertThat(accounts.deleteAccount("nobody", audit("ACCOUNT_DELETE", "nobody", "SUCCEEDED"))).isFalse();
        assertThat(accounts.deleteAccount("c1", audit("ACCOUNT_DELETE", "c1", "SUCCEEDED"))).isTrue();
        assertThat(accounts.findAccount("c1")).isEmpty();
        assertThat(vault.credentials().has("c1", Slot.CURRENT)).isFalse();
        assertThat(vault.audit().trail("c1", 1)).extracting(AuditRecord::operation).containsExactly("ACCOUNT_DELETE");
    }

    /** The lists that recovery, the reconcile retry and the schedules work from. */
    public static void listsForRecoveryAndSchedules(Vault vault) {
        AccountRepository accounts = vault.accounts();
        vault.targets().upsertTarget(new Target("t-sched", "postgresql", "h", 1, null, TlsMode.DISABLE, "sched-admin", "pol-t", Map.of()));
        vault.targets().upsertTarget(new Target("t-view", "vault", "", 0, null, TlsMode.DISABLE, null, null, Map.of()));
        vault.policies().upsertPolicy(new PasswordPolicy("pol-t", 12, 32, 1, 1, 1, 0, "", "", false));
        vault.policies().upsertPolicy(new PasswordPolicy("pol-a", 16, 32, 1, 1, 1, 0, "", "", false));
        for (String id : List.of("sched-admin", "sched-b", "sched-c", "sched-d")) {
            accounts.upsertAccount(id, "t-sched", id, CredentialType.PASSWORD, id.equals("sched-b") ? "pol-a" : null);
            AccountLock lock = accounts.tryLock(id, Duration.ofMinutes(1)).orElseThrow();
            vault.credentials().setCurrent(lock, "r", secret("s-" + id), AccountStatus.UNVERIFIED, audit("SET_VAULT_ONLY", id, "SUCCEEDED"));
            accounts.unlock(lock);
        }
        accounts.upsertAccount("sched-view", "t-view", "sched-view", CredentialType.PASSWORD, null);
        accounts.upsertAccount("sched-none", "t-sched", "sched-none", CredentialType.PASSWORD, null);

        AccountLock lock = accounts.tryLock("sched-c", Duration.ofMinutes(1)).orElseThrow();
        accounts.markNeedsReconcile(lock, audit("RECOVER", "sched-c", "NEEDS_RECONCILE"));
        accounts.unlock(lock);
        assertThat(account(vault, "sched-c").status()).isEqualTo(AccountStatus.NEEDS_RECONCILE);
        assertThat(accounts.accountsDueForReconcile()).as("the first back-off is a minute").doesNotContain("sched-c");

        List<AccountRepository.ScheduleCandidate> candidates = accounts.scheduleCandidates().stream()
                .filter(c -> c.accountId().startsWith("sched-")).toList();
        assertThat(candidates).extracting(AccountRepository.ScheduleCandidate::accountId)
                .containsExactly("sched-admin", "sched-b", "sched-d");
        assertThat(candidates).extracting(AccountRepository.ScheduleCandidate::policyId).containsExactly("pol-t", "pol-a", "pol-t");
        assertThat(candidates).extracting(AccountRepository.ScheduleCandidate::admin).containsExactly(true, false, false);
        assertThat(candidates).allSatisfy(c -> assertThat(c.lastRotatedAt()).isNotNull());
        // the heartbeat leaves NEEDS_RECONCILE to the reconcile retry (no lockouts: docs/architecture.md, "Automatic work")
        assertThat(accounts.accountsOnRealTargets()).contains("sched-admin", "sched-none").doesNotContain("sched-view", "sched-c");
        assertThat(accounts.listAccounts("t-sched")).extracting(Account::id)
                .containsExactly("sched-admin", "sched-b", "sched-c", "sched-d", "sched-none");
        assertThat(accounts.statusCounts()).containsEntry(AccountStatus.NEEDS_RECONCILE,
                (int) accounts.listAccounts(null).stream().filter(a -> a.status() == AccountStatus.NEEDS_RECONCILE).count());
    }

    /** Targets and policies: round trips, schedules, and the referential checks on delete. */
    public static void targetsAndPolicies(Vault vault) {
        PolicyRepository policies = vault.policies();
        TargetRepository targets = vault.targets();
        PasswordPolicy strict = new PasswordPolicy("tp-strict", 20, 40, 2, 2, 2, 2, "!#", "O0", true);
        policies.upsertPolicy(strict, audit("POLICY_CREATE", null, "SUCCEEDED"));
        policies.upsertPolicy(new PasswordPolicy("tp-loose", 8, 16, 0, 0, 0, 0, null, null, false));
        assertThat(policies.findPolicy("tp-strict")).contains(strict);
        assertThat(policies.findPolicy("tp-loose").orElseThrow().symbols()).isEmpty();
        assertThat(policies.listPolicies()).extracting(PasswordPolicy::id).containsSubsequence("tp-loose", "tp-strict");

        policies.setRotationSchedule("tp-strict", RotationSchedule.of("P30D", null, "01:00-05:00", false));
        assertThat(policies.rotationSchedules().get("tp-strict")).isEqualTo(RotationSchedule.of("P30D", null, "01:00-05:00", false));
        assertThat(policies.rotationSchedules().get("tp-loose")).isEqualTo(RotationSchedule.none());
        assertThatThrownBy(() -> policies.setRotationSchedule("tp-nope", RotationSchedule.manual()))
                .isInstanceOf(VaultException.class).hasMessage("unknown policy id 'tp-nope'");

        Target db = new Target("tp-db", "postgresql", "db.example", 5433, "app", TlsMode.REQUIRE, null, "tp-strict",
                Map.of("discovery.filter", "app_%", "quote", "it's \"quoted\""));
        targets.upsertTarget(db, audit("TARGET_CREATE", null, "SUCCEEDED"));
        assertThat(targets.findTarget("tp-db")).contains(db);
        assertThat(targets.listTargets()).extracting(Target::id).contains("tp-db");
        vault.accounts().upsertAccount("tp-acct", "tp-db", "app", CredentialType.PASSWORD, "tp-loose");

        assertThatThrownBy(() -> policies.deletePolicy("tp-strict", audit("POLICY_DELETE", null, "SUCCEEDED")))
                .isInstanceOfSatisfying(VaultConflictException.class, e -> assertThat(e.reason()).isEqualTo(VaultConflictException.Reason.IN_USE))
                .hasMessage("policy 'tp-strict' is used by 1 target(s) and 0 account(s); change them first");
        assertThatThrownBy(() -> policies.deletePolicy("tp-loose", audit("POLICY_DELETE", null, "SUCCEEDED")))
                .hasMessage("policy 'tp-loose' is used by 0 target(s) and 1 account(s); change them first");
        assertThatThrownBy(() -> targets.deleteTarget("tp-db", audit("TARGET_DELETE", null, "SUCCEEDED")))
                .isInstanceOfSatisfying(VaultConflictException.class, e -> assertThat(e.reason()).isEqualTo(VaultConflictException.Reason.IN_USE))
                .hasMessage("target 'tp-db' still has 1 account(s); delete them first");

        assertThat(vault.accounts().deleteAccount("tp-acct", audit("ACCOUNT_DELETE", "tp-acct", "SUCCEEDED"))).isTrue();
        assertThat(targets.deleteTarget("tp-db", audit("TARGET_DELETE", null, "SUCCEEDED"))).isTrue();
        assertThat(targets.deleteTarget("tp-db", audit("TARGET_DELETE", null, "SUCCEEDED"))).isFalse();
        assertThat(policies.deletePolicy("tp-strict", audit("POLICY_DELETE", null, "SUCCEEDED"))).isTrue();
        assertThat(policies.deletePolicy("tp-strict", audit("POLICY_DELETE", null, "SUCCEEDED"))).isFalse();
        assertThat(policies.findPolicy("tp-strict")).isEmpty();
        assertThat(targets.findTarget("tp-db")).isEmpty();
    }

    /**
     * Row MACs: rows edited with plain JDBC on the vault database (a target's host, a token's role, a service
     * account's role) are refused and audited; rows Rotor wrote read back; a re-applied target is sealed again.
     */
    public static void tamperedRowsAreRefused(Vault vault) {
        vault.targets().upsertTarget(new Target("t-mac", "postgresql", "db.example", 5432, "postgres", TlsMode.VERIFY_FULL,
                null, null, Map.of("sslrootcert", "/etc/rotor/ca.pem")));
        vault.tokens().createToken("tok-mac", io.rotor.domain.Role.OPERATOR, "cd".repeat(32), "test");
        vault.tokens().createServiceAccount("sa-mac", io.rotor.domain.Role.OPERATOR, "pbkdf2-sha256$1$c2FsdA==$a2V5", "test");
        assertThat(vault.targets().findTarget("t-mac")).get().extracting(Target::host).isEqualTo("db.example");
        assertThat(vault.tokens().findActiveToken("cd".repeat(32))).isPresent();
        assertThat(vault.tokens().findServiceAccount("sa-mac")).isPresent();

        try (java.sql.Connection c = vault.dataSource().getConnection(); java.sql.Statement s = c.createStatement()) {
            assertThat(s.executeUpdate("UPDATE targets SET host = 'evil.example' WHERE id = 't-mac'")).isEqualTo(1);
            assertThat(s.executeUpdate("UPDATE api_tokens SET role = 'admin' WHERE name = 'tok-mac'")).isEqualTo(1);
            assertThat(s.executeUpdate("UPDATE service_accounts SET role = 'admin' WHERE username = 'sa-mac'")).isEqualTo(1);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }

        assertThatThrownBy(() -> vault.targets().findTarget("t-mac"))
                .hasMessage("target t-mac's stored settings fail their integrity check; re-apply it from the inventory"
                        + " or the API");
        assertThat(vault.targets().listTargets()).extracting(Target::id).doesNotContain("t-mac");
        assertThat(vault.tokens().findActiveToken("cd".repeat(32))).isEmpty();
        assertThat(vault.tokens().findServiceAccount("sa-mac")).isEmpty();
        assertThat(vault.audit().trail(null, 1000)).filteredOn(a -> a.operation().equals("ROW_MAC_MISMATCH"))
                .hasSizeGreaterThanOrEqualTo(4);

        vault.targets().upsertTarget(new Target("t-mac", "postgresql", "db.example", 5432, "postgres", TlsMode.VERIFY_FULL,
                null, null, Map.of("sslrootcert", "/etc/rotor/ca.pem")));
        assertThat(vault.targets().findTarget("t-mac")).get().extracting(Target::host).isEqualTo("db.example");
    }
}
