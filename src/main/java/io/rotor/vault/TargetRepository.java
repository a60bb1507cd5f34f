package io.rotor.vault;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rotor.domain.Target;
import io.rotor.domain.TlsMode;

import org.jdbi.v3.core.Handle;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Targets: the systems whose accounts Rotor manages, with their connection settings (stored as JSON). Each row
 * carries a {@link RowSeal} MAC over all its columns: a row edited in the database (say, its host repointed so
 * that the next heartbeat sends a password there) is refused with an audited {@code ROW_MAC_MISMATCH}.
 */
public final class TargetRepository {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TARGET_SELECT =
            "SELECT id, type, host, port, database_name, tls_mode, admin_account_id, policy_id, settings_json, row_mac FROM targets";
    static final String TABLE = "targets";

    private final UnitOfWork work;
    private final AuditLog audit;
    private final RowSeal seal;

    public TargetRepository(UnitOfWork work, AuditLog audit, RowSeal seal) {
        this.work = work;
        this.audit = audit;
        this.seal = seal;
    }

    /** A row as read: the target, and whether its MAC matched. */
    private record Row(Target target, boolean sealed) {
    }

    public void upsertTarget(Target t) {
        upsertTarget(t, null);
    }

    /** Like {@link #upsertTarget(Target)}, with its audit record in the same transaction (when not null). */
    public void upsertTarget(Target t, AuditRecord record) {
        String settings;
        try {
            settings = JSON.writeValueAsString(t.settings());
        } catch (JsonProcessingException e) {
            throw new VaultException("cannot store the settings of target '" + t.id() + "'", e);
        }
        work.useTransaction(h -> {
            boolean exists = Rows.exists(h, "SELECT 1 FROM targets WHERE id = :id", t.id());
            h.createUpdate(exists
                            ? "UPDATE targets SET type = :type, host = :host, port = :port, database_name = :database,"
                              + " tls_mode = :tlsMode, admin_account_id = :adminAccountId, policy_id = :policyId,"
                              + " settings_json = :settings, row_mac = :rowMac WHERE id = :id"
                            : "INSERT INTO targets (type, host, port, database_name, tls_mode, admin_account_id, policy_id,"
                              + " settings_json, row_mac, id) VALUES (:type, :host, :port, :database, :tlsMode,"
                              + " :adminAccountId, :policyId, :settings, :rowMac, :id)")
                    .bind("type", t.type())
                    .bind("host", t.host())
                    .bind("port", t.port())
                    .bind("database", t.database())
                    .bind("tlsMode", t.tlsMode().name())
                    .bind("adminAccountId", t.adminAccountId())
                    .bind("policyId", t.policyId())
                    .bind("settings", settings)
                    .bind("rowMac", mac(seal, t.id(), t.type(), t.host(), t.port(), t.database(), t.tlsMode().name(),
                            t.adminAccountId(), t.policyId(), settings))
                    .bind("id", t.id())
                    .execute();
            audit.write(h, record);
        });
    }

    /**
     * @throws TamperedRowException (audited) when the stored row fails its MAC: nothing may connect to a host or
     *                              with settings that Rotor did not write
     */
    public Optional<Target> findTarget(String id) {
        Optional<Row> row = work.read(h -> h.createQuery(TARGET_SELECT + " WHERE id = :id").bind("id", id)
                .map((r, ctx) -> row(seal, r)).findFirst());
        if (row.isPresent() && !row.get().sealed()) {
            refused(id);
            throw TamperedRowException.target(id);
        }
        return row.map(Row::target);
    }

    /** Every target, ordered by id; a target whose row fails its MAC is left out (and audited). */
    public List<Target> listTargets() {
        List<Row> rows = work.read(h -> h.createQuery(TARGET_SELECT + " ORDER BY id").map((r, ctx) -> row(seal, r)).list());
        List<Target> sealed = new java.util.ArrayList<>(rows.size());
        for (Row row : rows) {
            if (row.sealed()) {
                sealed.add(row.target());
            } else {
                refused(row.target().id());
            }
        }
        return sealed;
    }

    private void refused(String id) {
        work.useTransaction(h -> audit.write(h, AuditRecord.of("system", "ROW_MAC_MISMATCH", null, id, null, "REFUSED",
                TamperedRowException.target(id).getMessage())));
    }

    /** The MAC of a target row: every column, settings as the stored JSON text. */
    static String mac(RowSeal seal, String id, String type, String host, int port, String database, String tlsMode,
                      String adminAccountId, String policyId, String settingsJson) {
        return seal.mac(TABLE, id, type, host, Integer.toString(port), database, tlsMode, adminAccountId, policyId,
                settingsJson);
    }

    /**
     * Deletes a target that has no accounts.
     *
     * @return false when there is no such target
     * @throws VaultConflictException (IN_USE) when accounts remain
     */
    public boolean deleteTarget(String id, AuditRecord record) {
        return work.inTransaction(h -> {
            if (!Rows.exists(h, "SELECT 1 FROM targets WHERE id = :id", id)) {
                return false;
            }
            long accounts = Rows.count(h, "SELECT COUNT(*) FROM accounts WHERE target_id = :id", id);
            if (accounts > 0) {
                throw new VaultConflictException(VaultConflictException.Reason.IN_USE, "target '" + id + "' still has "
                        + accounts + " account(s); delete them first");
            }
            // the directory's rows would go with it (ON DELETE CASCADE): refuse rather than lose them
            long directory = Rows.count(h, "SELECT COUNT(*) FROM vault_users WHERE user_target_id = :id", id)
                    + Rows.count(h, "SELECT COUNT(*) FROM vault_user_groups WHERE user_target_id = :id", id)
                    + Rows.count(h, "SELECT COUNT(*) FROM vault_templates WHERE vault_target_id = :id", id);
            if (directory > 0) {
                throw new VaultConflictException(VaultConflictException.Reason.IN_USE, "target '" + id + "' still holds "
                        + directory + " vault user(s), group(s) or template(s); remove them first");
            }
            h.createUpdate("DELETE FROM targets WHERE id = :id").bind("id", id).execute();
            audit.write(h, record);
            return true;
        });
    }

    /** Inserts a view target (no host, no port: a vault target or a vault user target), sealed. */
    static void insertViewTarget(Handle h, RowSeal seal, String id, String type) {
        h.createUpdate("INSERT INTO targets (id, type, host, port, database_name, tls_mode, admin_account_id, policy_id,"
                        + " settings_json, row_mac) VALUES (:id, :type, 'rotor-vault', 0, NULL, 'DISABLE', NULL, NULL, '{}',"
                        + " :rowMac)")
                .bind("id", id).bind("type", type)
                .bind("rowMac", mac(seal, id, type, "rotor-vault", 0, null, "DISABLE", null, null, "{}"))
                .execute();
    }

    /**
     * Rewrites the settings of target {@code id} and its MAC, in the caller's transaction. The row is checked
     * first, so that a change of Rotor's own never re-seals a row someone else edited.
     */
    static void updateSettings(Handle h, RowSeal seal, String id, String settingsJson) {
        Row row = h.createQuery(TARGET_SELECT + " WHERE id = :id").bind("id", id)
                .map((r, ctx) -> row(seal, r)).one();
        if (!row.sealed()) {
            throw TamperedRowException.target(id);
        }
        Target t = row.target();
        h.createUpdate("UPDATE targets SET settings_json = :json, row_mac = :rowMac WHERE id = :id")
                .bind("json", settingsJson).bind("id", id)
                .bind("rowMac", mac(seal, t.id(), t.type(), t.host(), t.port(), t.database(), t.tlsMode().name(),
                        t.adminAccountId(), t.policyId(), settingsJson))
                .execute();
    }

    private static Row row(RowSeal seal, ResultSet r) throws SQLException {
        boolean sealed = seal.matches(r.getString(10), TABLE, r.getString(1), r.getString(2), r.getString(3),
                Integer.toString(r.getInt(4)), r.getString(5), r.getString(6), r.getString(7), r.getString(8),
                r.getString(9));
        if (!sealed) {
            // not parsed: a forged row's settings may not even be readable
            return new Row(new Target(r.getString(1), r.getString(2), r.getString(3), r.getInt(4), null, null, null,
                    null, Map.of()), false);
        }
        return new Row(target(r), true);
    }

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
}
