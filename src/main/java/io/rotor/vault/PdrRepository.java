package io.rotor.vault;

import io.rotor.domain.PredefinedRequest;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.List;
import java.util.Optional;

/**
 * The pre-defined requests (table {@code predefined_requests}, migration V12). Validation is the caller's
 * ({@code io.rotor.api.PdrApi}); every change writes its audit record in the same transaction.
 */
public final class PdrRepository {
    private static final String SELECT = "SELECT name, workflow, description, parameters_json, created_by, created_at,"
            + " modified_by, modified_at FROM predefined_requests";

    private final UnitOfWork work;
    private final AuditLog audit;

    public PdrRepository(UnitOfWork work, AuditLog audit) {
        this.work = work;
        this.audit = audit;
    }

    /** Every PDR, by name. */
    public List<PredefinedRequest> all() {
        return work.read(h -> h.createQuery(SELECT + " ORDER BY name").map((r, ctx) -> pdr(r)).list());
    }

    public Optional<PredefinedRequest> find(String name) {
        return work.read(h -> h.createQuery(SELECT + " WHERE name = :name").bind("name", name)
                .map((r, ctx) -> pdr(r)).findFirst());
    }

    /**
     * Creates or replaces a PDR.
     *
     * @return true when it was created
     */
    public boolean save(String name, String workflow, String description, String parametersJson, String actor) {
        return work.inTransaction(h -> {
            Timestamp now = Timestamp.from(work.now());
            int updated = h.createUpdate("UPDATE predefined_requests SET workflow = :workflow, description = :description,"
                            + " parameters_json = :parameters, modified_by = :actor, modified_at = :now WHERE name = :name")
                    .bind("name", name).bind("workflow", workflow).bind("description", description)
                    .bind("parameters", parametersJson).bind("actor", actor).bind("now", now).execute();
            if (updated == 0) {
                h.createUpdate("INSERT INTO predefined_requests (name, workflow, description, parameters_json, created_by,"
                                + " created_at, modified_by, modified_at) VALUES (:name, :workflow, :description, :parameters,"
                                + " :actor, :now, :actor, :now)")
                        .bind("name", name).bind("workflow", workflow).bind("description", description)
                        .bind("parameters", parametersJson).bind("actor", actor).bind("now", now).execute();
            }
            audit.write(h, AuditRecord.of(actor, updated == 0 ? "PDR_CREATE" : "PDR_UPDATE", null, null, null,
                    "SUCCEEDED", "pre-defined request '" + name + "' (" + workflow + ")"));
            return updated == 0;
        });
    }

    /** @return false when there is no such PDR */
    public boolean delete(String name, String actor) {
        return work.inTransaction(h -> {
            int deleted = h.createUpdate("DELETE FROM predefined_requests WHERE name = :name").bind("name", name).execute();
            if (deleted > 0) {
                audit.write(h, AuditRecord.of(actor, "PDR_DELETE", null, null, null, "SUCCEEDED",
                        "pre-defined request '" + name + "'"));
            }
            return deleted > 0;
        });
    }

    private static PredefinedRequest pdr(ResultSet r) throws SQLException {
        return new PredefinedRequest(r.getString("name"), r.getString("workflow"), r.getString("description"),
                r.getString("parameters_json"), r.getString("created_by"), r.getTimestamp("created_at").toInstant(),
                r.getString("modified_by"), r.getTimestamp("modified_at").toInstant());
    }
}
