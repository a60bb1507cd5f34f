package io.rotor.vault;

import io.rotor.domain.Account;
import io.rotor.domain.AccountStatus;
import io.rotor.domain.CredentialType;
import org.jdbi.v3.core.Handle;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Accounts: declaration, status, the lock that gives one operation at a time an account, checkout for exclusive
 * use, and the lists that recovery, reconcile and the schedules work from. Writes that belong to a locked operation
 * claim the lock through {@link LockClaims}; every write records its audit line in its own transaction.
 */
public final class AccountRepository {
    private static final String ACCOUNT_SELECT =
            "SELECT id, target_id, username, credential_type, status, version, policy_id FROM accounts";

    private final UnitOfWork work;
    private final AuditLog audit;
    private final LockClaims claims;

    public AccountRepository(UnitOfWork work, AuditLog audit) {
        this.work = work;
        this.audit = audit;
        this.claims = new LockClaims(work);
    }

    /**
     * One account a schedule may rotate: its effective policy (the account's, else its target's, else null for
     * the default), when its CURRENT credential was written, and whether it is its target's admin account.
     */
    public record ScheduleCandidate(String accountId, String policyId, Instant lastRotatedAt, boolean admin) {
    }

    // ---------------------------------------------------------------- inventory

    /**
     * Declares an account. A new one starts {@code UNVERIFIED} with version 0; an existing one keeps its status,
     * version and credentials (loading the inventory twice changes nothing).
     *
     * @return true when the account was created
     */
    public boolean upsertAccount(String id, String targetId, String username, CredentialType type, String policyId) {
        return upsertAccount(id, targetId, username, type, policyId, null);
    }

    /** Like {@link #upsertAccount(String, String, String, CredentialType, String)}, audited in the same transaction. */
    public boolean upsertAccount(String id, String targetId, String username, CredentialType type, String policyId,
                                 AuditRecord record) {
        return work.inTransaction(h -> {
            boolean exists = Rows.exists(h, "SELECT 1 FROM accounts WHERE id = :id", id);
            if (exists) {
                h.createUpdate("UPDATE accounts SET target_id = :targetId, username = :username,"
                                + " credential_type = :type, policy_id = :policyId WHERE id = :id")
                        .bind("targetId", targetId).bind("username", username).bind("type", type.name())
                        .bind("policyId", policyId).bind("id", id)
                        .execute();
            } else {
                h.createUpdate("INSERT INTO accounts (target_id, username, credential_type, policy_id, id, status, version,"
                                + " updated_at) VALUES (:targetId, :username, :type, :policyId, :id, 'UNVERIFIED', 0, :now)")
                        .bind("targetId", targetId).bind("username", username).bind("type", type.name())
                        .bind("policyId", policyId).bind("id", id).bind("now", now())
                        .execute();
            }
            audit.write(h, record);
            return !exists;
        });
    }

    public Optional<Account> findAccount(String id) {
        return work.read(h -> h.createQuery(ACCOUNT_SELECT + " WHERE id = :id").bind("id", id)
                .map((r, ctx) -> account(r)).findFirst());
    }

    /** Accounts of one target, or of all with a null id, ordered by id. */
    public List<Account> listAccounts(String targetId) {
        return work.read(h -> targetId == null
                ? h.createQuery(ACCOUNT_SELECT + " ORDER BY id").map((r, ctx) -> account(r)).list()
                : h.createQuery(ACCOUNT_SELECT + " WHERE target_id = :targetId ORDER BY id").bind("targetId", targetId)
                        .map((r, ctx) -> account(r)).list());
    }

    /** Accounts a crash or an unknown outcome may have left half-rotated: a PENDING version exists. */
    public List<String> accountsWithPending() {
        return work.read(h -> h.createQuery("SELECT DISTINCT a.id FROM accounts a JOIN credentials c ON c.account_id = a.id"
                + " WHERE c.slot = 'PENDING' ORDER BY a.id").map((r, ctx) -> r.getString(1)).list());
    }

    /** Accounts in NEEDS_RECONCILE whose back-off has elapsed. */
    public List<String> accountsDueForReconcile() {
        return work.read(h -> h.createQuery("SELECT id FROM accounts WHERE status = 'NEEDS_RECONCILE'"
                        + " AND (next_reconcile_at IS NULL OR next_reconcile_at <= :now) ORDER BY id")
                .bind("now", now()).map((r, ctx) -> r.getString(1)).list());
    }

    public Map<AccountStatus, Integer> statusCounts() {
        Map<AccountStatus, Integer> counts = new EnumMap<>(AccountStatus.class);
        work.read(h -> h.createQuery("SELECT status, COUNT(*) FROM accounts GROUP BY status")
                        .map((r, ctx) -> Map.entry(AccountStatus.valueOf(r.getString(1)), r.getInt(2))).list())
                .forEach(e -> counts.put(e.getKey(), e.getValue()));
        return counts;
    }

    /**
     * Accounts a schedule may rotate: on real targets (not the vault's own views), with a CURRENT credential,
     * and neither DISABLED nor NEEDS_RECONCILE (the reconcile retry owns those).
     */
    public List<ScheduleCandidate> scheduleCandidates() {
        record Row(String accountId, String policyId, Instant createdAt, String adminAccountId, String targetType) {
        }
        return work.read(h -> h.createQuery("SELECT a.id, COALESCE(a.policy_id, t.policy_id), c.created_at,"
                        + " t.admin_account_id, t.type FROM accounts a JOIN targets t ON t.id = a.target_id"
                        + " JOIN credentials c ON c.account_id = a.id AND c.slot = 'CURRENT'"
                        + " WHERE a.status NOT IN ('DISABLED', 'NEEDS_RECONCILE') ORDER BY a.id")
                        .map((r, ctx) -> new Row(r.getString(1), r.getString(2), r.getTimestamp(3).toInstant(),
                                r.getString(4), r.getString(5)))
                        .list())
                .stream().filter(row -> !VaultModel.isVaultView(row.targetType()))
                .map(row -> new ScheduleCandidate(row.accountId(), row.policyId(), row.createdAt(),
                        row.accountId().equals(row.adminAccountId())))
                .toList();
    }

    /** What the heartbeat's planner needs of one account: when it was last verified and rotated, and whether it has a CURRENT. */
    public record HeartbeatCandidate(String accountId, String targetId, Instant lastVerifiedAt, Instant currentWrittenAt,
                                     boolean hasCurrent) {
    }

    /**
     * The accounts of {@link #accountsOnRealTargets()} with what the heartbeat plans from (docs/architecture.md,
     * "Heartbeat"); an account without a CURRENT credential is listed with {@code hasCurrent} false.
     */
    public List<HeartbeatCandidate> heartbeatCandidates() {
        record Row(HeartbeatCandidate candidate, String targetType) {
        }
        return work.read(h -> h.createQuery("SELECT a.id, a.target_id, a.last_verified_at,"
                        // a CURRENT counts as proven only once a login proved it (IN_SYNC), not when it was only stored
                        + " CASE WHEN a.status = 'IN_SYNC' THEN c.created_at END, c.account_id, t.type"
                        + " FROM accounts a JOIN targets t ON t.id = a.target_id"
                        + " LEFT JOIN credentials c ON c.account_id = a.id AND c.slot = 'CURRENT'"
                        + " WHERE a.status NOT IN ('DISABLED', 'OUT_OF_SYNC', 'NEEDS_RECONCILE')"
                        + " AND a.disabled_reason IS NULL ORDER BY a.id")
                        .map((r, ctx) -> new Row(new HeartbeatCandidate(r.getString(1), r.getString(2),
                                instant(r.getTimestamp(3)), instant(r.getTimestamp(4)), r.getString(5) != null), r.getString(6)))
                        .list())
                .stream().filter(row -> !VaultModel.isVaultView(row.targetType())).map(Row::candidate).toList();
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }

    /**
     * Ids of the accounts on a real target (not the vault's own views) that the heartbeat verifies: not those known
     * not to log in (OUT_OF_SYNC, NEEDS_RECONCILE) nor those DISABLED for automatic work, since a login with a
     * credential known to fail only counts towards the target's lockout (docs/architecture.md, "Automatic work").
     */
    public List<String> accountsOnRealTargets() {
        return work.read(h -> h.createQuery("SELECT a.id, t.type FROM accounts a JOIN targets t ON t.id = a.target_id"
                        + " WHERE a.status NOT IN ('DISABLED', 'OUT_OF_SYNC', 'NEEDS_RECONCILE')"
                        + " AND a.disabled_reason IS NULL ORDER BY a.id")
                        .map((r, ctx) -> new String[]{r.getString(1), r.getString(2)}).list())
                .stream().filter(row -> !VaultModel.isVaultView(row[1])).map(row -> row[0]).toList();
    }

    // ---------------------------------------------------------------- locks and status

    /**
     * Takes the account for one operation: a lease of {@code lifetime}, measured with the vault database's clock
     * (docs/architecture.md, "Leases"). Succeeds only when the account is free or its lease has expired by that
     * clock; a live owner's lease is never taken over, whatever this process can or cannot see of the owner's
     * process. Compare-and-set on the observed token makes two takers race safely: exactly one wins.
     */
    public Optional<AccountLock> tryLock(String accountId, Duration lifetime) {
        record Holder(String token, Timestamp until, Timestamp now) {
        }
        return work.inTransaction(h -> {
            Holder observed = h.createQuery("SELECT lock_token, lock_until, CURRENT_TIMESTAMP FROM accounts WHERE id = :id")
                    .bind("id", accountId)
                    .map((r, ctx) -> new Holder(r.getString(1), r.getTimestamp(2), r.getTimestamp(3)))
                    .findFirst().orElseThrow(() -> new UnknownAccountException(accountId));
            Instant dbNow = observed.now().toInstant();
            boolean free = observed.token() == null
                    || observed.until() == null || observed.until().toInstant().isBefore(dbNow);
            if (!free) {
                return Optional.<AccountLock>empty();
            }
            AccountLock lock = new AccountLock(accountId, UUID.randomUUID().toString(), ProcessIdentity.self());
            if (!claims.take(h, accountId, observed.token(), lock, Timestamp.from(dbNow.plus(lifetime)))) {
                return Optional.<AccountLock>empty();
            }
            return Optional.of(lock);
        });
    }

    /**
     * Extends the lease of {@code lock} to {@code lifetime} from now by the vault database's clock.
     *
     * @return false when the lock is no longer this worker's (taken over after it expired)
     */
    public boolean renew(AccountLock lock, Duration lifetime) {
        return work.inTransaction(h -> claims.renew(h, lock, lifetime));
    }

    public void unlock(AccountLock lock) {
        work.useTransaction(h -> claims.release(h, lock));
    }

    /** Sets the status of a locked account (IN_SYNC also stamps the last verification). */
    public void setStatus(AccountLock lock, AccountStatus status, AuditRecord record) {
        work.useTransaction(h -> {
            claims.claim(h, lock, status);
            if (status == AccountStatus.IN_SYNC) {
                h.createUpdate("UPDATE accounts SET last_verified_at = :now WHERE id = :id")
                        .bind("now", now()).bind("id", lock.accountId())
                        .execute();
            }
            audit.write(h, record);
        });
    }

    /** NEEDS_RECONCILE with exponential back-off (1 min doubling, capped at 1 day) before the next admin attempt. */
    public void markNeedsReconcile(AccountLock lock, AuditRecord record) {
        work.useTransaction(h -> {
            claims.claim(h, lock, AccountStatus.NEEDS_RECONCILE);
            int attempts = (int) Rows.count(h, "SELECT reconcile_attempts FROM accounts WHERE id = :id", lock.accountId());
            long delaySeconds = Math.min(86_400L, 60L << Math.min(attempts, 20));
            h.createUpdate("UPDATE accounts SET reconcile_attempts = reconcile_attempts + 1, next_reconcile_at = :next"
                            + " WHERE id = :id")
                    .bind("next", Timestamp.from(work.now().plus(Duration.ofSeconds(delaySeconds))))
                    .bind("id", lock.accountId())
                    .execute();
            audit.write(h, record);
        });
    }

    // ---------------------------------------------------------------- automatic work (disable after N failures)

    /**
     * What automatic work needs to know about an account besides its status: its run of failed operations, why it
     * was DISABLED (null when it is not), who holds it (checkout) and when its reconcile back-off ends.
     */
    public record AutomaticState(String accountId, String targetId, AccountStatus status, int failedOperations,
                                 Instant firstFailedAt, String disabledReason, String checkedOutBy,
                                 Instant nextReconcileAt) {
        /** DISABLED for automatic work: the status says so, or the reason survives a status a person's operation wrote. */
        public boolean disabled() {
            return status == AccountStatus.DISABLED || disabledReason != null;
        }
    }

    private static final String STATE_SELECT = "SELECT id, target_id, status, failed_operations, first_failed_at,"
            + " disabled_reason, checked_out_by, next_reconcile_at FROM accounts";

    public Optional<AutomaticState> automaticState(String accountId) {
        return work.read(h -> h.createQuery(STATE_SELECT + " WHERE id = :id").bind("id", accountId)
                .map((r, ctx) -> state(r)).findFirst());
    }

    /** The automatic-work state of the accounts of one target, or of all with a null id, ordered by id. */
    public List<AutomaticState> automaticStates(String targetId) {
        return work.read(h -> targetId == null
                ? h.createQuery(STATE_SELECT + " ORDER BY id").map((r, ctx) -> state(r)).list()
                : h.createQuery(STATE_SELECT + " WHERE target_id = :t ORDER BY id").bind("t", targetId)
                        .map((r, ctx) -> state(r)).list());
    }

    /**
     * Counts one finished operation. A success ends the run of failures. A failure extends it, or starts a new run
     * when the run's first failure is older than {@code window}; when the run reaches {@code disableAfter}, the
     * account becomes DISABLED with {@code reason} (audited as DISABLE). An account already disabled stays DISABLED
     * whatever the operation wrote: only {@link #enable} ends it.
     *
     * @param failed  true for a failed operation, false for a successful one
     * @param reason  why, in words, if this failure disables the account (never a secret)
     * @return the state after counting
     */
    public AutomaticState recordOutcome(String accountId, boolean failed, int disableAfter, Duration window,
                                        String reason, String actor) {
        return work.inTransaction(h -> {
            AutomaticState before = h.createQuery(STATE_SELECT + " WHERE id = :id FOR UPDATE").bind("id", accountId)
                    .map((r, ctx) -> state(r)).findFirst().orElseThrow(() -> new UnknownAccountException(accountId));
            Instant now = work.now();
            int count = before.failedOperations();
            Instant first = before.firstFailedAt();
            if (!failed) {
                count = 0;
                first = null;
            } else if (count == 0 || first == null || first.plus(window).isBefore(now)) {
                count = 1;
                first = now;
            } else {
                count++;
            }
            boolean disableNow = !before.disabled() && failed && count >= disableAfter;
            String disabledReason = before.disabledReason();
            if (disableNow) {
                disabledReason = limit(count + " consecutive failed operation(s); automatic work stopped until an admin"
                        + " enables the account (rotor accounts enable " + accountId + "); last: " + reason);
            }
            boolean keepDisabled = disableNow || before.disabledReason() != null;
            h.createUpdate("UPDATE accounts SET failed_operations = :count, first_failed_at = :first,"
                            + " disabled_reason = :reason" + (keepDisabled ? ", status = 'DISABLED'" : "") + " WHERE id = :id")
                    .bind("count", count).bind("first", first == null ? null : Timestamp.from(first))
                    .bind("reason", disabledReason).bind("id", accountId)
                    .execute();
            if (disableNow) {
                audit.write(h, AuditRecord.of(actor, "DISABLE", accountId, before.targetId(), null, "DISABLED", disabledReason));
            }
            return new AutomaticState(accountId, before.targetId(), keepDisabled ? AccountStatus.DISABLED : before.status(),
                    count, first, disabledReason, before.checkedOutBy(), before.nextReconcileAt());
        });
    }

    /**
     * Ends a DISABLED state: automatic work may touch the account again, its run of failures starts from zero, and
     * its status becomes UNVERIFIED until a verify passes (nobody knows whether CURRENT works now).
     *
     * @return false when the account was not disabled (nothing changed, nothing audited)
     * @throws UnknownAccountException when there is no such account
     */
    public boolean enable(String accountId, AuditRecord record) {
        return work.inTransaction(h -> {
            AutomaticState state = h.createQuery(STATE_SELECT + " WHERE id = :id FOR UPDATE").bind("id", accountId)
                    .map((r, ctx) -> state(r)).findFirst().orElseThrow(() -> new UnknownAccountException(accountId));
            if (!state.disabled()) {
                return false;
            }
            h.createUpdate("UPDATE accounts SET failed_operations = 0, first_failed_at = NULL, disabled_reason = NULL,"
                            + " status = :status, updated_at = :now WHERE id = :id")
                    .bind("status", state.status() == AccountStatus.DISABLED ? AccountStatus.UNVERIFIED.name() : state.status().name())
                    .bind("now", now()).bind("id", accountId)
                    .execute();
            audit.write(h, record);
            return true;
        });
    }

    /**
     * A vault account that mirrors a backing account: one of its attributes holds the id of an account on a real
     * target (the link attribute of a mass password reset or a template).
     */
    public record VaultLink(String vaultAccountId, String vaultTargetId, String linkAttribute, String backingAccountId,
                            String backingTargetId) {
    }

    /** Every vault link whose backing account is on {@code backingTargetId} (all real targets when null). */
    public List<VaultLink> vaultLinks(String backingTargetId) {
        return work.read(h -> {
            var query = h.createQuery("SELECT v.id, v.target_id, x.attr_name, b.id, b.target_id FROM accounts v"
                    + " JOIN targets vt ON vt.id = v.target_id AND vt.type = :vaultType"
                    + " JOIN account_attributes x ON x.account_id = v.id"
                    + " JOIN accounts b ON b.id = x.attr_value AND b.id <> v.id"
                    + " JOIN targets bt ON bt.id = b.target_id AND bt.type NOT IN (:vaultType, :userType)"
                    + (backingTargetId == null ? "" : " WHERE b.target_id = :backingTarget")
                    + " ORDER BY b.id, v.id, x.attr_name")
                    .bind("vaultType", VaultModel.VAULT_TARGET_TYPE).bind("userType", VaultModel.USER_TARGET_TYPE);
            if (backingTargetId != null) {
                query.bind("backingTarget", backingTargetId);
            }
            return query.map((r, ctx) -> new VaultLink(r.getString(1), r.getString(2), r.getString(3), r.getString(4),
                    r.getString(5))).list();
        });
    }

    private static AutomaticState state(ResultSet r) throws SQLException {
        Timestamp first = r.getTimestamp(5);
        Timestamp next = r.getTimestamp(8);
        return new AutomaticState(r.getString(1), r.getString(2), AccountStatus.valueOf(r.getString(3)), r.getInt(4),
                first == null ? null : first.toInstant(), r.getString(6), r.getString(7), next == null ? null : next.toInstant());
    }

    private static String limit(String text) {
        return text.length() <= 1000 ? text : text.substring(0, 997) + "...";
    }

    // ---------------------------------------------------------------- checkout / checkin

    /** Who holds the account for exclusive use, if anyone. */
    public Optional<String> checkedOutBy(String accountId) {
        return work.read(h -> h.createQuery("SELECT checked_out_by FROM accounts WHERE id = :id AND checked_out_by IS NOT NULL")
                .bind("id", accountId).map((r, ctx) -> r.getString(1)).findFirst());
    }

    /** Every checked-out account with its holder, ordered by account id. */
    public Map<String, String> checkouts() {
        Map<String, String> held = new TreeMap<>();
        work.read(h -> h.createQuery("SELECT id, checked_out_by FROM accounts WHERE checked_out_by IS NOT NULL")
                        .map((r, ctx) -> Map.entry(r.getString(1), r.getString(2))).list())
                .forEach(e -> held.put(e.getKey(), e.getValue()));
        return held;
    }

    /**
     * Marks the account as held by {@code holder} (exclusive use) and records {@code record} — the reveal — in the
     * same transaction. The same holder may check it out again. The caller reads CURRENT afterwards.
     *
     * @throws UnknownAccountException when there is no such account
     * @throws VaultConflictException   CHECKED_OUT (someone else holds it), BUSY (an operation holds its lock),
     *                                  PENDING_CREDENTIAL, NO_CREDENTIAL
     */
    public void checkOut(String accountId, String holder, AuditRecord record) {
        work.useTransaction(h -> {
            Usage usage = usageForUpdate(h, accountId).orElseThrow(() -> new UnknownAccountException(accountId));
            if (usage.holder() != null && !usage.holder().equals(holder)) {
                throw new VaultConflictException(VaultConflictException.Reason.CHECKED_OUT,
                        "account '" + accountId + "' is checked out by " + usage.holder());
            }
            if (usage.lockedByLiveOperation(work.now())) {
                throw new VaultConflictException(VaultConflictException.Reason.BUSY,
                        "another operation holds account '" + accountId + "'; try again later");
            }
            if (Rows.exists(h, "SELECT 1 FROM credentials WHERE account_id = :id AND slot = 'PENDING'", accountId)) {
                throw new VaultConflictException(VaultConflictException.Reason.PENDING_CREDENTIAL, "account '" + accountId
                        + "' has a PENDING credential; recovery must settle it first");
            }
            if (!Rows.exists(h, "SELECT 1 FROM credentials WHERE account_id = :id AND slot = 'CURRENT'", accountId)) {
                throw new VaultConflictException(VaultConflictException.Reason.NO_CREDENTIAL,
                        "account '" + accountId + "' has no CURRENT credential to check out");
            }
            h.createUpdate("UPDATE accounts SET checked_out_by = :holder, checked_out_at = :now WHERE id = :id")
                    .bind("holder", holder).bind("now", now()).bind("id", accountId)
                    .execute();
            audit.write(h, record);
        });
    }

    /**
     * Releases the account. Only its holder may, unless {@code force} (an admin).
     *
     * @return the holder that was released
     * @throws UnknownAccountException when there is no such account
     * @throws VaultConflictException   NOT_CHECKED_OUT, or CHECKED_OUT when someone else holds it
     */
    public String checkIn(String accountId, String holder, boolean force, AuditRecord record) {
        return work.inTransaction(h -> {
            Usage usage = usageForUpdate(h, accountId).orElseThrow(() -> new UnknownAccountException(accountId));
            String current = usage.holder();
            if (current == null) {
                throw new VaultConflictException(VaultConflictException.Reason.NOT_CHECKED_OUT,
                        "account '" + accountId + "' is not checked out");
            }
            if (!current.equals(holder) && !force) {
                throw new VaultConflictException(VaultConflictException.Reason.CHECKED_OUT,
                        "account '" + accountId + "' is checked out by " + current + "; only it (or an admin) may check it in");
            }
            h.createUpdate("UPDATE accounts SET checked_out_by = NULL, checked_out_at = NULL WHERE id = :id")
                    .bind("id", accountId)
                    .execute();
            audit.write(h, record);
            return current;
        });
    }

    // ---------------------------------------------------------------- removal

    /**
     * Deletes an account and its stored credentials. Refused while a PENDING credential exists (it may be the
     * live one), while an operation holds the account, while it is checked out, or while a target uses it as
     * its admin account.
     *
     * @return false when there is no such account
     * @throws VaultConflictException naming the reason
     */
    public boolean deleteAccount(String id, AuditRecord record) {
        return work.inTransaction(h -> {
            Optional<Usage> found = usageForUpdate(h, id);
            if (found.isEmpty()) {
                return false;
            }
            Usage usage = found.get();
            if (Rows.exists(h, "SELECT 1 FROM credentials WHERE account_id = :id AND slot = 'PENDING'", id)) {
                throw new VaultConflictException(VaultConflictException.Reason.PENDING_CREDENTIAL, "account '" + id
                        + "' has a PENDING credential that may be the live one; recover it first");
            }
            if (usage.lockedByLiveOperation(work.now())) {
                throw new VaultConflictException(VaultConflictException.Reason.BUSY,
                        "another operation holds account '" + id + "'; try again later");
            }
            if (usage.holder() != null) {
                throw new VaultConflictException(VaultConflictException.Reason.CHECKED_OUT,
                        "account '" + id + "' is checked out by " + usage.holder() + "; check it in first");
            }
            long adminOf = Rows.count(h, "SELECT COUNT(*) FROM targets WHERE admin_account_id = :id", id);
            if (adminOf > 0) {
                throw new VaultConflictException(VaultConflictException.Reason.IN_USE, "account '" + id
                        + "' is the admin account of " + adminOf + " target(s); change them first");
            }
            // e.g. the link attribute of a vault account that this account backs
            long namedBy = Rows.count(h, "SELECT COUNT(DISTINCT account_id) FROM account_attributes WHERE attr_value = :id"
                    + " AND account_id <> attr_value", id);
            if (namedBy > 0) {
                throw new VaultConflictException(VaultConflictException.Reason.IN_USE, "account '" + id
                        + "' is named in an attribute (e.g. the link) of " + namedBy + " other account(s); change them first");
            }
            h.createUpdate("DELETE FROM credentials WHERE account_id = :id").bind("id", id).execute();
            h.createUpdate("DELETE FROM accounts WHERE id = :id").bind("id", id).execute();
            audit.write(h, record);
            return true;
        });
    }

    // ---------------------------------------------------------------- helpers

    /** Who holds the account (checkout) and which operation holds its lock, read with a row lock. */
    private record Usage(String holder, String lockToken, Timestamp lockUntil) {
        boolean lockedByLiveOperation(Instant now) {
            return lockToken != null && lockUntil != null && lockUntil.toInstant().isAfter(now);
        }
    }

    private static Optional<Usage> usageForUpdate(Handle h, String accountId) {
        return h.createQuery("SELECT checked_out_by, lock_token, lock_until FROM accounts WHERE id = :id FOR UPDATE")
                .bind("id", accountId)
                .map((r, ctx) -> new Usage(r.getString(1), r.getString(2), r.getTimestamp(3)))
                .findFirst();
    }

    private static Account account(ResultSet r) throws SQLException {
        return new Account(r.getString(1), r.getString(2), r.getString(3), CredentialType.valueOf(r.getString(4)),
                AccountStatus.valueOf(r.getString(5)), r.getLong(6), r.getString(7));
    }

    private Timestamp now() {
        return Timestamp.from(work.now());
    }
}
