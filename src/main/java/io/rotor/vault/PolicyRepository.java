package io.rotor.vault;

import io.rotor.domain.PasswordPolicy;
import io.rotor.domain.RotationSchedule;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Password policies and the rotation schedule each one carries. */
public final class PolicyRepository {
    private static final String POLICY_SELECT = "SELECT id, min_length, max_length, min_upper, min_lower, min_digit,"
            + " min_symbol, symbols, excluded, not_contain_username FROM policies";

    private final UnitOfWork work;
    private final AuditLog audit;

    public PolicyRepository(UnitOfWork work, AuditLog audit) {
        this.work = work;
        this.audit = audit;
    }

    public void upsertPolicy(PasswordPolicy p) {
        upsertPolicy(p, null);
    }

    /** Like {@link #upsertPolicy(PasswordPolicy)}, with its audit record in the same transaction (when not null). */
    public void upsertPolicy(PasswordPolicy p, AuditRecord record) {
        work.useTransaction(h -> {
            boolean exists = Rows.exists(h, "SELECT 1 FROM policies WHERE id = :id", p.id());
            h.createUpdate(exists
                            ? "UPDATE policies SET min_length = :minLength, max_length = :maxLength, min_upper = :minUpper,"
                              + " min_lower = :minLower, min_digit = :minDigit, min_symbol = :minSymbol, symbols = :symbols,"
                              + " excluded = :excluded, not_contain_username = :notContainUsername WHERE id = :id"
                            : "INSERT INTO policies (min_length, max_length, min_upper, min_lower, min_digit, min_symbol,"
                              + " symbols, excluded, not_contain_username, id) VALUES (:minLength, :maxLength, :minUpper,"
                              + " :minLower, :minDigit, :minSymbol, :symbols, :excluded, :notContainUsername, :id)")
                    .bind("minLength", p.minLength())
                    .bind("maxLength", p.maxLength())
                    .bind("minUpper", p.minUpper())
                    .bind("minLower", p.minLower())
                    .bind("minDigit", p.minDigit())
                    .bind("minSymbol", p.minSymbol())
                    .bind("symbols", p.symbols() == null ? "" : p.symbols())
                    .bind("excluded", p.excluded() == null ? "" : p.excluded())
                    .bind("notContainUsername", p.notContainUsername())
                    .bind("id", p.id())
                    .execute();
            audit.write(h, record);
        });
    }

    public Optional<PasswordPolicy> findPolicy(String id) {
        return work.read(h -> h.createQuery(POLICY_SELECT + " WHERE id = :id").bind("id", id)
                .map((r, ctx) -> policy(r)).findFirst());
    }

    /** Every policy, ordered by id. */
    public List<PasswordPolicy> listPolicies() {
        return work.read(h -> h.createQuery(POLICY_SELECT + " ORDER BY id").map((r, ctx) -> policy(r)).list());
    }

    /**
     * Deletes a policy that no target or account names.
     *
     * @return false when there is no such policy
     * @throws VaultConflictException (IN_USE) naming what still uses it
     */
    public boolean deletePolicy(String id, AuditRecord record) {
        return work.inTransaction(h -> {
            if (!Rows.exists(h, "SELECT 1 FROM policies WHERE id = :id", id)) {
                return false;
            }
            long targets = Rows.count(h, "SELECT COUNT(*) FROM targets WHERE policy_id = :id", id);
            long accounts = Rows.count(h, "SELECT COUNT(*) FROM accounts WHERE policy_id = :id", id);
            if (targets + accounts > 0) {
                throw new VaultConflictException(VaultConflictException.Reason.IN_USE, "policy '" + id + "' is used by "
                        + targets + " target(s) and " + accounts + " account(s); change them first");
            }
            h.createUpdate("DELETE FROM policies WHERE id = :id").bind("id", id).execute();
            audit.write(h, record);
            return true;
        });
    }

    // ---------------------------------------------------------------- schedules

    /** Stores the rotation schedule of an existing policy (columns of V5). */
    public void setRotationSchedule(String policyId, RotationSchedule schedule) {
        work.useTransaction(h -> {
            int updated = h.createUpdate("UPDATE policies SET rotation_interval = :interval, rotation_cron = :cron,"
                            + " rotation_window = :window, manual_only = :manualOnly WHERE id = :id")
                    .bind("interval", schedule.intervalText())
                    .bind("cron", schedule.cron())
                    .bind("window", schedule.window())
                    .bind("manualOnly", schedule.manualOnly())
                    .bind("id", policyId)
                    .execute();
            if (updated != 1) {
                throw new VaultException("unknown policy id '" + policyId + "'");
            }
        });
    }

    /** Every stored policy's rotation schedule, by policy id (in id order). */
    public Map<String, RotationSchedule> rotationSchedules() {
        record Row(String id, String interval, String cron, String window, boolean manualOnly) {
        }
        Map<String, RotationSchedule> schedules = new LinkedHashMap<>();
        work.read(h -> h.createQuery("SELECT id, rotation_interval, rotation_cron, rotation_window, manual_only"
                        + " FROM policies ORDER BY id")
                        .map((r, ctx) -> new Row(r.getString(1), r.getString(2), r.getString(3), r.getString(4),
                                r.getBoolean(5)))
                        .list())
                .forEach(row -> schedules.put(row.id(),
                        RotationSchedule.of(row.interval(), row.cron(), row.window(), row.manualOnly())));
        return schedules;
    }

    private static PasswordPolicy policy(ResultSet r) throws SQLException {
        return new PasswordPolicy(r.getString(1), r.getInt(2), r.getInt(3), r.getInt(4), r.getInt(5), r.getInt(6),
                r.getInt(7), r.getString(8), r.getString(9), r.getBoolean(10));
    }
}
