package io.rotor.vault;

import io.rotor.domain.Job;
import io.rotor.domain.JobStatus;
import io.rotor.domain.JobStep;
import io.rotor.domain.NewJob;
import io.rotor.domain.UnknownJobException;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.JdbiException;
import org.jdbi.v3.core.statement.PreparedBatch;
import org.jdbi.v3.core.statement.Query;
import org.jdbi.v3.core.statement.Update;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;

/**
 * Jobs and their steps in the vault (tables {@code jobs} and {@code job_steps}, migration V4); the results are in
 * {@link JobResultRepository}. Only SQL lives here: which status comes next, what a parameter may hold and how a
 * job ends are decided by the caller ({@code io.rotor.workflow.JobStore}), the last through the {@link Ending}
 * it returns from the counters read inside the same transaction. Nothing stored here is a secret.
 *
 * <p>Methods throw {@link UnknownJobException} for an id that names no job, {@link IllegalStateException} for a job
 * or step in the wrong state, and {@link VaultException} when the database fails (nothing is then changed).
 */
public final class JobRepository {
    /** Size of the {@code reason} columns: longer reasons are cut here, in one place. */
    public static final int REASON_MAX = 2000;

    /** A job that has not ended, with the process that owns it ({@code host:pid:start}, see {@link ProcessIdentity}). */
    public record LiveJob(String id, String owner, JobStatus status) {
    }

    /** A job's or step's counters, read under a row lock so that the {@link Ending} decided from them holds. */
    public record Counters(JobStatus status, long succeeded, long failed, boolean cancelRequested, String reason) {
    }

    /** How a job or step ends: its final status and the reason that summarises it (null when it succeeded). */
    public record Ending(JobStatus status, String reason) {
    }

    private static final String JOB_SELECT = "SELECT id, workflow, status, parameters_json, dry_run, report_requested,"
            + " created_by, created_at, started_at, finished_at, total, done, succeeded, failed, cancel_requested, reason"
            + " FROM jobs";
    private static final String STEP_SELECT = "SELECT job_id, step_no, name, status, started_at, finished_at, done,"
            + " succeeded, failed, reason FROM job_steps";

    private final UnitOfWork work;

    public JobRepository(UnitOfWork work) {
        this.work = work;
    }

    // ---------------------------------------------------------------- life cycle

    /** Stores a QUEUED job owned by this process, with its parameters already written as JSON; returns its new id. */
    public String create(NewJob request, String parametersJson) {
        String id = UUID.randomUUID().toString();
        work.useTransaction(h -> h.createUpdate("INSERT INTO jobs (id, workflow, status, parameters_json, dry_run,"
                        + " report_requested, created_by, owner, created_at) VALUES (:id, :workflow, :status, :parameters,"
                        + " :dryRun, :report, :createdBy, :owner, :now)")
                .bind("id", id)
                .bind("workflow", request.workflow())
                .bind("status", JobStatus.QUEUED.name())
                .bind("parameters", parametersJson)
                .bind("dryRun", request.dryRun())
                .bind("report", request.reportRequested())
                .bind("createdBy", request.createdBy())
                .bind("owner", ProcessIdentity.self())
                .bind("now", now())
                .execute());
        return id;
    }

    /** QUEUED → RUNNING, owned by this process; false when the job is no longer QUEUED. */
    public boolean markRunning(String jobId) {
        return work.inTransaction(h -> {
            int changed = h.createUpdate("UPDATE jobs SET status = 'RUNNING', started_at = :now, owner = :owner"
                            + " WHERE id = :id AND status = 'QUEUED'")
                    .bind("now", now()).bind("owner", ProcessIdentity.self()).bind("id", jobId)
                    .execute();
            if (changed == 0) {
                requireJob(h, jobId);
            }
            return changed == 1;
        });
    }

    public void setTotal(String jobId, long total) {
        work.useTransaction(h -> {
            if (h.createUpdate("UPDATE jobs SET total = :total WHERE id = :id").bind("total", total).bind("id", jobId)
                    .execute() == 0) {
                throw new UnknownJobException(jobId);
            }
        });
    }

    /**
     * A QUEUED job ends at once as CANCELLED with {@code reason} + " before it started"; a RUNNING one is flagged,
     * keeping an earlier reason if it has one.
     *
     * @return false for a job that had already ended
     */
    public boolean requestCancel(String jobId, String reason) {
        return work.inTransaction(h -> {
            if (h.createUpdate("UPDATE jobs SET status = 'CANCELLED', cancel_requested = TRUE, finished_at = :now,"
                            + " reason = :reason WHERE id = :id AND status = 'QUEUED'")
                    .bind("now", now()).bind("reason", cut(reason + " before it started")).bind("id", jobId)
                    .execute() == 1) {
                return true;
            }
            if (h.createUpdate("UPDATE jobs SET cancel_requested = TRUE, reason = COALESCE(reason, :reason)"
                            + " WHERE id = :id AND status = 'RUNNING'")
                    .bind("reason", cut(reason)).bind("id", jobId)
                    .execute() == 1) {
                return true;
            }
            requireJob(h, jobId);
            return false;
        });
    }

    public boolean isCancelRequested(String jobId) {
        return work.read(h -> h.createQuery("SELECT cancel_requested FROM jobs WHERE id = :id").bind("id", jobId)
                .mapTo(Boolean.class).findOne()).orElseThrow(() -> new UnknownJobException(jobId));
    }

    /**
     * Ends a job: reads its counters under a row lock, asks {@code decide} how it ends (which may refuse with an
     * exception, e.g. for a job that has already ended) and stores that ending, all in one transaction.
     */
    public void finish(String jobId, Function<Counters, Ending> decide) {
        work.useTransaction(h -> {
            Counters counters = h.createQuery("SELECT status, succeeded, failed, cancel_requested, reason FROM jobs"
                            + " WHERE id = :id FOR UPDATE")
                    .bind("id", jobId)
                    .map((r, ctx) -> new Counters(JobStatus.valueOf(r.getString(1)), r.getLong(2), r.getLong(3),
                            r.getBoolean(4), r.getString(5)))
                    .findOne().orElseThrow(() -> new UnknownJobException(jobId));
            Ending ending = decide.apply(counters);
            h.createUpdate("UPDATE jobs SET status = :status, reason = :reason, finished_at = :now WHERE id = :id")
                    .bind("status", ending.status().name()).bind("reason", cut(ending.reason())).bind("now", now())
                    .bind("id", jobId)
                    .execute();
        });
    }

    /** Every QUEUED or RUNNING job, oldest first, with its owner. */
    public List<LiveJob> liveJobs() {
        return work.read(h -> h.createQuery("SELECT id, owner, status FROM jobs WHERE status IN ('QUEUED', 'RUNNING')"
                        + " ORDER BY seq")
                .map((r, ctx) -> new LiveJob(r.getString(1), r.getString(2), JobStatus.valueOf(r.getString(3))))
                .list());
    }

    /**
     * Fails a job whose owner is gone, and its unfinished steps, with {@code reason}: only while it still has the
     * status and owner it was read with, so a job another process took meanwhile is left alone.
     *
     * @return whether the job was failed
     */
    public boolean failInterrupted(LiveJob job, String reason) {
        return work.inTransaction(h -> {
            Update fail = h.createUpdate("UPDATE jobs SET status = 'FAILED', reason = :reason, finished_at = :now"
                            + " WHERE id = :id AND status = :status AND "
                            + (job.owner() == null ? "owner IS NULL" : "owner = :owner"))
                    .bind("reason", cut(reason)).bind("now", now()).bind("id", job.id())
                    .bind("status", job.status().name());
            if (job.owner() != null) {
                fail.bind("owner", job.owner());
            }
            if (fail.execute() != 1) {
                return false;
            }
            recordUnrecordedAccounts(h, job.id());
            h.createUpdate("UPDATE job_steps SET status = 'FAILED', reason = :reason, finished_at = :now"
                            + " WHERE job_id = :id AND status IN ('QUEUED', 'RUNNING')")
                    .bind("reason", cut(reason)).bind("now", now()).bind("id", job.id())
                    .execute();
            return true;
        });
    }

    /** Audit outcomes by which an account's rotation, set or reconcile ended with the new credential committed. */
    private static final String FINISHING_OUTCOMES = "('SUCCEEDED', 'RECOVERED_FORWARD', 'RECONCILED')";

    /**
     * Results are recorded a batch at a time, so a process killed mid-batch leaves accounts that the job touched but
     * never recorded. The audit trail knows them: the job's protocol writes carry the actor {@code job:<id>:<user>}.
     * Each such account gets one result: SUCCEEDED when its new credential was committed (with its linked vault
     * accounts, in the same transaction), INTERRUPTED when only PENDING was written (start-up recovery settles it).
     * So the job's record names every account it finished (docs/architecture.md, "Linked vault accounts").
     */
    private static void recordUnrecordedAccounts(Handle h, String jobId) {
        String step = h.createQuery("SELECT name FROM job_steps WHERE job_id = :id AND status = 'RUNNING'"
                        + " ORDER BY step_no")
                .bind("id", jobId).mapTo(String.class).findFirst().orElse("interrupted");
        List<Touched> touched = h.createQuery("SELECT a.account_id, MAX(a.target_id),"
                        + " MAX(CASE WHEN a.outcome IN " + FINISHING_OUTCOMES + " THEN 1 ELSE 0 END), MAX(a.at)"
                        + " FROM audit_log a WHERE a.actor LIKE :actor AND a.account_id IS NOT NULL"
                        + " AND a.operation IN ('PENDING_WRITTEN', 'ROTATE', 'SET', 'RECOVER', 'RECONCILE')"
                        + " AND NOT EXISTS (SELECT 1 FROM job_results r WHERE r.job_id = :id"
                        + " AND r.account_id = a.account_id AND r.step = :step)"
                        + " GROUP BY a.account_id ORDER BY MAX(a.at), a.account_id")
                .bind("actor", "job:" + jobId + ":%").bind("id", jobId).bind("step", step)
                .map((r, ctx) -> new Touched(r.getString(1), r.getString(2), r.getInt(3) == 1,
                        r.getTimestamp(4).toInstant()))
                .list();
        if (touched.isEmpty()) {
            return;
        }
        PreparedBatch insert = h.prepareBatch("INSERT INTO job_results (job_id, account_id, target_id, step, outcome,"
                + " success, reason, finished_at) VALUES (:jobId, :accountId, :targetId, :step, :outcome, :success,"
                + " :reason, :finishedAt)");
        long succeeded = 0;
        for (Touched t : touched) {
            succeeded += t.committed() ? 1 : 0;
            insert.bind("jobId", jobId).bind("accountId", t.accountId()).bind("targetId", t.targetId())
                    .bind("step", step).bind("outcome", t.committed() ? "SUCCEEDED" : "INTERRUPTED")
                    .bind("success", t.committed())
                    .bind("reason", t.committed()
                            ? "committed before the process stopped; recorded at restart from the audit trail"
                            : "interrupted by a restart before it committed; start-up recovery settles the account")
                    .bind("finishedAt", Timestamp.from(t.lastSeen())).add();
        }
        insert.execute();
        long failed = touched.size() - succeeded;
        h.createUpdate("UPDATE jobs SET done = done + :done, succeeded = succeeded + :succeeded,"
                        + " failed = failed + :failed WHERE id = :id")
                .bind("done", (long) touched.size()).bind("succeeded", succeeded).bind("failed", failed)
                .bind("id", jobId).execute();
        h.createUpdate("UPDATE job_steps SET done = done + :done, succeeded = succeeded + :succeeded,"
                        + " failed = failed + :failed WHERE job_id = :id AND name = :step")
                .bind("done", (long) touched.size()).bind("succeeded", succeeded).bind("failed", failed)
                .bind("id", jobId).bind("step", step).execute();
    }

    private record Touched(String accountId, String targetId, boolean committed, Instant lastSeen) {
    }

    // ---------------------------------------------------------------- steps

    /** Adds the job's steps, in order, as QUEUED, numbered from 1. */
    public void planSteps(String jobId, List<String> names) {
        work.useTransaction(h -> {
            requireJob(h, jobId);
            PreparedBatch batch = h.prepareBatch(
                    "INSERT INTO job_steps (job_id, step_no, name, status) VALUES (:jobId, :stepNo, :name, 'QUEUED')");
            for (int i = 0; i < names.size(); i++) {
                batch.bind("jobId", jobId).bind("stepNo", i + 1).bind("name", names.get(i)).add();
            }
            if (batch.size() > 0) {
                batch.execute();
            }
        });
    }

    /** Starts the planned step of that number (RUNNING, started now), or adds it when none was planned. */
    public void startStep(String jobId, int stepNo, String name) {
        work.useTransaction(h -> {
            requireJob(h, jobId);
            if (h.createUpdate("UPDATE job_steps SET name = :name, status = 'RUNNING', started_at = :now"
                            + " WHERE job_id = :jobId AND step_no = :stepNo AND status = 'QUEUED'")
                    .bind("name", name).bind("now", now()).bind("jobId", jobId).bind("stepNo", stepNo)
                    .execute() == 1) {
                return;
            }
            try {
                h.createUpdate("INSERT INTO job_steps (job_id, step_no, name, status, started_at)"
                                + " VALUES (:jobId, :stepNo, :name, 'RUNNING', :now)")
                        .bind("jobId", jobId).bind("stepNo", stepNo).bind("name", name).bind("now", now())
                        .execute();
            } catch (JdbiException e) {
                throw new IllegalStateException("step " + stepNo + " of job " + jobId + " was already started", e);
            }
        });
    }

    /**
     * Ends a step: reads its counters (with the job's cancel flag; the reason is null), asks {@code decide} how it
     * ends, and stores that ending if the step is still RUNNING.
     *
     * @throws IllegalStateException when the job has no such step
     */
    public void finishStep(String jobId, int stepNo, Function<Counters, Ending> decide) {
        work.useTransaction(h -> {
            Counters counters = h.createQuery("SELECT s.status, s.succeeded, s.failed, j.cancel_requested"
                            + " FROM job_steps s JOIN jobs j ON j.id = s.job_id WHERE s.job_id = :jobId AND s.step_no = :stepNo")
                    .bind("jobId", jobId).bind("stepNo", stepNo)
                    .map((r, ctx) -> new Counters(JobStatus.valueOf(r.getString(1)), r.getLong(2), r.getLong(3),
                            r.getBoolean(4), null))
                    .findOne()
                    .orElseThrow(() -> new IllegalStateException("job " + jobId + " has no step " + stepNo));
            Ending ending = decide.apply(counters);
            h.createUpdate("UPDATE job_steps SET status = :status, reason = :reason, finished_at = :now"
                            + " WHERE job_id = :jobId AND step_no = :stepNo AND status = 'RUNNING'")
                    .bind("status", ending.status().name()).bind("reason", cut(ending.reason())).bind("now", now())
                    .bind("jobId", jobId).bind("stepNo", stepNo)
                    .execute();
        });
    }

    /** The job's steps in order. */
    public List<JobStep> steps(String jobId) {
        return work.read(h -> h.createQuery(STEP_SELECT + " WHERE job_id = :jobId ORDER BY step_no")
                .bind("jobId", jobId).map((r, ctx) -> step(r)).list());
    }

    // ---------------------------------------------------------------- reading jobs

    public Optional<Job> find(String jobId) {
        return work.read(h -> h.createQuery(JOB_SELECT + " WHERE id = :id").bind("id", jobId)
                .map((r, ctx) -> job(r)).findOne());
    }

    /** Jobs newest first, one page. */
    public List<Job> list(long offset, int limit) {
        return work.read(h -> h.createQuery(JOB_SELECT + " ORDER BY seq DESC OFFSET :offset ROWS FETCH FIRST :limit ROWS ONLY")
                .bind("offset", offset).bind("limit", limit).map((r, ctx) -> job(r)).list());
    }

    public long count() {
        return work.read(h -> h.createQuery("SELECT COUNT(*) FROM jobs").mapTo(Long.class).one());
    }

    // ---------------------------------------------------------------- planning: the accounts a job runs over

    /**
     * One page of the ids of the accounts on {@code targetIds}, in id order, after {@code afterId} (null: from the
     * start): keyset pagination, each page its own short query.
     */
    public List<String> accountIdsOnTargets(List<String> targetIds, String afterId, int limit) {
        return work.read(h -> {
            Query page = h.createQuery("SELECT id FROM accounts WHERE target_id IN (<targets>)"
                            + (afterId == null ? "" : " AND id > :after") + " ORDER BY id FETCH FIRST :limit ROWS ONLY")
                    .bindList("targets", targetIds).bind("limit", limit);
            if (afterId != null) {
                page.bind("after", afterId);
            }
            return page.mapTo(String.class).list();
        });
    }

    /** How many accounts {@code targetIds} have now. */
    public long countAccountsOnTargets(List<String> targetIds) {
        return work.read(h -> h.createQuery("SELECT COUNT(*) FROM accounts WHERE target_id IN (<targets>)")
                .bindList("targets", targetIds).mapTo(Long.class).one());
    }

    // ---------------------------------------------------------------- helpers

    /** Throws {@link UnknownJobException} when no job has that id. */
    static void requireJob(Handle h, String jobId) {
        if (h.createQuery("SELECT status FROM jobs WHERE id = :id").bind("id", jobId).mapTo(String.class)
                .findOne().isEmpty()) {
            throw new UnknownJobException(jobId);
        }
    }

    /** Cuts a reason to its column, marking the cut. */
    static String cut(String text) {
        return text != null && text.length() > REASON_MAX ? text.substring(0, REASON_MAX - 3) + "..." : text;
    }

    private Timestamp now() {
        return Timestamp.from(work.now());
    }

    static Instant instant(ResultSet r, int column) throws SQLException {
        Timestamp t = r.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }

    private static Job job(ResultSet r) throws SQLException {
        return new Job(r.getString(1), r.getString(2), JobStatus.valueOf(r.getString(3)), r.getString(4), r.getBoolean(5),
                r.getBoolean(6), r.getString(7), instant(r, 8), instant(r, 9), instant(r, 10), r.getLong(11), r.getLong(12),
                r.getLong(13), r.getLong(14), r.getBoolean(15), r.getString(16));
    }

    private static JobStep step(ResultSet r) throws SQLException {
        return new JobStep(r.getString(1), r.getInt(2), r.getString(3), JobStatus.valueOf(r.getString(4)), instant(r, 5),
                instant(r, 6), r.getLong(7), r.getLong(8), r.getLong(9), r.getString(10));
    }
}
