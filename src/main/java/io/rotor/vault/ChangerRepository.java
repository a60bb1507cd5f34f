package io.rotor.vault;

import io.rotor.domain.ChangerDefinition;
import io.rotor.domain.StoredChanger;
import org.jdbi.v3.core.statement.Update;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.List;
import java.util.Optional;

/**
 * The user-defined password changers (table {@code password_changers}, migration V6). Names are unique regardless
 * of case ({@link ChangerDefinition#nameKey()}, enforced by the table: a clash fails as a {@link VaultException});
 * the built-in changers are not stored. Every change writes its audit record through {@link AuditLog} in the same
 * transaction. Turning the stored JSON into a runnable changer is the caller's work
 * ({@code io.rotor.connector.ssh.ChangerCatalog}).
 */
public final class ChangerRepository {
    private static final String SELECT = "SELECT id, name, type, transport, timeout_seconds, pty, hidden, variables_json,"
            + " commands_json, created_at, modified_at FROM password_changers";

    private final UnitOfWork work;
    private final AuditLog audit;

    public ChangerRepository(UnitOfWork work, AuditLog audit) {
        this.work = work;
        this.audit = audit;
    }

    /** Every stored changer, oldest first. */
    public List<StoredChanger> all() {
        return work.read(h -> h.createQuery(SELECT + " ORDER BY created_at, id").map((r, ctx) -> changer(r)).list());
    }

    public Optional<StoredChanger> byId(String id) {
        return work.read(h -> h.createQuery(SELECT + " WHERE id = :id").bind("id", id)
                .map((r, ctx) -> changer(r)).findFirst());
    }

    /** By name, ignoring case. */
    public Optional<StoredChanger> byName(String name) {
        return work.read(h -> h.createQuery(SELECT + " WHERE name_key = :key").bind("key", ChangerDefinition.nameKey(name))
                .map((r, ctx) -> changer(r)).findFirst());
    }

    /** Stores a new changer under {@code id} (not hidden, created and modified now). */
    public void create(String id, ChangerDefinition changer, String actor) {
        work.useTransaction(h -> {
            Timestamp now = now();
            bindDefinition(h.createUpdate("INSERT INTO password_changers (id, name, name_key, type, transport,"
                            + " timeout_seconds, pty, hidden, variables_json, commands_json, created_at, modified_at)"
                            + " VALUES (:id, :name, :nameKey, :type, :transport, :timeout, :pty, FALSE, :variables,"
                            + " :commands, :now, :now)"), changer)
                    .bind("id", id).bind("now", now)
                    .execute();
            audit.write(h, record(actor, "CHANGER_CREATE", null, "SUCCEEDED",
                    "password changer '" + changer.name() + "' (id " + id + ")"));
        });
    }

    /** @return false when no stored changer has that id */
    public boolean update(String id, ChangerDefinition changer, String actor) {
        return work.inTransaction(h -> {
            int changed = bindDefinition(h.createUpdate("UPDATE password_changers SET name = :name, name_key = :nameKey,"
                            + " type = :type, transport = :transport, timeout_seconds = :timeout, pty = :pty,"
                            + " variables_json = :variables, commands_json = :commands, modified_at = :now WHERE id = :id"),
                    changer)
                    .bind("now", now()).bind("id", id)
                    .execute();
            if (changed == 1) {
                audit.write(h, record(actor, "CHANGER_UPDATE", null, "SUCCEEDED",
                        "password changer '" + changer.name() + "' (id " + id + ")"));
            }
            return changed == 1;
        });
    }

    /** @return false when no stored changer has that id */
    public boolean delete(String id, String actor) {
        return work.inTransaction(h -> {
            int changed = h.createUpdate("DELETE FROM password_changers WHERE id = :id").bind("id", id).execute();
            if (changed == 1) {
                audit.write(h, record(actor, "CHANGER_DELETE", null, "SUCCEEDED", "password changer id " + id));
            }
            return changed == 1;
        });
    }

    /**
     * Audits a failed run of a changer on a target as {@code CHANGER_FAILED} (actor {@code rotor}); {@code detail}
     * is the already redacted error and transcript.
     */
    public void recordFailure(String targetId, String detail) {
        work.useTransaction(h -> audit.write(h, record("rotor", "CHANGER_FAILED", targetId, "FAILED", detail)));
    }

    private static Update bindDefinition(Update update, ChangerDefinition d) {
        return update.bind("name", d.name().trim())
                .bind("nameKey", d.nameKey())
                .bind("type", d.type())
                .bind("transport", d.transport())
                .bind("timeout", d.timeoutSeconds())
                .bind("pty", d.pty())
                .bind("variables", d.variablesJson())
                .bind("commands", d.commandsJson());
    }

    private static AuditRecord record(String actor, String operation, String targetId, String outcome, String detail) {
        return AuditRecord.of(actor, operation, null, targetId, null, outcome, detail);
    }

    private Timestamp now() {
        return Timestamp.from(work.now());
    }

    private static StoredChanger changer(ResultSet r) throws SQLException {
        ChangerDefinition definition = new ChangerDefinition(r.getString(2), r.getString(3), r.getString(4), r.getInt(5),
                r.getBoolean(6), r.getString(8), r.getString(9));
        return new StoredChanger(r.getString(1), definition, r.getBoolean(7), r.getTimestamp(10).toInstant(),
                r.getTimestamp(11).toInstant());
    }
}
