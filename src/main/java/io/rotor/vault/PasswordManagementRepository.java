package io.rotor.vault;

import io.rotor.domain.VaultUser;
import io.rotor.domain.passwords.PasswordChange;
import io.rotor.domain.passwords.PasswordChange.Outcome;
import io.rotor.domain.passwords.PasswordChange.Result;
import io.rotor.domain.passwords.PasswordChange.State;
import io.rotor.domain.passwords.SyncGroup;
import org.jdbi.v3.core.Handle;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The password self-service's tables (password sync groups, password change requests and their per-account
 * results) and the look-up of vault users by login. No password is ever passed here. Every change of a group
 * writes its audit record in the same transaction.
 */
public final class PasswordManagementRepository {
    private static final String GROUP_SELECT = "SELECT id, name, policy_id, created_at, modified_at FROM password_sync_groups";
    private static final String REQUEST_SELECT = "SELECT id, identity_id, source_id, account_id, requested_by, state,"
            + " created_at, finished_at FROM password_change_requests";

    private final UnitOfWork work;
    private final AuditLog audit;

    public PasswordManagementRepository(UnitOfWork work, AuditLog audit) {
        this.work = work;
        this.audit = audit;
    }

    public Instant now() {
        return work.now();
    }

    // ---------------------------------------------------------------- identities

    /** Vault users with this login, on any vault user target (normally one). */
    public List<VaultUser> usersByLogin(String login) {
        return work.read(h -> h.createQuery("SELECT id, user_target_id, login, display_name, disabled FROM vault_users"
                        + " WHERE login = :login ORDER BY id").bind("login", login)
                .map((r, ctx) -> new VaultUser(r.getString(1), r.getString(2), r.getString(3), r.getString(4), r.getBoolean(5)))
                .list());
    }

    // ---------------------------------------------------------------- sync groups

    public List<SyncGroup> groups() {
        return work.read(h -> h.createQuery(GROUP_SELECT + " ORDER BY created_at, id").map((r, ctx) -> group(h, r)).list());
    }

    public Optional<SyncGroup> group(String id) {
        return work.read(h -> h.createQuery(GROUP_SELECT + " WHERE id = :id").bind("id", id).map((r, ctx) -> group(h, r)).findFirst());
    }

    /** The group a source belongs to, if any. */
    public Optional<SyncGroup> groupOfSource(String sourceId) {
        return work.read(h -> h.createQuery(GROUP_SELECT + " WHERE id = (SELECT group_id FROM password_sync_group_sources"
                + " WHERE source_id = :source)").bind("source", sourceId).map((r, ctx) -> group(h, r)).findFirst());
    }

    /**
     * Creates or replaces a group (its name, policy and sources).
     *
     * @throws IllegalArgumentException when the name is used by another group, or a source is already in another
     *                                  group (a source belongs to at most one)
     */
    public SyncGroup saveGroup(SyncGroup group, String actor, boolean create) {
        return work.inTransaction(h -> {
            Timestamp now = Timestamp.from(work.now());
            String nameKey = group.name().trim().toLowerCase(Locale.ROOT);
            if (h.createQuery("SELECT 1 FROM password_sync_groups WHERE name_key = :key AND id <> :id")
                    .bind("key", nameKey).bind("id", group.id()).mapTo(Integer.class).findFirst().isPresent()) {
                throw new IllegalArgumentException("name: another password sync group is named '" + group.name() + "'");
            }
            for (String source : group.sourceIds()) {
                Optional<String> other = h.createQuery("SELECT group_id FROM password_sync_group_sources"
                                + " WHERE source_id = :source AND group_id <> :id")
                        .bind("source", source).bind("id", group.id()).mapTo(String.class).findFirst();
                if (other.isPresent()) {
                    throw new IllegalArgumentException("sourceIds: source '" + source + "' already belongs to password sync"
                            + " group '" + other.get() + "'; a source belongs to at most one group");
                }
            }
            if (create) {
                h.createUpdate("INSERT INTO password_sync_groups (id, name, name_key, policy_id, created_at, modified_at)"
                                + " VALUES (:id, :name, :key, :policy, :now, :now)")
                        .bind("id", group.id()).bind("name", group.name()).bind("key", nameKey)
                        .bind("policy", group.policyId()).bind("now", now).execute();
            } else {
                int changed = h.createUpdate("UPDATE password_sync_groups SET name = :name, name_key = :key,"
                                + " policy_id = :policy, modified_at = :now WHERE id = :id")
                        .bind("id", group.id()).bind("name", group.name()).bind("key", nameKey)
                        .bind("policy", group.policyId()).bind("now", now).execute();
                if (changed != 1) {
                    throw new UnknownEntryException("password sync group", group.id());
                }
                h.createUpdate("DELETE FROM password_sync_group_sources WHERE group_id = :id").bind("id", group.id()).execute();
            }
            for (String source : group.sourceIds()) {
                h.createUpdate("INSERT INTO password_sync_group_sources (source_id, group_id) VALUES (:source, :id)")
                        .bind("source", source).bind("id", group.id()).execute();
            }
            audit.write(h, AuditRecord.of(actor, create ? "SYNC_GROUP_CREATE" : "SYNC_GROUP_UPDATE", null, null, null,
                    "SUCCEEDED", "password sync group '" + group.id() + "' (" + group.name() + "): policy "
                            + group.policyId() + ", sources " + group.sourceIds()));
            return h.createQuery(GROUP_SELECT + " WHERE id = :id").bind("id", group.id()).map((r, ctx) -> group(h, r)).one();
        });
    }

    /** @return false when there is no such group */
    public boolean deleteGroup(String id, String actor) {
        return work.inTransaction(h -> {
            h.createUpdate("DELETE FROM password_sync_group_sources WHERE group_id = :id").bind("id", id).execute();
            int deleted = h.createUpdate("DELETE FROM password_sync_groups WHERE id = :id").bind("id", id).execute();
            if (deleted == 1) {
                audit.write(h, AuditRecord.of(actor, "SYNC_GROUP_DELETE", null, null, null, "SUCCEEDED",
                        "password sync group '" + id + "'"));
            }
            return deleted == 1;
        });
    }

    // ---------------------------------------------------------------- change requests

    /** Stores a new request with its results (all WAITING, or already final when the request ended at once). */
    public void createRequest(PasswordChange change, String auditDetail) {
        work.useTransaction(h -> {
            h.createUpdate("INSERT INTO password_change_requests (id, identity_id, source_id, account_id, requested_by,"
                            + " state, created_at, finished_at) VALUES (:id, :identity, :source, :account, :by, :state, :now, :finished)")
                    .bind("id", change.id()).bind("identity", change.identityId()).bind("source", change.sourceId())
                    .bind("account", change.accountId()).bind("by", change.requestedBy()).bind("state", change.state().name())
                    .bind("now", Timestamp.from(work.now()))
                    .bind("finished", change.state() == State.IN_PROGRESS ? null : Timestamp.from(work.now()))
                    .execute();
            int position = 0;
            for (Result result : change.results()) {
                h.createUpdate("INSERT INTO password_change_results (request_id, position, source_id, account_id,"
                                + " start_version, outcome, detail) VALUES (:id, :position, :source, :account, :version, :outcome, :detail)")
                        .bind("id", change.id()).bind("position", position++).bind("source", result.sourceId())
                        .bind("account", result.accountId()).bind("version", result.startVersion())
                        .bind("outcome", result.outcome().name())
                        .bind("detail", truncate(result.detail())).execute();
            }
            audit.write(h, AuditRecord.of(change.requestedBy(), "PASSWORD_SET_REQUEST", change.accountId(),
                    change.sourceId(), change.id(), change.state() == State.FAILED ? "FAILED" : "ACCEPTED", auditDetail));
        });
    }

    public void recordResult(String requestId, String accountId, Outcome outcome, String detail) {
        work.useTransaction(h -> h.createUpdate("UPDATE password_change_results SET outcome = :outcome, detail = :detail"
                        + " WHERE request_id = :id AND account_id = :account")
                .bind("outcome", outcome.name()).bind("detail", truncate(detail)).bind("id", requestId)
                .bind("account", accountId).execute());
    }

    /** Ends a request: its state, and NOT_CHANGED with {@code reason} for every result still WAITING. */
    public void finish(String requestId, State state, String reasonForWaiting, String actor) {
        work.useTransaction(h -> {
            h.createUpdate("UPDATE password_change_results SET outcome = 'NOT_CHANGED', detail = :reason"
                            + " WHERE request_id = :id AND outcome = 'WAITING'")
                    .bind("reason", truncate(reasonForWaiting)).bind("id", requestId).execute();
            h.createUpdate("UPDATE password_change_requests SET state = :state, finished_at = :now WHERE id = :id")
                    .bind("state", state.name()).bind("now", Timestamp.from(work.now())).bind("id", requestId).execute();
            audit.write(h, AuditRecord.of(actor, "PASSWORD_SET_DONE", null, null, requestId, state.name(),
                    "password change request '" + requestId + "' ended " + state));
        });
    }

    public Optional<PasswordChange> request(String id) {
        return work.read(h -> h.createQuery(REQUEST_SELECT + " WHERE id = :id").bind("id", id)
                .map((r, ctx) -> request(h, r)).findFirst());
    }

    /** Requests a process left IN_PROGRESS (after a crash or a stop). */
    public List<PasswordChange> inProgress() {
        return work.read(h -> h.createQuery(REQUEST_SELECT + " WHERE state = 'IN_PROGRESS' ORDER BY created_at, id")
                .map((r, ctx) -> request(h, r)).list());
    }

    /** Forgets completed requests that ended before {@code before}; @return how many */
    public int purgeFinishedBefore(Instant before) {
        return work.inTransaction(h -> {
            h.createUpdate("DELETE FROM password_change_results WHERE request_id IN (SELECT id FROM password_change_requests"
                    + " WHERE state <> 'IN_PROGRESS' AND finished_at < :before)").bind("before", Timestamp.from(before)).execute();
            return h.createUpdate("DELETE FROM password_change_requests WHERE state <> 'IN_PROGRESS' AND finished_at < :before")
                    .bind("before", Timestamp.from(before)).execute();
        });
    }

    // ---------------------------------------------------------------- helpers

    private static SyncGroup group(Handle h, ResultSet r) throws SQLException {
        String id = r.getString(1);
        List<String> sources = h.createQuery("SELECT source_id FROM password_sync_group_sources WHERE group_id = :id"
                + " ORDER BY source_id").bind("id", id).mapTo(String.class).list();
        return new SyncGroup(id, r.getString(2), r.getString(3), sources, r.getTimestamp(4).toInstant(),
                r.getTimestamp(5).toInstant());
    }

    private static PasswordChange request(Handle h, ResultSet r) throws SQLException {
        String id = r.getString(1);
        List<Result> results = new ArrayList<>(h.createQuery("SELECT source_id, account_id, start_version, outcome, detail"
                        + " FROM password_change_results WHERE request_id = :id ORDER BY position").bind("id", id)
                .map((row, ctx) -> new Result(row.getString(1), row.getString(2), row.getLong(3),
                        Outcome.valueOf(row.getString(4)), row.getString(5))).list());
        Timestamp finished = r.getTimestamp(8);
        return new PasswordChange(id, r.getString(2), r.getString(3), r.getString(4), r.getString(5),
                State.valueOf(r.getString(6)), r.getTimestamp(7).toInstant(), finished == null ? null : finished.toInstant(),
                results);
    }

    private static String truncate(String detail) {
        return detail == null || detail.length() <= 2000 ? detail : detail.substring(0, 1997) + "...";
    }
}
