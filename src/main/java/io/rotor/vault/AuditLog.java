package io.rotor.vault;

import io.rotor.domain.VisibleText;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.Query;

import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;

/**
 * The one writer of the audit trail (docs/architecture.md, "Persistence"). A change and its audit record commit
 * together or neither: every repository calls {@link #write} with the handle of the change's own transaction, so a
 * failed audit insert rolls the change back and the caller refuses the operation. Records never hold a secret.
 * {@code detail} is made fit for readers here, in one place ({@link VisibleText}): control characters (ANSI escape
 * sequences a target printed, line breaks of a transcript) become visible escapes and the text is cut to the
 * column size with a marker.
 */
public final class AuditLog {
    /** Size of {@code audit_log.detail}. */
    public static final int DETAIL_MAX = 2000;

    private final UnitOfWork work;

    public AuditLog(UnitOfWork work) {
        this.work = work;
    }

    /** Writes {@code record} inside the transaction of {@code handle}; a null record writes nothing. */
    public void write(Handle handle, AuditRecord record) {
        if (record == null) {
            return;
        }
        String detail = VisibleText.clean(record.detail(), DETAIL_MAX);
        handle.createUpdate("INSERT INTO audit_log (at, actor, operation, account_id, target_id, rotation_id, outcome, detail)"
                        + " VALUES (:at, :actor, :operation, :accountId, :targetId, :rotationId, :outcome, :detail)")
                .bind("at", Timestamp.from(record.at() == null ? work.now() : record.at()))
                .bind("actor", record.actor() == null ? "system" : record.actor())
                .bind("operation", record.operation())
                .bind("accountId", record.accountId())
                .bind("targetId", record.targetId())
                .bind("rotationId", record.rotationId())
                .bind("outcome", record.outcome())
                .bind("detail", detail)
                .execute();
    }

    /** Writes one record in a transaction of its own (joining the caller's); throws when it cannot. */
    public void record(AuditRecord record) {
        work.useTransaction(h -> write(h, record));
    }

    /** The newest {@code limit} records, of one account or (with a null id) of all. */
    public List<AuditRecord> trail(String accountId, int limit) {
        if (limit <= 0) {
            return List.of();
        }
        return search(new AuditFilter(accountId, null, null, null, limit));
    }

    /** The newest records that match every field {@code filter} sets. */
    public List<AuditRecord> search(AuditFilter filter) {
        List<String> where = new ArrayList<>();
        if (filter.accountId() != null) {
            where.add("account_id = :accountId");
        }
        if (filter.actor() != null) {
            where.add("actor = :actor");
        }
        if (filter.operation() != null) {
            where.add("operation = :operation");
        }
        if (filter.since() != null) {
            where.add("at >= :since");
        }
        return work.read(h -> {
            Query q = h.createQuery("SELECT at, actor, operation, account_id, target_id, rotation_id, outcome, detail"
                    + " FROM audit_log" + (where.isEmpty() ? "" : " WHERE " + String.join(" AND ", where))
                    + " ORDER BY id DESC LIMIT :limit");
            if (filter.accountId() != null) {
                q.bind("accountId", filter.accountId());
            }
            if (filter.actor() != null) {
                q.bind("actor", filter.actor());
            }
            if (filter.operation() != null) {
                q.bind("operation", filter.operation());
            }
            if (filter.since() != null) {
                q.bind("since", Timestamp.from(filter.since()));
            }
            return q.bind("limit", filter.limit())
                    .map((r, ctx) -> new AuditRecord(r.getTimestamp(1).toInstant(), r.getString(2), r.getString(3),
                            r.getString(4), r.getString(5), r.getString(6), r.getString(7), r.getString(8)))
                    .list();
        });
    }
}
