package io.rotor.vault;

import io.rotor.domain.AccountStatus;
import io.rotor.domain.Secret;
import io.rotor.domain.Slot;
import org.jdbi.v3.core.Handle;

import java.sql.Timestamp;
import java.util.List;
import java.util.Optional;

/**
 * Encrypted credential versions (CURRENT / PENDING / PREVIOUS) and the protocol writes that move them
 * (docs/architecture.md, "The rotation protocol"). Each write claims the account's lock in its own transaction
 * (so a stale worker commits nothing) and writes its audit record in that same transaction through {@link AuditLog}.
 */
public final class CredentialRepository {
    /** Where CURRENT waits for a moment while {@link #restorePrevious} swaps it with PREVIOUS; never committed. */
    private static final String SWAP_SLOT = "SWAP";

    private final UnitOfWork work;
    private final AuditLog audit;
    private final VaultCrypto crypto;
    private final LockClaims claims;

    public CredentialRepository(UnitOfWork work, AuditLog audit, VaultCrypto crypto) {
        this.work = work;
        this.audit = audit;
        this.crypto = crypto;
        this.claims = new LockClaims(work);
    }

    public VaultCrypto crypto() {
        return crypto;
    }

    /** The decrypted version in {@code slot}, if there is one; close it when done. */
    public Optional<StoredCredential> read(String accountId, Slot slot) {
        record Row(long version, String rotationId, byte[] ciphertext) {
        }
        List<Row> rows = work.read(h -> h.createQuery("SELECT version, rotation_id, ciphertext FROM credentials"
                        + " WHERE account_id = :accountId AND slot = :slot")
                .bind("accountId", accountId)
                .bind("slot", slot.name())
                .map((r, ctx) -> new Row(r.getLong(1), r.getString(2), r.getBytes(3)))
                .list());
        if (rows.isEmpty()) {
            return Optional.empty();
        }
        Row row = rows.get(0);
        Secret secret = crypto.decrypt(accountId, row.version(), row.ciphertext());
        return Optional.of(new StoredCredential(slot, row.version(), row.rotationId(), secret));
    }

    public boolean has(String accountId, Slot slot) {
        return work.read(h -> hasSlot(h, accountId, slot));
    }

    /**
     * Step 3 of the protocol: stores {@code pending} encrypted as the PENDING version and commits, before the
     * target is touched. Refuses when a PENDING version already exists (recovery must settle it first).
     *
     * @return the version number given to the pending credential
     */
    public long writePending(AccountLock lock, String rotationId, Secret pending, AuditRecord record) {
        return work.inTransaction(h -> {
            claims.claim(h, lock, AccountStatus.PENDING);
            if (hasSlot(h, lock.accountId(), Slot.PENDING)) {
                throw new VaultException("account '" + lock.accountId() + "' already has a PENDING credential; recovery must settle it first");
            }
            long version = nextVersion(h, lock.accountId());
            insert(h, lock.accountId(), Slot.PENDING, version, rotationId, pending);
            audit.write(h, record);
            return version;
        });
    }

    /**
     * The target generated the credential itself (an AWS access key; {@code ChangeResult.issued}): it replaces the
     * PENDING candidate of the same rotation, same version, in one transaction, before anything else happens
     * (docs/architecture.md, "AWS IAM"). Refuses when there is no PENDING version of {@code rotationId}.
     */
    public void replacePending(AccountLock lock, String rotationId, Secret issued, AuditRecord record) {
        work.useTransaction(h -> {
            claims.claim(h, lock, AccountStatus.PENDING);
            Optional<StoredCredential> pending = readIn(h, lock.accountId(), Slot.PENDING);
            if (pending.isEmpty() || !rotationId.equals(pending.get().rotationId())) {
                pending.ifPresent(StoredCredential::close);
                throw new VaultException("account '" + lock.accountId() + "' has no PENDING credential of this rotation to replace");
            }
            long version;
            try (StoredCredential old = pending.get()) {
                version = old.version();
            }
            delete(h, lock.accountId(), Slot.PENDING);
            insert(h, lock.accountId(), Slot.PENDING, version, rotationId, issued);
            audit.write(h, record);
        });
    }

    /** Step 6: PREVIOUS ← CURRENT, CURRENT ← PENDING, version + 1, status IN_SYNC, audit — one transaction. */
    public void commitPending(AccountLock lock, AuditRecord record) {
        commitPending(lock, record, false);
    }

    /**
     * Step 6 as {@link #commitPending(AccountLock, AuditRecord)}, and with {@code release} the lock is given back in
     * the same transaction (the operation ends with this commit): one vault commit instead of two. The lock token is
     * checked first, so a stale worker still commits nothing; once this returns, {@link AccountRepository#unlock} is
     * not needed.
     */
    public void commitPending(AccountLock lock, AuditRecord record, boolean release) {
        work.useTransaction(h -> {
            Long pendingVersion = Rows.singleLong(h,
                    "SELECT version FROM credentials WHERE account_id = :id AND slot = 'PENDING'", lock.accountId());
            if (pendingVersion == null) {
                // a worker whose lock was taken over learns that first (its PENDING may have been settled by the taker)
                if (claims.lost(h, lock)) {
                    throw new StaleLockException(lock.accountId());
                }
                throw new VaultException("account '" + lock.accountId() + "' has no PENDING credential to commit");
            }
            claims.claimWithVersion(h, lock, AccountStatus.IN_SYNC, pendingVersion);
            shift(h, lock.accountId(), Slot.PENDING);
            audit.write(h, record);
            mirrorLinked(h, lock.accountId(), record);
            if (release) {
                claims.release(h, lock);
            }
        });
    }

    /**
     * Drops the PENDING version. Only for a candidate proven not to be live on the target (the target refused
     * it, or a login with it was rejected while another version worked).
     */
    public void abandonPending(AccountLock lock, AccountStatus status, AuditRecord record) {
        work.useTransaction(h -> {
            claims.claim(h, lock, status);
            delete(h, lock.accountId(), Slot.PENDING);
            audit.write(h, record);
        });
    }

    /**
     * PREVIOUS proved to be the live credential (PENDING and CURRENT were both rejected): make it CURRENT again,
     * keep the old CURRENT as PREVIOUS and drop the rejected PENDING — one transaction.
     */
    public void restorePrevious(AccountLock lock, AuditRecord record) {
        work.useTransaction(h -> {
            claims.claim(h, lock, AccountStatus.IN_SYNC);
            delete(h, lock.accountId(), Slot.PENDING);
            // swapped through a parking slot: PostgreSQL checks the primary key row by row, so a one-statement swap
            // (CASE slot WHEN 'CURRENT' ...) collides on (account_id, slot) there
            rename(h, lock.accountId(), Slot.CURRENT.name(), SWAP_SLOT);
            rename(h, lock.accountId(), Slot.PREVIOUS.name(), Slot.CURRENT.name());
            rename(h, lock.accountId(), SWAP_SLOT, Slot.PREVIOUS.name());
            Long currentVersion = Rows.singleLong(h,
                    "SELECT version FROM credentials WHERE account_id = :id AND slot = 'CURRENT'", lock.accountId());
            claims.claimWithVersion(h, lock, AccountStatus.IN_SYNC, currentVersion == null ? 0 : currentVersion);
            audit.write(h, record);
            mirrorLinked(h, lock.accountId(), record);
        });
    }

    /**
     * A vault-only set: CURRENT ← {@code value}, status as given (UNVERIFIED until a verify passes), audit — one
     * transaction. The old CURRENT becomes PREVIOUS only when it was verified (IN_SYNC) or there is no PREVIOUS: while
     * CURRENT is merely UNVERIFIED (or known not to work), PREVIOUS may be the last credential that worked, and two
     * mistaken sets in a row must not push it out. Refused while the account holds PENDING: that candidate may be
     * the live credential, and only recovery may settle it.
     *
     * @return the version given to the new CURRENT
     */
    public long setCurrent(AccountLock lock, String rotationId, Secret value, AccountStatus status, AuditRecord record) {
        return work.inTransaction(h -> {
            String before = Rows.singleString(h, "SELECT status FROM accounts WHERE id = :id", lock.accountId());
            claims.claim(h, lock, status);
            if (hasSlot(h, lock.accountId(), Slot.PENDING)) {
                throw new VaultException("account '" + lock.accountId() + "' holds a PENDING credential that may be the"
                        + " live one; recovery must settle it before a set; nothing was changed");
            }
            boolean keepPrevious = !AccountStatus.IN_SYNC.name().equals(before) && hasSlot(h, lock.accountId(), Slot.PREVIOUS);
            long version = nextVersion(h, lock.accountId());
            if (keepPrevious) {
                delete(h, lock.accountId(), Slot.CURRENT);
                insert(h, lock.accountId(), Slot.CURRENT, version, rotationId, value);
            } else {
                insert(h, lock.accountId(), Slot.PENDING, version, rotationId, value);
                shift(h, lock.accountId(), Slot.PENDING);
            }
            claims.claimWithVersion(h, lock, status, version);
            audit.write(h, record);
            mirrorLinked(h, lock.accountId(), record);
            return version;
        });
    }

    /**
     * A worker that lost its lock after the target may have changed (its lease was taken over) puts its candidate
     * back as PENDING, so recovery probes it: a candidate that may be live is never dropped. Written without the
     * lock (the worker no longer has it) and only when the PENDING slot is free; a PENDING slot taken by the new
     * holder's own candidate is left alone and the write-back is refused (audited by the caller).
     *
     * @return whether the candidate was written back
     */
    public boolean writeBackPending(String accountId, String rotationId, Secret candidate, AuditRecord record) {
        return work.inTransaction(h -> {
            if (hasSlot(h, accountId, Slot.PENDING)) {
                Optional<String> same = h.createQuery("SELECT rotation_id FROM credentials WHERE account_id = :id"
                                + " AND slot = 'PENDING'").bind("id", accountId).mapTo(String.class).findFirst();
                return same.isPresent() && rotationId.equals(same.get());
            }
            long version = nextVersion(h, accountId);
            insert(h, accountId, Slot.PENDING, version, rotationId, candidate);
            h.createUpdate("UPDATE accounts SET status = :status, updated_at = :now WHERE id = :id")
                    .bind("status", AccountStatus.PENDING.name()).bind("now", Timestamp.from(work.now()))
                    .bind("id", accountId).execute();
            audit.write(h, record);
            return true;
        });
    }

    /**
     * How long ago the account's PENDING version was written, measured with the vault database's clock (the
     * quiet period after an unknown outcome is counted from here: the change was sent after this moment).
     */
    public Optional<java.time.Duration> pendingAge(String accountId) {
        return work.read(h -> h.createQuery("SELECT created_at, CURRENT_TIMESTAMP FROM credentials"
                        + " WHERE account_id = :id AND slot = 'PENDING'")
                .bind("id", accountId)
                .map((r, ctx) -> java.time.Duration.between(r.getTimestamp(1).toInstant(), r.getTimestamp(2).toInstant()))
                .findFirst());
    }

    /**
     * Copies the account's (new) CURRENT into every vault account that mirrors it ({@link LinkedMirrors}), inside the
     * caller's transaction: the backing account's commit and its mirrors' update commit together or not at all. A
     * mirror that already holds the value is left alone; otherwise its CURRENT moves to PREVIOUS.
     */
    private int mirrorLinked(Handle h, String backingAccountId, AuditRecord cause) {
        List<String> mirrors = LinkedMirrors.of(h, backingAccountId);
        if (mirrors.isEmpty()) {
            return 0;
        }
        StoredCredential current = readIn(h, backingAccountId, Slot.CURRENT).orElse(null);
        if (current == null) {
            return 0;
        }
        int updated = 0;
        try (current) {
            for (String mirror : mirrors) {
                Optional<StoredCredential> held = readIn(h, mirror, Slot.CURRENT);
                boolean same;
                try {
                    same = held.isPresent() && held.get().secret().contentEquals(current.secret());
                } finally {
                    held.ifPresent(StoredCredential::close);
                }
                if (same) {
                    continue;
                }
                long version = nextVersion(h, mirror);
                delete(h, mirror, Slot.PREVIOUS);
                rename(h, mirror, Slot.CURRENT.name(), Slot.PREVIOUS.name());
                insert(h, mirror, Slot.CURRENT, version, cause.rotationId(), current.secret());
                h.createUpdate("UPDATE accounts SET version = :version, status = :status, updated_at = :now WHERE id = :id")
                        .bind("version", version).bind("status", LinkedMirrors.MIRROR_STATUS.name())
                        .bind("now", Timestamp.from(work.now())).bind("id", mirror).execute();
                String targetId = Rows.singleString(h, "SELECT target_id FROM accounts WHERE id = :id", mirror);
                audit.write(h, AuditRecord.of(cause.actor(), "LINKED_UPDATE", mirror, targetId, cause.rotationId(),
                        "SUCCEEDED", "CURRENT of backing account '" + backingAccountId + "', in the same transaction as its "
                                + cause.operation()));
                updated++;
            }
        }
        return updated;
    }

    /**
     * How many vault accounts that mirror {@code backingAccountId} hold another CURRENT than it, read without a lock
     * or a write: the repair's {@link #syncMirrors} is only needed when this is above zero (a commit that moves the
     * backing account meanwhile moves its mirrors in its own transaction).
     */
    public int mirrorsOutOfStep(String backingAccountId) {
        return work.read(h -> {
            List<String> mirrors = LinkedMirrors.of(h, backingAccountId);
            if (mirrors.isEmpty()) {
                return 0;
            }
            Optional<StoredCredential> current = readIn(h, backingAccountId, Slot.CURRENT);
            if (current.isEmpty()) {
                return 0;
            }
            int differ = 0;
            try (StoredCredential backing = current.get()) {
                for (String mirror : mirrors) {
                    Optional<StoredCredential> held = readIn(h, mirror, Slot.CURRENT);
                    try {
                        if (held.isEmpty() || !held.get().secret().contentEquals(backing.secret())) {
                            differ++;
                        }
                    } finally {
                        held.ifPresent(StoredCredential::close);
                    }
                }
            }
            return differ;
        });
    }

    /**
     * Brings the vault accounts that mirror {@code backingAccountId} in step with its CURRENT now (a repair: a commit
     * already does it in its own transaction). The backing account's row is locked first, so a commit running at the
     * same moment is serialised with it and a stale value is never copied over a newer one.
     *
     * @return how many mirrors were updated (the others already held the value)
     */
    public int syncMirrors(String backingAccountId, String actor) {
        return work.inTransaction(h -> {
            h.createQuery("SELECT id FROM accounts WHERE id = :id FOR UPDATE").bind("id", backingAccountId)
                    .mapTo(String.class).list();
            return mirrorLinked(h, backingAccountId, AuditRecord.of(actor, "VAULT_SYNC", backingAccountId, null, null,
                    "SUCCEEDED", null));
        });
    }

    private Optional<StoredCredential> readIn(Handle h, String accountId, Slot slot) {
        return h.createQuery("SELECT version, rotation_id, ciphertext FROM credentials WHERE account_id = :a AND slot = :s")
                .bind("a", accountId).bind("s", slot.name())
                .map((r, ctx) -> new StoredCredential(slot, r.getLong(1), r.getString(2),
                        crypto.decrypt(accountId, r.getLong(1), r.getBytes(3))))
                .findFirst();
    }

    /**
     * Re-encrypts every stored credential under the current primary key. Runs row by row with compare-and-set
     * on the old ciphertext, so a rotation that writes the same row meanwhile wins and nothing is lost.
     *
     * @return the number of records re-encrypted
     */
    public int reencryptAll() {
        record Row(String accountId, String slot, long version, byte[] ciphertext) {
        }
        List<Row> rows = work.read(h -> h.createQuery("SELECT account_id, slot, version, ciphertext FROM credentials"
                        + " ORDER BY account_id, slot")
                .map((r, ctx) -> new Row(r.getString(1), r.getString(2), r.getLong(3), r.getBytes(4)))
                .list());
        int done = 0;
        for (Row row : rows) {
            try (Secret secret = crypto.decrypt(row.accountId(), row.version(), row.ciphertext())) {
                byte[] fresh = crypto.encrypt(row.accountId(), row.version(), secret);
                done += work.inTransaction(h -> h.createUpdate("UPDATE credentials SET ciphertext = :fresh"
                                + " WHERE account_id = :accountId AND slot = :slot AND version = :version AND ciphertext = :old")
                        .bind("fresh", fresh)
                        .bind("accountId", row.accountId())
                        .bind("slot", row.slot())
                        .bind("version", row.version())
                        .bind("old", row.ciphertext())
                        .execute());
            }
        }
        return done;
    }

    private static boolean hasSlot(Handle h, String accountId, Slot slot) {
        return !h.createQuery("SELECT 1 FROM credentials WHERE account_id = :accountId AND slot = :slot")
                .bind("accountId", accountId)
                .bind("slot", slot.name())
                .map((r, ctx) -> 1)
                .list().isEmpty();
    }

    /** Moves {@code from} into CURRENT, the old CURRENT into PREVIOUS, dropping the old PREVIOUS. */
    private static void shift(Handle h, String accountId, Slot from) {
        delete(h, accountId, Slot.PREVIOUS);
        rename(h, accountId, Slot.CURRENT.name(), Slot.PREVIOUS.name());
        rename(h, accountId, from.name(), Slot.CURRENT.name());
    }

    private static void rename(Handle h, String accountId, String from, String to) {
        h.createUpdate("UPDATE credentials SET slot = :to WHERE account_id = :accountId AND slot = :from")
                .bind("to", to)
                .bind("accountId", accountId)
                .bind("from", from)
                .execute();
    }

    private static void delete(Handle h, String accountId, Slot slot) {
        h.createUpdate("DELETE FROM credentials WHERE account_id = :accountId AND slot = :slot")
                .bind("accountId", accountId)
                .bind("slot", slot.name())
                .execute();
    }

    /** One above both the account's version and the highest stored version, so a version number is never reused. */
    private static long nextVersion(Handle h, String accountId) {
        Long accountVersion = Rows.singleLong(h, "SELECT version FROM accounts WHERE id = :id", accountId);
        Long highest = Rows.singleLong(h, "SELECT MAX(version) FROM credentials WHERE account_id = :id", accountId);
        return Math.max(accountVersion == null ? 0 : accountVersion, highest == null ? 0 : highest) + 1;
    }

    private void insert(Handle h, String accountId, Slot slot, long version, String rotationId, Secret secret) {
        byte[] ciphertext = crypto.encrypt(accountId, version, secret);
        h.createUpdate("INSERT INTO credentials (account_id, slot, version, rotation_id, ciphertext, created_at)"
                        + " VALUES (:accountId, :slot, :version, :rotationId, :ciphertext, :createdAt)")
                .bind("accountId", accountId)
                .bind("slot", slot.name())
                .bind("version", version)
                .bind("rotationId", rotationId)
                .bind("ciphertext", ciphertext)
                .bind("createdAt", Timestamp.from(slot == Slot.PENDING ? databaseNow(h) : work.now()))
                .execute();
    }

    /** The vault database's clock: leases and the quiet period after an unknown outcome are measured with it. */
    static java.time.Instant databaseNow(Handle h) {
        return h.createQuery("SELECT CURRENT_TIMESTAMP").map((r, ctx) -> r.getTimestamp(1).toInstant()).one();
    }
}
