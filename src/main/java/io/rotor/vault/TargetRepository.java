package io.rotor.vault;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rotor.domain.Target;
import io.rotor.domain.TlsMode;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Targets: the systems whose accounts Rotor manages, with their connection settings (stored as JSON). */
public final class TargetRepository {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TARGET_SELECT =
            "SELECT id, type, host, port, database_name, tls_mode, admin_account_id, policy_id, settings_json FROM targets";

    private final UnitOfWork work;
    private final AuditLog audit;

    public TargetRepository(UnitOfWork work, AuditLog audit) {
        this.work = work;
        this.audit = audit;
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
                              + " settings_json = :settings WHERE id = :id"
                            : "INSERT INTO targets (type, host, port, database_name, tls_mode, admin_account_id, policy_id,"
                              + " settings_json, id) VALUES (:type, :host, :port, :database, :tlsMode, :adminAccountId,"
                              + " :policyId, :settings, :id)")
                    .bind("type", t.type())
                    .bind("host", t.host())
                    .bind("port", t.port())
                    .bind("database", t.database())
                    .bind("tlsMode", t.tlsMode().name())
                    .bind("adminAccountId", t.adminAccountId())
                    .bind("policyId", t.policyId())
                    .bind("settings", settings)
                    .bind("id", t.id())
                    .execute();
            audit.write(h, record);
        });
    }

    public Optional<Target> findTarget(String id) {
        return work.read(h -> h.createQuery(TARGET_SELECT + " WHERE id = :id").bind("id", id)
                .map((r, ctx) -> target(r)).findFirst());
    }

    /** Every target, ordered by id. */
    public List<Target> listTargets() {
        return work.read(h -> h.createQuery(TARGET_SELECT + " ORDER BY id").map((r, ctx) -> target(r)).list());
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
