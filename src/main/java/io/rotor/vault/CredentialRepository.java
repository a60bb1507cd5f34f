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
                throw new VaultException("account '" + lock.accountId() + "' has no PENDING credential to commit");
            }
            claims.claimWithVersion(h, lock, AccountStatus.IN_SYNC, pendingVersion);
            shift(h, lock.accountId(), Slot.PENDING);
            audit.write(h, record);
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
        });
    }

    /**
     * A vault-only set: PREVIOUS ← CURRENT, CURRENT ← {@code value}, status as given (UNVERIFIED until a verify
     * passes), audit — one transaction.
     *
     * @return the version given to the new CURRENT
     */
    public long setCurrent(AccountLock lock, String rotationId, Secret value, AccountStatus status, AuditRecord record) {
        return work.inTransaction(h -> {
            claims.claim(h, lock, status);
            delete(h, lock.accountId(), Slot.PENDING);
            long version = nextVersion(h, lock.accountId());
            insert(h, lock.accountId(), Slot.PENDING, version, rotationId, value);
            shift(h, lock.accountId(), Slot.PENDING);
            claims.claimWithVersion(h, lock, status, version);
            audit.write(h, record);
            return version;
        });
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
                .bind("createdAt", Timestamp.from(work.now()))
                .execute();
    }
}
