package io.rotor.vault;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rotor.domain.Account;
import io.rotor.domain.AccountStatus;
import io.rotor.domain.CredentialType;
import io.rotor.domain.PasswordPolicy;
import io.rotor.domain.Secret;
import io.rotor.domain.Slot;
import io.rotor.domain.Target;
import io.rotor.domain.TlsMode;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The vault: inventory, encrypted credential versions (CURRENT / PENDING / PREVIOUS), account locks and the
 * audit trail, in one JDBC database (H2 file or PostgreSQL). Every protocol write is one transaction that
 * includes its audit record, so a failed audit write refuses the operation.
 */
public final class VaultStore {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int DETAIL_MAX = 2000;

    private final DataSource dataSource;
    private final VaultCrypto crypto;
    private final Clock clock;

    public VaultStore(DataSource dataSource, VaultCrypto crypto, Clock clock) {
        this.dataSource = dataSource;
        this.crypto = crypto;
        this.clock = clock;
    }

    public VaultCrypto crypto() {
        return crypto;
    }

    // ---------------------------------------------------------------- inventory

    public void upsertPolicy(PasswordPolicy p) {
        upsertPolicy(p, null);
    }

    /** Like {@link #upsertPolicy(PasswordPolicy)}, with its audit record in the same transaction (when not null). */
    public void upsertPolicy(PasswordPolicy p, AuditRecord audit) {
        inTransaction(c -> {
            boolean exists = exists(c, "SELECT 1 FROM policies WHERE id = ?", p.id());
            String sql = exists
                    ? "UPDATE policies SET min_length=?, max_length=?, min_upper=?, min_lower=?, min_digit=?, min_symbol=?,"
                      + " symbols=?, excluded=?, not_contain_username=? WHERE id=?"
                    : "INSERT INTO policies (min_length, max_length, min_upper, min_lower, min_digit, min_symbol,"
                      + " symbols, excluded, not_contain_username, id) VALUES (?,?,?,?,?,?,?,?,?,?)";
            try (PreparedStatement s = c.prepareStatement(sql)) {
                s.setInt(1, p.minLength());
                s.setInt(2, p.maxLength());
                s.setInt(3, p.minUpper());
                s.setInt(4, p.minLower());
                s.setInt(5, p.minDigit());
                s.setInt(6, p.minSymbol());
                s.setString(7, p.symbols() == null ? "" : p.symbols());
                s.setString(8, p.excluded() == null ? "" : p.excluded());
                s.setBoolean(9, p.notContainUsername());
                s.setString(10, p.id());
                s.executeUpdate();
            }
            insertAuditIfAny(c, audit);
            return null;
        });
    }

    public Optional<PasswordPolicy> findPolicy(String id) {
        return query("SELECT id, min_length, max_length, min_upper, min_lower, min_digit, min_symbol, symbols, excluded,"
                + " not_contain_username FROM policies WHERE id = ?", r -> new PasswordPolicy(r.getString(1), r.getInt(2),
                r.getInt(3), r.getInt(4), r.getInt(5), r.getInt(6), r.getInt(7), r.getString(8), r.getString(9),
                r.getBoolean(10)), id).stream().findFirst();
    }

    // ---------------------------------------------------------------- schedules

    /** Stores the rotation schedule of an existing policy (columns of V5). */
    public void setRotationSchedule(String policyId, io.rotor.domain.RotationSchedule schedule) {
        inTransaction(c -> {
            try (PreparedStatement s = c.prepareStatement("UPDATE policies SET rotation_interval=?, rotation_cron=?,"
                    + " rotation_window=?, manual_only=? WHERE id=?")) {
                s.setString(1, schedule.intervalText());
                s.setString(2, schedule.cron());
                s.setString(3, schedule.window());
                s.setBoolean(4, schedule.manualOnly());
                s.setString(5, policyId);
                if (s.executeUpdate() != 1) {
                    throw new VaultException("unknown policy id '" + policyId + "'");
                }
            }
            return null;
        });
    }

    /** Every stored policy's rotation schedule, by policy id. */
    public Map<String, io.rotor.domain.RotationSchedule> rotationSchedules() {
        Map<String, io.rotor.domain.RotationSchedule> schedules = new java.util.LinkedHashMap<>();
        for (Object[] row : query("SELECT id, rotation_interval, rotation_cron, rotation_window, manual_only FROM policies"
                + " ORDER BY id", r -> new Object[]{r.getString(1), r.getString(2), r.getString(3), r.getString(4),
                r.getBoolean(5)})) {
            schedules.put((String) row[0], io.rotor.domain.RotationSchedule.of((String) row[1], (String) row[2],
                    (String) row[3], (Boolean) row[4]));
        }
        return schedules;
    }

    /**
     * One account a schedule may rotate: its effective policy (the account's, else its target's, else null for
     * the default), when its CURRENT credential was written, and whether it is its target's admin account.
     */
    public record ScheduleCandidate(String accountId, String policyId, java.time.Instant lastRotatedAt, boolean admin) {
    }

    /**
     * Accounts a schedule may rotate: on real targets (not the vault's own views), with a CURRENT credential,
     * and neither DISABLED nor NEEDS_RECONCILE (the reconcile retry owns those).
     */
    public List<ScheduleCandidate> scheduleCandidates() {
        return query("SELECT a.id, COALESCE(a.policy_id, t.policy_id), c.created_at, t.admin_account_id, t.type"
                + " FROM accounts a JOIN targets t ON t.id = a.target_id"
                + " JOIN credentials c ON c.account_id = a.id AND c.slot = 'CURRENT'"
                + " WHERE a.status NOT IN ('DISABLED', 'NEEDS_RECONCILE') ORDER BY a.id",
                r -> new Object[]{r.getString(1), r.getString(2), r.getTimestamp(3).toInstant(), r.getString(4),
                        r.getString(5)})
                .stream().filter(row -> !VaultModel.isVaultView((String) row[4]))
                .map(row -> new ScheduleCandidate((String) row[0], (String) row[1], (java.time.Instant) row[2],
                        row[0].equals(row[3])))
                .toList();
    }

    /** Ids of every account on a real target (not the vault's own views), for the heartbeat verify. */
    public List<String> accountsOnRealTargets() {
        return query("SELECT a.id, t.type FROM accounts a JOIN targets t ON t.id = a.target_id"
                + " WHERE a.status <> 'DISABLED' ORDER BY a.id", r -> new String[]{r.getString(1), r.getString(2)})
                .stream().filter(row -> !VaultModel.isVaultView(row[1])).map(row -> row[0]).toList();
    }

    public void upsertTarget(Target t) {
        upsertTarget(t, null);
    }

    /** Like {@link #upsertTarget(Target)}, with its audit record in the same transaction (when not null). */
    public void upsertTarget(Target t, AuditRecord audit) {
        inTransaction(c -> {
            boolean exists = exists(c, "SELECT 1 FROM targets WHERE id = ?", t.id());
            String sql = exists
                    ? "UPDATE targets SET type=?, host=?, port=?, database_name=?, tls_mode=?, admin_account_id=?,"
                      + " policy_id=?, settings_json=? WHERE id=?"
                    : "INSERT INTO targets (type, host, port, database_name, tls_mode, admin_account_id, policy_id,"
                      + " settings_json, id) VALUES (?,?,?,?,?,?,?,?,?)";
            try (PreparedStatement s = c.prepareStatement(sql)) {
                s.setString(1, t.type());
                s.setString(2, t.host());
                s.setInt(3, t.port());
                s.setString(4, t.database());
                s.setString(5, t.tlsMode().name());
                s.setString(6, t.adminAccountId());
                s.setString(7, t.policyId());
                s.setString(8, JSON.writeValueAsString(t.settings()));
                s.setString(9, t.id());
                s.executeUpdate();
            } catch (JsonProcessingException e) {
                throw new VaultException("cannot store the settings of target '" + t.id() + "'", e);
            }
            insertAuditIfAny(c, audit);
            return null;
        });
    }

    public Optional<Target> findTarget(String id) {
        return query(TARGET_SELECT + " WHERE id = ?", VaultStore::target, id).stream().findFirst();
    }

    public List<Target> listTargets() {
        return query(TARGET_SELECT + " ORDER BY id", VaultStore::target);
    }

    private static final String TARGET_SELECT =
            "SELECT id, type, host, port, database_name, tls_mode, admin_account_id, policy_id, settings_json FROM targets";

    private static Target target(ResultSet r) throws SQLException {
        Map<String, String> settings;
        try {
            settings = JSON.readValue(r.getString(9), new TypeReference<Map<String, String>>() { });
        } catch (JsonProcessingException e) {
            throw new SQLException("unreadable settings for target " + r.getString(1));
        }
        return new Target(r.getString(1), r.getString(2), r.getString(3), r.getInt(4), r.getString(5),
                TlsMode.valueOf(r.getString(6)), r.getString(7), r.getString(8), settings);
    }

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
                                 AuditRecord audit) {
        return inTransaction(c -> {
            boolean exists = exists(c, "SELECT 1 FROM accounts WHERE id = ?", id);
            String sql = exists
                    ? "UPDATE accounts SET target_id=?, username=?, credential_type=?, policy_id=? WHERE id=?"
                    : "INSERT INTO accounts (target_id, username, credential_type, policy_id, id, status, version, updated_at)"
                      + " VALUES (?,?,?,?,?,'UNVERIFIED',0,?)";
            try (PreparedStatement s = c.prepareStatement(sql)) {
                s.setString(1, targetId);
                s.setString(2, username);
                s.setString(3, type.name());
                s.setString(4, policyId);
                s.setString(5, id);
                if (!exists) {
                    s.setTimestamp(6, now());
                }
                s.executeUpdate();
            }
            insertAuditIfAny(c, audit);
            return !exists;
        });
    }

    public Optional<Account> findAccount(String id) {
        return query(ACCOUNT_SELECT + " WHERE id = ?", VaultStore::account, id).stream().findFirst();
    }

    public List<Account> listAccounts(String targetId) {
        return targetId == null
                ? query(ACCOUNT_SELECT + " ORDER BY id", VaultStore::account)
                : query(ACCOUNT_SELECT + " WHERE target_id = ? ORDER BY id", VaultStore::account, targetId);
    }

    /** Accounts a crash or an unknown outcome may have left half-rotated: a PENDING version exists. */
    public List<String> accountsWithPending() {
        return query("SELECT DISTINCT a.id FROM accounts a JOIN credentials c ON c.account_id = a.id"
                + " WHERE c.slot = 'PENDING' ORDER BY a.id", r -> r.getString(1));
    }

    /** Accounts in NEEDS_RECONCILE whose back-off has elapsed. */
    public List<String> accountsDueForReconcile() {
        return query("SELECT id FROM accounts WHERE status = 'NEEDS_RECONCILE'"
                + " AND (next_reconcile_at IS NULL OR next_reconcile_at <= ?) ORDER BY id", r -> r.getString(1), now());
    }

    public Map<AccountStatus, Integer> statusCounts() {
        Map<AccountStatus, Integer> counts = new java.util.EnumMap<>(AccountStatus.class);
        for (Object[] row : query("SELECT status, COUNT(*) FROM accounts GROUP BY status",
                r -> new Object[]{r.getString(1), r.getInt(2)})) {
            counts.put(AccountStatus.valueOf((String) row[0]), (Integer) row[1]);
        }
        return counts;
    }

    private static final String ACCOUNT_SELECT =
            "SELECT id, target_id, username, credential_type, status, version, policy_id FROM accounts";

    private static Account account(ResultSet r) throws SQLException {
        return new Account(r.getString(1), r.getString(2), r.getString(3), CredentialType.valueOf(r.getString(4)),
                AccountStatus.valueOf(r.getString(5)), r.getLong(6), r.getString(7));
    }

    // ---------------------------------------------------------------- credentials

    public Optional<StoredCredential> read(String accountId, Slot slot) {
        List<Object[]> rows = query("SELECT version, rotation_id, ciphertext FROM credentials WHERE account_id = ? AND slot = ?",
                r -> new Object[]{r.getLong(1), r.getString(2), r.getBytes(3)}, accountId, slot.name());
        if (rows.isEmpty()) {
            return Optional.empty();
        }
        Object[] row = rows.get(0);
        long version = (Long) row[0];
        Secret secret = crypto.decrypt(accountId, version, (byte[]) row[2]);
        return Optional.of(new StoredCredential(slot, version, (String) row[1], secret));
    }

    public boolean has(String accountId, Slot slot) {
        return !query("SELECT 1 FROM credentials WHERE account_id = ? AND slot = ?", r -> 1, accountId, slot.name()).isEmpty();
    }

    // ---------------------------------------------------------------- locks

    /**
     * Takes the account for one operation. Succeeds when the account is free, its lock expired, or its owner
     * was a process on this host that has died. Compare-and-set on the observed token makes two takers race
     * safely: exactly one wins.
     */
    public Optional<AccountLock> tryLock(String accountId, Duration lifetime) {
        return inTransaction(c -> {
            String observedToken;
            String observedOwner;
            Timestamp until;
            try (PreparedStatement s = c.prepareStatement("SELECT lock_token, lock_owner, lock_until FROM accounts WHERE id = ?")) {
                s.setString(1, accountId);
                try (ResultSet r = s.executeQuery()) {
                    if (!r.next()) {
                        throw new UnknownAccountException(accountId);
                    }
                    observedToken = r.getString(1);
                    observedOwner = r.getString(2);
                    until = r.getTimestamp(3);
                }
            }
            boolean free = observedToken == null
                    || until == null || until.toInstant().isBefore(clock.instant())
                    || (!ProcessIdentity.self().equals(observedOwner) && ProcessIdentity.isDeadLocalOwner(observedOwner));
            if (!free) {
                return Optional.<AccountLock>empty();
            }
            String token = UUID.randomUUID().toString();
            String sql = "UPDATE accounts SET lock_token = ?, lock_owner = ?, lock_until = ? WHERE id = ? AND "
                    + (observedToken == null ? "lock_token IS NULL" : "lock_token = ?");
            try (PreparedStatement s = c.prepareStatement(sql)) {
                s.setString(1, token);
                s.setString(2, ProcessIdentity.self());
                s.setTimestamp(3, Timestamp.from(clock.instant().plus(lifetime)));
                s.setString(4, accountId);
                if (observedToken != null) {
                    s.setString(5, observedToken);
                }
                if (s.executeUpdate() != 1) {
                    return Optional.<AccountLock>empty();
                }
            }
            return Optional.of(new AccountLock(accountId, token, ProcessIdentity.self()));
        });
    }

    public void unlock(AccountLock lock) {
        inTransaction(c -> {
            release(c, lock);
            return null;
        });
    }

    private static void release(Connection c, AccountLock lock) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(
                "UPDATE accounts SET lock_token = NULL, lock_owner = NULL, lock_until = NULL WHERE id = ? AND lock_token = ?")) {
            s.setString(1, lock.accountId());
            s.setString(2, lock.token());
            s.executeUpdate();
        }
    }

    // ---------------------------------------------------------------- protocol writes

    /**
     * Step 3 of the protocol: stores {@code pending} encrypted as the PENDING version and commits, before the
     * target is touched. Refuses when a PENDING version already exists (recovery must settle it first).
     *
     * @return the version number given to the pending credential
     */
    public long writePending(AccountLock lock, String rotationId, Secret pending, AuditRecord audit) {
        return inTransaction(c -> {
            claim(c, lock, "UPDATE accounts SET status = 'PENDING', updated_at = ? WHERE id = ? AND lock_token = ?");
            if (exists(c, "SELECT 1 FROM credentials WHERE account_id = ? AND slot = 'PENDING'", lock.accountId())) {
                throw new VaultException("account '" + lock.accountId() + "' already has a PENDING credential; recovery must settle it first");
            }
            long version = nextVersion(c, lock.accountId());
            insertCredential(c, lock.accountId(), Slot.PENDING, version, rotationId, pending);
            insertAudit(c, audit);
            return version;
        });
    }

    /** Step 6: PREVIOUS ← CURRENT, CURRENT ← PENDING, version + 1, status IN_SYNC, audit — one transaction. */
    public void commitPending(AccountLock lock, AuditRecord audit) {
        commitPending(lock, audit, false);
    }

    /**
     * Step 6 as {@link #commitPending(AccountLock, AuditRecord)}, and with {@code release} the lock is given back in
     * the same transaction (the operation ends with this commit): one vault commit instead of two. The lock token is
     * checked first, so a stale worker still commits nothing; once this returns, {@link #unlock} is not needed.
     */
    public void commitPending(AccountLock lock, AuditRecord audit, boolean release) {
        inTransaction(c -> {
            Long pendingVersion = singleLong(c, "SELECT version FROM credentials WHERE account_id = ? AND slot = 'PENDING'", lock.accountId());
            if (pendingVersion == null) {
                throw new VaultException("account '" + lock.accountId() + "' has no PENDING credential to commit");
            }
            claimWithVersion(c, lock, AccountStatus.IN_SYNC, pendingVersion);
            shift(c, lock.accountId(), Slot.PENDING);
            insertAudit(c, audit);
            if (release) {
                release(c, lock);
            }
            return null;
        });
    }

    /**
     * Drops the PENDING version. Only for a candidate proven not to be live on the target (the target refused
     * it, or a login with it was rejected while another version worked).
     */
    public void abandonPending(AccountLock lock, AccountStatus status, AuditRecord audit) {
        inTransaction(c -> {
            claim(c, lock, status);
            delete(c, lock.accountId(), Slot.PENDING);
            insertAudit(c, audit);
            return null;
        });
    }

    /**
     * PREVIOUS proved to be the live credential (PENDING and CURRENT were both rejected): make it CURRENT again,
     * keep the old CURRENT as PREVIOUS and drop the rejected PENDING — one transaction.
     */
    public void restorePrevious(AccountLock lock, AuditRecord audit) {
        inTransaction(c -> {
            claim(c, lock, AccountStatus.IN_SYNC);
            delete(c, lock.accountId(), Slot.PENDING);
            try (PreparedStatement s = c.prepareStatement(
                    "UPDATE credentials SET slot = CASE slot WHEN 'CURRENT' THEN 'PREVIOUS' ELSE 'CURRENT' END"
                            + " WHERE account_id = ? AND slot IN ('CURRENT', 'PREVIOUS')")) {
                s.setString(1, lock.accountId());
                s.executeUpdate();
            }
            Long currentVersion = singleLong(c, "SELECT version FROM credentials WHERE account_id = ? AND slot = 'CURRENT'", lock.accountId());
            claimWithVersion(c, lock, AccountStatus.IN_SYNC, currentVersion == null ? 0 : currentVersion);
            insertAudit(c, audit);
            return null;
        });
    }

    /**
     * A vault-only set: PREVIOUS ← CURRENT, CURRENT ← {@code value}, status as given (UNVERIFIED until a verify
     * passes), audit — one transaction.
     */
    public long setCurrent(AccountLock lock, String rotationId, Secret value, AccountStatus status, AuditRecord audit) {
        return inTransaction(c -> {
            claim(c, lock, status);
            delete(c, lock.accountId(), Slot.PENDING);
            long version = nextVersion(c, lock.accountId());
            insertCredential(c, lock.accountId(), Slot.PENDING, version, rotationId, value);
            shift(c, lock.accountId(), Slot.PENDING);
            claimWithVersion(c, lock, status, version);
            insertAudit(c, audit);
            return version;
        });
    }

    public void setStatus(AccountLock lock, AccountStatus status, AuditRecord audit) {
        inTransaction(c -> {
            claim(c, lock, status);
            if (status == AccountStatus.IN_SYNC) {
                try (PreparedStatement s = c.prepareStatement("UPDATE accounts SET last_verified_at = ? WHERE id = ?")) {
                    s.setTimestamp(1, now());
                    s.setString(2, lock.accountId());
                    s.executeUpdate();
                }
            }
            insertAudit(c, audit);
            return null;
        });
    }

    /** NEEDS_RECONCILE with exponential back-off (1 min doubling, capped at 1 day) before the next admin attempt. */
    public void markNeedsReconcile(AccountLock lock, AuditRecord audit) {
        inTransaction(c -> {
            claim(c, lock, AccountStatus.NEEDS_RECONCILE);
            int attempts = (int) (long) singleLong(c, "SELECT reconcile_attempts FROM accounts WHERE id = ?", lock.accountId());
            long delaySeconds = Math.min(86_400L, 60L << Math.min(attempts, 20));
            try (PreparedStatement s = c.prepareStatement(
                    "UPDATE accounts SET reconcile_attempts = reconcile_attempts + 1, next_reconcile_at = ? WHERE id = ?")) {
                s.setTimestamp(1, Timestamp.from(clock.instant().plus(Duration.ofSeconds(delaySeconds))));
                s.setString(2, lock.accountId());
                s.executeUpdate();
            }
            insertAudit(c, audit);
            return null;
        });
    }

    // ---------------------------------------------------------------- removal (referential checks)

    public List<PasswordPolicy> listPolicies() {
        return query("SELECT id, min_length, max_length, min_upper, min_lower, min_digit, min_symbol, symbols, excluded,"
                + " not_contain_username FROM policies ORDER BY id", r -> new PasswordPolicy(r.getString(1), r.getInt(2),
                r.getInt(3), r.getInt(4), r.getInt(5), r.getInt(6), r.getInt(7), r.getString(8), r.getString(9),
                r.getBoolean(10)));
    }

    /**
     * Deletes a policy that no target or account names.
     *
     * @return false when there is no such policy
     * @throws VaultConflictException (IN_USE) naming what still uses it
     */
    public boolean deletePolicy(String id, AuditRecord audit) {
        return inTransaction(c -> {
            if (!exists(c, "SELECT 1 FROM policies WHERE id = ?", id)) {
                return false;
            }
            long targets = count(c, "SELECT COUNT(*) FROM targets WHERE policy_id = ?", id);
            long accounts = count(c, "SELECT COUNT(*) FROM accounts WHERE policy_id = ?", id);
            if (targets + accounts > 0) {
                throw new VaultConflictException(VaultConflictException.Reason.IN_USE, "policy '" + id + "' is used by "
                        + targets + " target(s) and " + accounts + " account(s); change them first");
            }
            deleteRow(c, "DELETE FROM policies WHERE id = ?", id);
            insertAudit(c, audit);
            return true;
        });
    }

    /**
     * Deletes a target that has no accounts.
     *
     * @return false when there is no such target
     * @throws VaultConflictException (IN_USE) when accounts remain
     */
    public boolean deleteTarget(String id, AuditRecord audit) {
        return inTransaction(c -> {
            if (!exists(c, "SELECT 1 FROM targets WHERE id = ?", id)) {
                return false;
            }
            long accounts = count(c, "SELECT COUNT(*) FROM accounts WHERE target_id = ?", id);
            if (accounts > 0) {
                throw new VaultConflictException(VaultConflictException.Reason.IN_USE, "target '" + id + "' still has "
                        + accounts + " account(s); delete them first");
            }
            // the directory's rows would go with it (ON DELETE CASCADE): refuse rather than lose them
            long directory = count(c, "SELECT COUNT(*) FROM vault_users WHERE user_target_id = ?", id)
                    + count(c, "SELECT COUNT(*) FROM vault_user_groups WHERE user_target_id = ?", id)
                    + count(c, "SELECT COUNT(*) FROM vault_templates WHERE vault_target_id = ?", id);
            if (directory > 0) {
                throw new VaultConflictException(VaultConflictException.Reason.IN_USE, "target '" + id + "' still holds "
                        + directory + " vault user(s), group(s) or template(s); remove them first");
            }
            deleteRow(c, "DELETE FROM targets WHERE id = ?", id);
            insertAudit(c, audit);
            return true;
        });
    }

    /**
     * Deletes an account and its stored credentials. Refused while a PENDING credential exists (it may be the
     * live one), while an operation holds the account, while it is checked out, or while a target uses it as
     * its admin account.
     *
     * @return false when there is no such account
     * @throws VaultConflictException naming the reason
     */
    public boolean deleteAccount(String id, AuditRecord audit) {
        return inTransaction(c -> {
            String holder;
            String lockToken;
            Timestamp lockUntil;
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT checked_out_by, lock_token, lock_until FROM accounts WHERE id = ? FOR UPDATE")) {
                s.setString(1, id);
                try (ResultSet r = s.executeQuery()) {
                    if (!r.next()) {
                        return false;
                    }
                    holder = r.getString(1);
                    lockToken = r.getString(2);
                    lockUntil = r.getTimestamp(3);
                }
            }
            if (exists(c, "SELECT 1 FROM credentials WHERE account_id = ? AND slot = 'PENDING'", id)) {
                throw new VaultConflictException(VaultConflictException.Reason.PENDING_CREDENTIAL, "account '" + id
                        + "' has a PENDING credential that may be the live one; recover it first");
            }
            if (lockToken != null && lockUntil != null && lockUntil.toInstant().isAfter(clock.instant())) {
                throw new VaultConflictException(VaultConflictException.Reason.BUSY,
                        "another operation holds account '" + id + "'; try again later");
            }
            if (holder != null) {
                throw new VaultConflictException(VaultConflictException.Reason.CHECKED_OUT,
                        "account '" + id + "' is checked out by " + holder + "; check it in first");
            }
            long adminOf = count(c, "SELECT COUNT(*) FROM targets WHERE admin_account_id = ?", id);
            if (adminOf > 0) {
                throw new VaultConflictException(VaultConflictException.Reason.IN_USE, "account '" + id
                        + "' is the admin account of " + adminOf + " target(s); change them first");
            }
            // e.g. the link attribute of a vault account that this account backs
            long namedBy = count(c, "SELECT COUNT(DISTINCT account_id) FROM account_attributes WHERE attr_value = ?"
                    + " AND account_id <> attr_value", id);
            if (namedBy > 0) {
                throw new VaultConflictException(VaultConflictException.Reason.IN_USE, "account '" + id
                        + "' is named in an attribute (e.g. the link) of " + namedBy + " other account(s); change them first");
            }
            deleteRow(c, "DELETE FROM credentials WHERE account_id = ?", id);
            deleteRow(c, "DELETE FROM accounts WHERE id = ?", id);
            insertAudit(c, audit);
            return true;
        });
    }

    // ---------------------------------------------------------------- checkout / checkin

    /** Who holds the account for exclusive use, if anyone. */
    public Optional<String> checkedOutBy(String accountId) {
        return query("SELECT checked_out_by FROM accounts WHERE id = ? AND checked_out_by IS NOT NULL",
                r -> r.getString(1), accountId).stream().findFirst();
    }

    /** Every checked-out account with its holder. */
    public Map<String, String> checkouts() {
        Map<String, String> held = new java.util.TreeMap<>();
        for (String[] row : query("SELECT id, checked_out_by FROM accounts WHERE checked_out_by IS NOT NULL",
                r -> new String[]{r.getString(1), r.getString(2)})) {
            held.put(row[0], row[1]);
        }
        return held;
    }

    /**
     * Marks the account as held by {@code holder} (exclusive use) and records {@code audit} — the reveal — in the
     * same transaction. The same holder may check it out again. The caller reads CURRENT afterwards.
     *
     * @throws UnknownAccountException when there is no such account
     * @throws VaultConflictException   CHECKED_OUT (someone else holds it), BUSY (an operation holds its lock),
     *                                  PENDING_CREDENTIAL, NO_CREDENTIAL
     */
    public void checkOut(String accountId, String holder, AuditRecord audit) {
        inTransaction(c -> {
            String current;
            String lockToken;
            Timestamp lockUntil;
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT checked_out_by, lock_token, lock_until FROM accounts WHERE id = ? FOR UPDATE")) {
                s.setString(1, accountId);
                try (ResultSet r = s.executeQuery()) {
                    if (!r.next()) {
                        throw new UnknownAccountException(accountId);
                    }
                    current = r.getString(1);
                    lockToken = r.getString(2);
                    lockUntil = r.getTimestamp(3);
                }
            }
            if (current != null && !current.equals(holder)) {
                throw new VaultConflictException(VaultConflictException.Reason.CHECKED_OUT,
                        "account '" + accountId + "' is checked out by " + current);
            }
            if (lockToken != null && lockUntil != null && lockUntil.toInstant().isAfter(clock.instant())) {
                throw new VaultConflictException(VaultConflictException.Reason.BUSY,
                        "another operation holds account '" + accountId + "'; try again later");
            }
            if (exists(c, "SELECT 1 FROM credentials WHERE account_id = ? AND slot = 'PENDING'", accountId)) {
                throw new VaultConflictException(VaultConflictException.Reason.PENDING_CREDENTIAL, "account '" + accountId
                        + "' has a PENDING credential; recovery must settle it first");
            }
            if (!exists(c, "SELECT 1 FROM credentials WHERE account_id = ? AND slot = 'CURRENT'", accountId)) {
                throw new VaultConflictException(VaultConflictException.Reason.NO_CREDENTIAL,
                        "account '" + accountId + "' has no CURRENT credential to check out");
            }
            try (PreparedStatement s = c.prepareStatement(
                    "UPDATE accounts SET checked_out_by = ?, checked_out_at = ? WHERE id = ?")) {
                s.setString(1, holder);
                s.setTimestamp(2, now());
                s.setString(3, accountId);
                s.executeUpdate();
            }
            insertAudit(c, audit);
            return null;
        });
    }

    /**
     * Releases the account. Only its holder may, unless {@code force} (an admin).
     *
     * @return the holder that was released
     * @throws UnknownAccountException when there is no such account
     * @throws VaultConflictException   NOT_CHECKED_OUT, or CHECKED_OUT when someone else holds it
     */
    public String checkIn(String accountId, String holder, boolean force, AuditRecord audit) {
        return inTransaction(c -> {
            String current;
            try (PreparedStatement s = c.prepareStatement("SELECT checked_out_by FROM accounts WHERE id = ? FOR UPDATE")) {
                s.setString(1, accountId);
                try (ResultSet r = s.executeQuery()) {
                    if (!r.next()) {
                        throw new UnknownAccountException(accountId);
                    }
                    current = r.getString(1);
                }
            }
            if (current == null) {
                throw new VaultConflictException(VaultConflictException.Reason.NOT_CHECKED_OUT,
                        "account '" + accountId + "' is not checked out");
            }
            if (!current.equals(holder) && !force) {
                throw new VaultConflictException(VaultConflictException.Reason.CHECKED_OUT,
                        "account '" + accountId + "' is checked out by " + current + "; only it (or an admin) may check it in");
            }
            try (PreparedStatement s = c.prepareStatement(
                    "UPDATE accounts SET checked_out_by = NULL, checked_out_at = NULL WHERE id = ?")) {
                s.setString(1, accountId);
                s.executeUpdate();
            }
            insertAudit(c, audit);
            return current;
        });
    }

    // ---------------------------------------------------------------- audit

    /** Writes one audit record on its own; throws when it cannot, and the caller must then refuse the operation. */
    public void audit(AuditRecord audit) {
        inTransaction(c -> {
            insertAudit(c, audit);
            return null;
        });
    }

    public List<AuditRecord> auditTrail(String accountId, int limit) {
        String sql = "SELECT at, actor, operation, account_id, target_id, rotation_id, outcome, detail FROM audit_log"
                + (accountId == null ? "" : " WHERE account_id = ?") + " ORDER BY id DESC LIMIT ?";
        return accountId == null
                ? query(sql, VaultStore::auditRecord, Math.max(0, limit))
                : query(sql, VaultStore::auditRecord, accountId, Math.max(0, limit));
    }

    private static AuditRecord auditRecord(ResultSet r) throws SQLException {
        return new AuditRecord(r.getTimestamp(1).toInstant(), r.getString(2), r.getString(3), r.getString(4),
                r.getString(5), r.getString(6), r.getString(7), r.getString(8));
    }

    // ---------------------------------------------------------------- key rotation

    /**
     * Re-encrypts every stored credential under the current primary key. Runs row by row with compare-and-set
     * on the old ciphertext, so a rotation that writes the same row meanwhile wins and nothing is lost.
     *
     * @return the number of records re-encrypted
     */
    public int reencryptAll() {
        List<Object[]> rows = query("SELECT account_id, slot, version, ciphertext FROM credentials ORDER BY account_id, slot",
                r -> new Object[]{r.getString(1), r.getString(2), r.getLong(3), r.getBytes(4)});
        int done = 0;
        for (Object[] row : rows) {
            String accountId = (String) row[0];
            long version = (Long) row[2];
            byte[] old = (byte[]) row[3];
            try (Secret secret = crypto.decrypt(accountId, version, old)) {
                byte[] fresh = crypto.encrypt(accountId, version, secret);
                done += inTransaction(c -> {
                    try (PreparedStatement s = c.prepareStatement("UPDATE credentials SET ciphertext = ?"
                            + " WHERE account_id = ? AND slot = ? AND version = ? AND ciphertext = ?")) {
                        s.setBytes(1, fresh);
                        s.setString(2, accountId);
                        s.setString(3, (String) row[1]);
                        s.setLong(4, version);
                        s.setBytes(5, old);
                        return s.executeUpdate();
                    }
                });
            }
        }
        return done;
    }

    // ---------------------------------------------------------------- helpers

    private void claim(Connection c, AccountLock lock, String sql) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql)) {
            s.setTimestamp(1, now());
            s.setString(2, lock.accountId());
            s.setString(3, lock.token());
            if (s.executeUpdate() != 1) {
                throw new StaleLockException(lock.accountId());
            }
        }
    }

    private void claim(Connection c, AccountLock lock, AccountStatus status) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(
                "UPDATE accounts SET status = ?, updated_at = ? WHERE id = ? AND lock_token = ?")) {
            s.setString(1, status.name());
            s.setTimestamp(2, now());
            s.setString(3, lock.accountId());
            s.setString(4, lock.token());
            if (s.executeUpdate() != 1) {
                throw new StaleLockException(lock.accountId());
            }
        }
    }

    private void claimWithVersion(Connection c, AccountLock lock, AccountStatus status, long version) throws SQLException {
        String extra = status == AccountStatus.IN_SYNC
                ? ", reconcile_attempts = 0, next_reconcile_at = NULL, last_verified_at = ?" : "";
        try (PreparedStatement s = c.prepareStatement("UPDATE accounts SET status = ?, version = ?, updated_at = ?" + extra
                + " WHERE id = ? AND lock_token = ?")) {
            int i = 1;
            s.setString(i++, status.name());
            s.setLong(i++, version);
            s.setTimestamp(i++, now());
            if (!extra.isEmpty()) {
                s.setTimestamp(i++, now());
            }
            s.setString(i++, lock.accountId());
            s.setString(i, lock.token());
            if (s.executeUpdate() != 1) {
                throw new StaleLockException(lock.accountId());
            }
        }
    }

    /** Moves {@code from} into CURRENT, the old CURRENT into PREVIOUS, dropping the old PREVIOUS. */
    private void shift(Connection c, String accountId, Slot from) throws SQLException {
        delete(c, accountId, Slot.PREVIOUS);
        rename(c, accountId, Slot.CURRENT, Slot.PREVIOUS);
        rename(c, accountId, from, Slot.CURRENT);
    }

    private void rename(Connection c, String accountId, Slot from, Slot to) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("UPDATE credentials SET slot = ? WHERE account_id = ? AND slot = ?")) {
            s.setString(1, to.name());
            s.setString(2, accountId);
            s.setString(3, from.name());
            s.executeUpdate();
        }
    }

    private void delete(Connection c, String accountId, Slot slot) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("DELETE FROM credentials WHERE account_id = ? AND slot = ?")) {
            s.setString(1, accountId);
            s.setString(2, slot.name());
            s.executeUpdate();
        }
    }

    private long nextVersion(Connection c, String accountId) throws SQLException {
        Long accountVersion = singleLong(c, "SELECT version FROM accounts WHERE id = ?", accountId);
        Long highest = singleLong(c, "SELECT MAX(version) FROM credentials WHERE account_id = ?", accountId);
        return Math.max(accountVersion == null ? 0 : accountVersion, highest == null ? 0 : highest) + 1;
    }

    private void insertCredential(Connection c, String accountId, Slot slot, long version, String rotationId, Secret secret)
            throws SQLException {
        byte[] ciphertext = crypto.encrypt(accountId, version, secret);
        try (PreparedStatement s = c.prepareStatement("INSERT INTO credentials (account_id, slot, version, rotation_id,"
                + " ciphertext, created_at) VALUES (?,?,?,?,?,?)")) {
            s.setString(1, accountId);
            s.setString(2, slot.name());
            s.setLong(3, version);
            s.setString(4, rotationId);
            s.setBytes(5, ciphertext);
            s.setTimestamp(6, now());
            s.executeUpdate();
        }
    }

    private void insertAudit(Connection c, AuditRecord a) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("INSERT INTO audit_log (at, actor, operation, account_id, target_id,"
                + " rotation_id, outcome, detail) VALUES (?,?,?,?,?,?,?,?)")) {
            s.setTimestamp(1, a.at() == null ? now() : Timestamp.from(a.at()));
            s.setString(2, a.actor() == null ? "system" : a.actor());
            s.setString(3, a.operation());
            s.setString(4, a.accountId());
            s.setString(5, a.targetId());
            s.setString(6, a.rotationId());
            s.setString(7, a.outcome());
            String detail = a.detail();
            s.setString(8, detail != null && detail.length() > DETAIL_MAX ? detail.substring(0, DETAIL_MAX) : detail);
            s.executeUpdate();
        }
    }

    private void insertAuditIfAny(Connection c, AuditRecord audit) throws SQLException {
        if (audit != null) {
            insertAudit(c, audit);
        }
    }

    private static long count(Connection c, String sql, String id) throws SQLException {
        Long n = singleLong(c, sql, id);
        return n == null ? 0 : n;
    }

    private static void deleteRow(Connection c, String sql, String id) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, id);
            s.executeUpdate();
        }
    }

    private Timestamp now() {
        return Timestamp.from(clock.instant());
    }

    private static boolean exists(Connection c, String sql, String id) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, id);
            try (ResultSet r = s.executeQuery()) {
                return r.next();
            }
        }
    }

    private static Long singleLong(Connection c, String sql, String id) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, id);
            try (ResultSet r = s.executeQuery()) {
                if (!r.next()) {
                    return null;
                }
                long value = r.getLong(1);
                return r.wasNull() ? null : value;
            }
        }
    }

    @FunctionalInterface
    private interface RowMapper<T> {
        T map(ResultSet r) throws SQLException;
    }

    @FunctionalInterface
    private interface TransactionWork<T> {
        T run(Connection c) throws SQLException;
    }

    private <T> List<T> query(String sql, RowMapper<T> mapper, Object... params) {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                s.setObject(i + 1, params[i]);
            }
            try (ResultSet r = s.executeQuery()) {
                List<T> rows = new ArrayList<>();
                while (r.next()) {
                    rows.add(mapper.map(r));
                }
                return rows;
            }
        } catch (SQLException e) {
            throw new VaultException("vault query failed: " + e.getMessage(), e);
        }
    }

    private <T> T inTransaction(TransactionWork<T> work) {
        try (Connection c = dataSource.getConnection()) {
            boolean autoCommit = c.getAutoCommit();
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(autoCommit);
            }
        } catch (SQLException e) {
            throw new VaultException("vault write failed, nothing was changed: " + e.getMessage(), e);
        }
    }
}
