package io.rotor.vault;

import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.HandleCallback;
import org.jdbi.v3.core.HandleConsumer;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;

import javax.sql.DataSource;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;

/**
 * The vault's one unit of work (docs/architecture.md, "Persistence"). Every repository runs its reads and writes
 * through here; nothing else in Rotor opens a vault connection.
 *
 * <p>Calls nest: Jdbi keeps one handle per thread, so a repository method called inside {@link #inTransaction}
 * joins the caller's transaction instead of opening its own. That is how several repositories' changes — a
 * credential commit, the linked vault accounts' update and their audit records — commit together or not at all.
 *
 * <p>Database errors become {@link VaultException} with "nothing was changed" for writes; Rotor's own refusals
 * ({@link VaultException} and its subclasses, {@link IllegalArgumentException}) pass through unchanged after the
 * rollback.
 */
public final class UnitOfWork {
    private final Jdbi jdbi;
    private final Clock clock;

    public UnitOfWork(DataSource dataSource, Clock clock) {
        this.jdbi = Jdbi.create(dataSource);
        this.clock = clock;
    }

    /** Runs {@code work} in one transaction (joining the caller's when there is one) and returns its result. */
    public <T> T inTransaction(HandleCallback<T, SQLException> work) {
        try {
            return jdbi.inTransaction(work);
        } catch (JdbiException | SQLException e) {
            throw new VaultException("vault write failed, nothing was changed: " + rootMessage(e), e);
        }
    }

    /** {@link #inTransaction} for work without a result. */
    public void useTransaction(HandleConsumer<SQLException> work) {
        inTransaction(h -> {
            work.useHandle(h);
            return null;
        });
    }

    /** Runs read-only {@code work} on a handle (the caller's when there is one). */
    public <T> T read(HandleCallback<T, SQLException> work) {
        try {
            return jdbi.withHandle(work);
        } catch (JdbiException | SQLException e) {
            throw new VaultException("vault query failed: " + rootMessage(e), e);
        }
    }

    /** The vault's clock: timestamps written by repositories come from here so tests can pin time. */
    public Instant now() {
        return clock.instant();
    }

    public Clock clock() {
        return clock;
    }

    /** The Jdbi instance, for repositories only (package-private on purpose: SQL stays in this package). */
    Jdbi jdbi() {
        return jdbi;
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String message = t.getMessage();
        return message == null ? t.getClass().getSimpleName() : message;
    }
}
