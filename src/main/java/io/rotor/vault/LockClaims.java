package io.rotor.vault;

import io.rotor.domain.AccountStatus;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.Update;

import java.sql.Timestamp;

/**
 * The compare-and-set writes on an account's lock token, in one place for {@link AccountRepository} and
 * {@link CredentialRepository}. Every write made on behalf of a locked operation first claims the account here
 * inside its own transaction: the update matches only while the row still carries the worker's token, so a worker
 * whose lock was taken over (it stalled past the lease, or its process died) gets {@link StaleLockException} and
 * its transaction commits nothing.
 */
final class LockClaims {
    private final UnitOfWork work;

    LockClaims(UnitOfWork work) {
        this.work = work;
    }

    /** Sets the account's status while {@code lock} still holds it. */
    void claim(Handle h, AccountLock lock, AccountStatus status) {
        int updated = h.createUpdate("UPDATE accounts SET status = :status, updated_at = :now"
                        + " WHERE id = :id AND lock_token = :token")
                .bind("status", status.name())
                .bind("now", now())
                .bind("id", lock.accountId())
                .bind("token", lock.token())
                .execute();
        requireOne(updated, lock);
    }

    /**
     * Sets status and version while {@code lock} still holds the account; IN_SYNC also clears the reconcile
     * back-off and stamps the last verification.
     */
    void claimWithVersion(Handle h, AccountLock lock, AccountStatus status, long version) {
        boolean inSync = status == AccountStatus.IN_SYNC;
        Timestamp now = now();
        int updated = h.createUpdate("UPDATE accounts SET status = :status, version = :version, updated_at = :now"
                        + (inSync ? ", reconcile_attempts = 0, next_reconcile_at = NULL, last_verified_at = :now" : "")
                        + " WHERE id = :id AND lock_token = :token")
                .bind("status", status.name())
                .bind("version", version)
                .bind("now", now)
                .bind("id", lock.accountId())
                .bind("token", lock.token())
                .execute();
        requireOne(updated, lock);
    }

    /** Extends the lease by the database's clock while {@code lock} still holds the account. */
    boolean renew(Handle h, AccountLock lock, java.time.Duration lifetime) {
        Timestamp until = Timestamp.from(CredentialRepository.databaseNow(h).plus(lifetime));
        return h.createUpdate("UPDATE accounts SET lock_until = :until WHERE id = :id AND lock_token = :token")
                .bind("until", until)
                .bind("id", lock.accountId())
                .bind("token", lock.token())
                .execute() == 1;
    }

    /** Whether {@code lock} no longer holds the account (taken over, or given back already). */
    boolean lost(Handle h, AccountLock lock) {
        String token = Rows.singleString(h, "SELECT lock_token FROM accounts WHERE id = :id", lock.accountId());
        return !lock.token().equals(token);
    }

    /** Gives the lock back; a lock already taken over is left to its new owner. */
    void release(Handle h, AccountLock lock) {
        h.createUpdate("UPDATE accounts SET lock_token = NULL, lock_owner = NULL, lock_until = NULL"
                        + " WHERE id = :id AND lock_token = :token")
                .bind("id", lock.accountId())
                .bind("token", lock.token())
                .execute();
    }

    /**
     * Takes the account from the lock holder that was observed ({@code observedToken}, null when it was free):
     * exactly one of two racing takers matches.
     *
     * @return whether this taker won
     */
    boolean take(Handle h, String accountId, String observedToken, AccountLock taken, Timestamp until) {
        Update update = h.createUpdate("UPDATE accounts SET lock_token = :token, lock_owner = :owner, lock_until = :until"
                        + " WHERE id = :id AND " + (observedToken == null ? "lock_token IS NULL" : "lock_token = :observed"))
                .bind("token", taken.token())
                .bind("owner", taken.owner())
                .bind("until", until)
                .bind("id", accountId);
        if (observedToken != null) {
            update.bind("observed", observedToken);
        }
        return update.execute() == 1;
    }

    private Timestamp now() {
        return Timestamp.from(work.now());
    }

    private static void requireOne(int updated, AccountLock lock) {
        if (updated != 1) {
            throw new StaleLockException(lock.accountId());
        }
    }
}
