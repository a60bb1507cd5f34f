package io.rotor.workflow;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rotor.vault.ProcessIdentity;
import io.rotor.vault.VaultException;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Job bookkeeping in the vault database (tables {@code jobs}, {@code job_steps}, {@code job_results}, migration
 * V4): one row per workflow run, its steps, and one row per account result with its reason. Nothing stored here is
 * a secret.
 *
 * <p>Life of a job, as the workflow routes drive it:
 * <pre>
 *   Job job = jobs.create(new NewJob("mass-password-reset", params, false, true, "alice"));   // QUEUED
 *   if (!jobs.markRunning(job.id())) return;          // false: cancelled while queued
 *   jobs.setTotal(job.id(), cursor.count());
 *   jobs.startStep(job.id(), 1, "update-backing-accounts");
 *   for each batch: JobProgress p = jobs.recordResults(job.id(), batchResults);  // one transaction per batch
 *                   if (p.cancelRequested()) stop taking new batches
 *   jobs.finishStep(job.id(), 1);
 *   Job done = jobs.finish(job.id(), null);           // SUCCEEDED / PARTIAL / FAILED / CANCELLED, see JobVerdict
 * </pre>
 *
 * <p>Every method is safe to call from many threads at once: counters are incremented in SQL inside the
 * transaction that inserts the results, so they always equal the number of stored results. Methods throw
 * {@link UnknownJobException} for an id that names no job, {@link IllegalStateException} for a job in the wrong
 * state, and {@link VaultException} when the database fails (nothing is then changed).
 */
public final class JobStore {
    /** The reason {@link #recoverInterrupted()} gives a job whose process died. */
    public static final String INTERRUPTED = "interrupted by a restart";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int REASON_MAX = 2000;
    private static final int PARAMETERS_MAX = 100_000;
    private static final int MAX_PAGE = 10_000;
    /** Parameter names that would carry a credential; {@link #create} refuses them. */
    private static final Pattern SECRET_KEY = Pattern.compile(
            ".*(password|passwd|secret|token|passphrase|private[-_]?key|credential|api[-_]?key).*");

    private static final String JOB_SELECT = "SELECT id, workflow, status, parameters_json, dry_run, report_requested,"
            + " created_by, created_at, started_at, finished_at, total, done, succeeded, failed, cancel_requested, reason"
            + " FROM jobs";
    private static final String STEP_SELECT = "SELECT job_id, step_no, name, status, started_at, finished_at, done,"
            + " succeeded, failed, reason FROM job_steps";
    private static final String RESULT_SELECT = "SELECT seq, account_id, target_id, step, outcome, success, reason,"
            + " started_at, finished_at, duration_ms FROM job_results";

    private final DataSource dataSource;
    private final Clock clock;

    public JobStore(DataSource dataSource, Clock clock) {
        this.dataSource = dataSource;
        this.clock = clock;
    }

    public JobStore(DataSource dataSource) {
        this(dataSource, Clock.systemUTC());
    }

    // ---------------------------------------------------------------- life cycle

    /**
     * Queues a new job owned by this process.
     *
     * @throws IllegalArgumentException when a parameter name looks like a credential (password, secret, token...)
     *                                  or the parameters are too large to store
     */
    public Job create(NewJob request) {
        refuseSecretKeys(request.parameters(), "");
        String parameters;
        try {
            parameters = JSON.writeValueAsString(request.parameters());
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("job parameters cannot be written as JSON: " + e.getOriginalMessage());
        }
        if (parameters.length() > PARAMETERS_MAX) {
            throw new IllegalArgumentException("job parameters are too large (" + parameters.length()
                    + " characters, at most " + PARAMETERS_MAX + ")");
        }
        String id = UUID.randomUUID().toString();
        inTransaction(c -> {
            try (PreparedStatement s = c.prepareStatement("INSERT INTO jobs (id, workflow, status, parameters_json, dry_run,"
                    + " report_requested, created_by, owner, created_at) VALUES (?,?,?,?,?,?,?,?,?)")) {
                s.setString(1, id);
                s.setString(2, request.workflow());
                s.setString(3, JobStatus.QUEUED.name());
                s.setString(4, parameters);
                s.setBoolean(5, request.dryRun());
                s.setBoolean(6, request.reportRequested());
                s.setString(7, request.createdBy());
                s.setString(8, ProcessIdentity.self());
                s.setTimestamp(9, now());
                s.executeUpdate();
            }
            return null;
        });
        return require(id);
    }

    /**
     * QUEUED → RUNNING, owned by this process.
     *
     * @return false when the job is no longer QUEUED (it was cancelled meanwhile, or already started): do not run it
     */
    public boolean markRunning(String jobId) {
        int changed = update("UPDATE jobs SET status = 'RUNNING', started_at = ?, owner = ? WHERE id = ? AND status = 'QUEUED'",
                now(), ProcessIdentity.self(), jobId);
        if (changed == 0) {
            require(jobId);
        }
        return changed == 1;
    }

    /** Sets the number of results the job expects (for progress); may be called again when the plan grows. */
    public void setTotal(String jobId, long total) {
        if (total < 0) {
            throw new IllegalArgumentException("total must not be negative (got " + total + ")");
        }
        if (update("UPDATE jobs SET total = ? WHERE id = ?", total, jobId) == 0) {
            throw new UnknownJobException(jobId);
        }
    }

    /**
     * Asks a job to stop. A QUEUED job ends at once as CANCELLED; a RUNNING one is flagged, and its workflow stops
     * after the batches in flight ({@link #isCancelRequested}, {@link JobProgress#cancelRequested()}) and then calls
     * {@link #finish}, which makes it CANCELLED.
     *
     * @param actor who asked (kept in the reason)
     * @return true when the request took (the job was QUEUED or RUNNING); false for a job that had already ended
     */
    public boolean requestCancel(String jobId, String actor) {
        String reason = "cancelled by " + (actor == null || actor.isBlank() ? "an operator" : actor);
        return inTransaction(c -> {
            try (PreparedStatement s = c.prepareStatement("UPDATE jobs SET status = 'CANCELLED', cancel_requested = TRUE,"
                    + " finished_at = ?, reason = ? WHERE id = ? AND status = 'QUEUED'")) {
                s.setTimestamp(1, now());
                s.setString(2, truncate(reason + " before it started"));
                s.setString(3, jobId);
                if (s.executeUpdate() == 1) {
                    return true;
                }
            }
            try (PreparedStatement s = c.prepareStatement("UPDATE jobs SET cancel_requested = TRUE,"
                    + " reason = COALESCE(reason, ?) WHERE id = ? AND status = 'RUNNING'")) {
                s.setString(1, truncate(reason));
                s.setString(2, jobId);
                if (s.executeUpdate() == 1) {
                    return true;
                }
            }
            if (!exists(c, jobId)) {
                throw new UnknownJobException(jobId);
            }
            return false;
        });
    }

    public boolean isCancelRequested(String jobId) {
        List<Boolean> rows = query("SELECT cancel_requested FROM jobs WHERE id = ?", r -> r.getBoolean(1), jobId);
        if (rows.isEmpty()) {
            throw new UnknownJobException(jobId);
        }
        return rows.get(0);
    }

    /**
     * Ends a QUEUED or RUNNING job with the status {@link JobVerdict#decide} computes from its counters, its cancel
     * flag and {@code fatalReason}. Call it once every batch has been recorded.
     *
     * @param fatalReason why the whole job failed, or null when it ran to its end (or was cancelled)
     * @return the job as it ended
     * @throws IllegalStateException when the job had already ended
     */
    public Job finish(String jobId, String fatalReason) {
        inTransaction(c -> {
            JobStatus status;
            long succeeded;
            long failed;
            boolean cancelRequested;
            String cancelReason;
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT status, succeeded, failed, cancel_requested, reason FROM jobs WHERE id = ? FOR UPDATE")) {
                s.setString(1, jobId);
                try (ResultSet r = s.executeQuery()) {
                    if (!r.next()) {
                        throw new UnknownJobException(jobId);
                    }
                    status = JobStatus.valueOf(r.getString(1));
                    succeeded = r.getLong(2);
                    failed = r.getLong(3);
                    cancelRequested = r.getBoolean(4);
                    cancelReason = r.getString(5);
                }
            }
            if (status.terminal()) {
                throw new IllegalStateException("job " + jobId + " has already ended: " + status);
            }
            JobVerdict verdict = JobVerdict.decide(cancelRequested, cancelReason, succeeded, failed, fatalReason);
            try (PreparedStatement s = c.prepareStatement(
                    "UPDATE jobs SET status = ?, reason = ?, finished_at = ? WHERE id = ?")) {
                s.setString(1, verdict.status().name());
                s.setString(2, truncate(verdict.reason()));
                s.setTimestamp(3, now());
                s.setString(4, jobId);
                s.executeUpdate();
            }
            return null;
        });
        return require(jobId);
    }

    /** {@link #recoverInterrupted(Predicate)} for owners that ran on this host and are gone. */
    public List<String> recoverInterrupted() {
        return recoverInterrupted(ProcessIdentity::isDeadLocalOwner);
    }

    /**
     * Start-up recovery: every QUEUED or RUNNING job whose owning process is dead becomes FAILED with the reason
     * {@value #INTERRUPTED}, and so do its unfinished steps. The accounts it was rotating are settled by the
     * rotation recovery (PENDING credentials), not here. Jobs of live processes — this one, or another server on
     * the same PostgreSQL vault — are left alone.
     *
     * @param ownerIsDead decides from an owner ({@code host:pid:start}, see {@link ProcessIdentity}) whether its
     *                    process is gone; this process is never considered dead
     * @return the ids of the jobs that were failed
     */
    public List<String> recoverInterrupted(Predicate<String> ownerIsDead) {
        List<String[]> live = query("SELECT id, owner, status FROM jobs WHERE status IN ('QUEUED', 'RUNNING') ORDER BY seq",
                r -> new String[]{r.getString(1), r.getString(2), r.getString(3)});
        List<String> failed = new ArrayList<>();
        for (String[] job : live) {
            String owner = job[1];
            if (ProcessIdentity.self().equals(owner) || !ownerIsDead.test(owner)) {
                continue;
            }
            boolean took = inTransaction(c -> {
                String sql = "UPDATE jobs SET status = 'FAILED', reason = ?, finished_at = ? WHERE id = ? AND status = ? AND "
                        + (owner == null ? "owner IS NULL" : "owner = ?");
                try (PreparedStatement s = c.prepareStatement(sql)) {
                    s.setString(1, INTERRUPTED);
                    s.setTimestamp(2, now());
                    s.setString(3, job[0]);
                    s.setString(4, job[2]);
                    if (owner != null) {
                        s.setString(5, owner);
                    }
                    if (s.executeUpdate() != 1) {
                        return false;
                    }
                }
                try (PreparedStatement s = c.prepareStatement("UPDATE job_steps SET status = 'FAILED', reason = ?,"
                        + " finished_at = ? WHERE job_id = ? AND status IN ('QUEUED', 'RUNNING')")) {
                    s.setString(1, INTERRUPTED);
                    s.setTimestamp(2, now());
                    s.setString(3, job[0]);
                    s.executeUpdate();
                }
                return true;
            });
            if (took) {
                failed.add(job[0]);
            }
        }
        return failed;
    }

    // ---------------------------------------------------------------- steps

    /** Declares the job's steps up front, in order, as QUEUED (numbered from 1): the plan a dry run shows. */
    public void planSteps(String jobId, List<String> names) {
        inTransaction(c -> {
            if (!exists(c, jobId)) {
                throw new UnknownJobException(jobId);
            }
            try (PreparedStatement s = c.prepareStatement(
                    "INSERT INTO job_steps (job_id, step_no, name, status) VALUES (?,?,?,'QUEUED')")) {
                for (int i = 0; i < names.size(); i++) {
                    s.setString(1, jobId);
                    s.setInt(2, i + 1);
                    s.setString(3, stepName(names.get(i)));
                    s.addBatch();
                }
                s.executeBatch();
            }
            return null;
        });
    }

    /**
     * Starts step {@code stepNo} (RUNNING, started now); a planned step of that number is started, otherwise the step
     * is added. Results recorded with this {@code name} as their step count towards it.
     */
    public void startStep(String jobId, int stepNo, String name) {
        String step = stepName(name);
        inTransaction(c -> {
            if (!exists(c, jobId)) {
                throw new UnknownJobException(jobId);
            }
            try (PreparedStatement s = c.prepareStatement("UPDATE job_steps SET name = ?, status = 'RUNNING', started_at = ?"
                    + " WHERE job_id = ? AND step_no = ? AND status = 'QUEUED'")) {
                s.setString(1, step);
                s.setTimestamp(2, now());
                s.setString(3, jobId);
                s.setInt(4, stepNo);
                if (s.executeUpdate() == 1) {
                    return null;
                }
            }
            try (PreparedStatement s = c.prepareStatement("INSERT INTO job_steps (job_id, step_no, name, status, started_at)"
                    + " VALUES (?,?,?,'RUNNING',?)")) {
                s.setString(1, jobId);
                s.setInt(2, stepNo);
                s.setString(3, step);
                s.setTimestamp(4, now());
                s.executeUpdate();
            } catch (SQLException e) {
                throw new IllegalStateException("step " + stepNo + " of job " + jobId + " was already started", e);
            }
            return null;
        });
    }

    public JobStep finishStep(String jobId, int stepNo) {
        return finishStep(jobId, stepNo, null);
    }

    /**
     * Ends a RUNNING step with the status {@link JobVerdict#decide} gives its counters (and the job's cancel flag).
     *
     * @param fatalReason why the step as a whole failed, or null
     */
    public JobStep finishStep(String jobId, int stepNo, String fatalReason) {
        inTransaction(c -> {
            boolean cancelRequested;
            long succeeded;
            long failed;
            String status;
            try (PreparedStatement s = c.prepareStatement("SELECT s.status, s.succeeded, s.failed, j.cancel_requested"
                    + " FROM job_steps s JOIN jobs j ON j.id = s.job_id WHERE s.job_id = ? AND s.step_no = ?")) {
                s.setString(1, jobId);
                s.setInt(2, stepNo);
                try (ResultSet r = s.executeQuery()) {
                    if (!r.next()) {
                        throw new IllegalStateException("job " + jobId + " has no step " + stepNo);
                    }
                    status = r.getString(1);
                    succeeded = r.getLong(2);
                    failed = r.getLong(3);
                    cancelRequested = r.getBoolean(4);
                }
            }
            if (!JobStatus.RUNNING.name().equals(status)) {
                throw new IllegalStateException("step " + stepNo + " of job " + jobId + " is " + status + ", not RUNNING");
            }
            JobVerdict verdict = JobVerdict.decide(cancelRequested, null, succeeded, failed, fatalReason);
            try (PreparedStatement s = c.prepareStatement("UPDATE job_steps SET status = ?, reason = ?, finished_at = ?"
                    + " WHERE job_id = ? AND step_no = ? AND status = 'RUNNING'")) {
                s.setString(1, verdict.status().name());
                s.setString(2, truncate(verdict.reason()));
                s.setTimestamp(3, now());
                s.setString(4, jobId);
                s.setInt(5, stepNo);
                s.executeUpdate();
            }
            return null;
        });
        return steps(jobId).stream().filter(s -> s.stepNo() == stepNo).findFirst().orElseThrow();
    }

    /** The job's steps in order. */
    public List<JobStep> steps(String jobId) {
        return query(STEP_SELECT + " WHERE job_id = ? ORDER BY step_no", JobStore::step, jobId);
    }

    // ---------------------------------------------------------------- results

    public JobProgress recordResult(String jobId, JobResult result) {
        return recordResults(jobId, List.of(result));
    }

    /**
     * Records one batch of results in one transaction: inserts them (one JDBC batch) and adds them to the job's
     * counters and to the counters of the steps they name. Safe from many threads at once.
     *
     * @return the job's counters right after this batch, with its cancel flag
     * @throws IllegalStateException when the job is not RUNNING (nothing is then recorded)
     */
    public JobProgress recordResults(String jobId, Collection<JobResult> results) {
        if (results.isEmpty()) {
            return require(jobId).progress();
        }
        long succeeded = results.stream().filter(JobResult::success).count();
        long failed = results.size() - succeeded;
        Map<String, long[]> perStep = new TreeMap<>();
        for (JobResult r : results) {
            long[] counts = perStep.computeIfAbsent(r.step(), k -> new long[2]);
            counts[r.success() ? 0 : 1]++;
        }
        return inTransaction(c -> {
            // the job row first: it serialises concurrent batches of one job and proves the job is RUNNING
            try (PreparedStatement s = c.prepareStatement("UPDATE jobs SET done = done + ?, succeeded = succeeded + ?,"
                    + " failed = failed + ? WHERE id = ? AND status = 'RUNNING'")) {
                s.setLong(1, succeeded + failed);
                s.setLong(2, succeeded);
                s.setLong(3, failed);
                s.setString(4, jobId);
                if (s.executeUpdate() != 1) {
                    List<String> status = statusOf(c, jobId);
                    if (status.isEmpty()) {
                        throw new UnknownJobException(jobId);
                    }
                    throw new IllegalStateException("job " + jobId + " is " + status.get(0) + ", not RUNNING: results not recorded");
                }
            }
            try (PreparedStatement s = c.prepareStatement("INSERT INTO job_results (job_id, account_id, target_id, step,"
                    + " outcome, success, reason, started_at, finished_at, duration_ms) VALUES (?,?,?,?,?,?,?,?,?,?)")) {
                for (JobResult r : results) {
                    s.setString(1, jobId);
                    s.setString(2, r.accountId());
                    s.setString(3, r.targetId());
                    s.setString(4, stepName(r.step()));
                    s.setString(5, r.outcome());
                    s.setBoolean(6, r.success());
                    s.setString(7, truncate(r.reason()));
                    s.setTimestamp(8, timestamp(r.startedAt()));
                    s.setTimestamp(9, timestamp(r.finishedAt()));
                    if (r.durationMs() == null) {
                        s.setNull(10, Types.BIGINT);
                    } else {
                        s.setLong(10, r.durationMs());
                    }
                    s.addBatch();
                }
                s.executeBatch();
            }
            try (PreparedStatement s = c.prepareStatement("UPDATE job_steps SET done = done + ?, succeeded = succeeded + ?,"
                    + " failed = failed + ? WHERE job_id = ? AND name = ?")) {
                for (Map.Entry<String, long[]> step : perStep.entrySet()) {
                    s.setLong(1, step.getValue()[0] + step.getValue()[1]);
                    s.setLong(2, step.getValue()[0]);
                    s.setLong(3, step.getValue()[1]);
                    s.setString(4, jobId);
                    s.setString(5, step.getKey());
                    s.executeUpdate();
                }
            }
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT total, done, succeeded, failed, cancel_requested FROM jobs WHERE id = ?")) {
                s.setString(1, jobId);
                try (ResultSet r = s.executeQuery()) {
                    r.next();
                    return new JobProgress(jobId, r.getLong(1), r.getLong(2), r.getLong(3), r.getLong(4), r.getBoolean(5));
                }
            }
        });
    }

    /** One page of the job's results in the order they were recorded. */
    public List<JobResult> results(String jobId, long offset, int limit) {
        if (offset < 0 || limit < 1 || limit > MAX_PAGE) {
            throw new IllegalArgumentException("offset must be 0 or more and limit 1 to " + MAX_PAGE
                    + " (got offset " + offset + ", limit " + limit + ")");
        }
        return query(RESULT_SELECT + " WHERE job_id = ? ORDER BY seq OFFSET ? ROWS FETCH FIRST ? ROWS ONLY",
                JobStore::result, jobId, offset, limit);
    }

    /**
     * Streams every result of the job, in recording order, to {@code sink}: pages of {@code pageSize} rows, each
     * read with its own short query (keyset on the insertion order), so neither memory nor a connection is held
     * for the whole job. Used by the report writer.
     *
     * @return how many results were passed on
     */
    public long forEachResult(String jobId, int pageSize, Consumer<JobResult> sink) {
        if (pageSize < 1 || pageSize > MAX_PAGE) {
            throw new IllegalArgumentException("page size must be 1 to " + MAX_PAGE + " (got " + pageSize + ")");
        }
        long after = -1;
        long count = 0;
        while (true) {
            List<Object[]> page = query(RESULT_SELECT + " WHERE job_id = ? AND seq > ? ORDER BY seq FETCH FIRST ? ROWS ONLY",
                    r -> new Object[]{r.getLong(1), result(r)}, jobId, after, pageSize);
            for (Object[] row : page) {
                sink.accept((JobResult) row[1]);
            }
            count += page.size();
            if (page.size() < pageSize) {
                return count;
            }
            after = (Long) page.get(page.size() - 1)[0];
        }
    }

    public long resultCount(String jobId) {
        return query("SELECT COUNT(*) FROM job_results WHERE job_id = ?", r -> r.getLong(1), jobId).get(0);
    }

    // ---------------------------------------------------------------- reading jobs

    public Optional<Job> find(String jobId) {
        return query(JOB_SELECT + " WHERE id = ?", JobStore::job, jobId).stream().findFirst();
    }

    /** Jobs newest first, one page. */
    public List<Job> list(long offset, int limit) {
        if (offset < 0 || limit < 1 || limit > MAX_PAGE) {
            throw new IllegalArgumentException("offset must be 0 or more and limit 1 to " + MAX_PAGE
                    + " (got offset " + offset + ", limit " + limit + ")");
        }
        return query(JOB_SELECT + " ORDER BY seq DESC OFFSET ? ROWS FETCH FIRST ? ROWS ONLY", JobStore::job, offset, limit);
    }

    public long count() {
        return query("SELECT COUNT(*) FROM jobs", r -> r.getLong(1)).get(0);
    }

    // ---------------------------------------------------------------- helpers

    private Job require(String jobId) {
        return find(jobId).orElseThrow(() -> new UnknownJobException(jobId));
    }

    private static void refuseSecretKeys(Map<?, ?> parameters, String prefix) {
        for (Map.Entry<?, ?> e : parameters.entrySet()) {
            String key = String.valueOf(e.getKey());
            if (SECRET_KEY.matcher(key.toLowerCase(Locale.ROOT)).matches()) {
                throw new IllegalArgumentException("job parameter '" + prefix + key
                        + "' looks like a credential; job parameters are stored in clear and must not hold one");
            }
            if (e.getValue() instanceof Map<?, ?> nested) {
                refuseSecretKeys(nested, prefix + key + ".");
            }
        }
    }

    private static String stepName(String name) {
        if (name == null || name.isBlank() || name.length() > 64) {
            throw new IllegalArgumentException("a step name must be 1 to 64 characters");
        }
        return name;
    }

    private static String truncate(String text) {
        return text != null && text.length() > REASON_MAX ? text.substring(0, REASON_MAX - 3) + "..." : text;
    }

    private Timestamp now() {
        return Timestamp.from(clock.instant());
    }

    private static Timestamp timestamp(Instant instant) {
        return instant == null ? null : Timestamp.from(instant);
    }

    private static Instant instant(ResultSet r, int column) throws SQLException {
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

    /** Maps {@link #RESULT_SELECT} (column 1, seq, is skipped). */
    private static JobResult result(ResultSet r) throws SQLException {
        long duration = r.getLong(10);
        Long durationMs = r.wasNull() ? null : duration;
        return new JobResult(r.getString(2), r.getString(3), r.getString(4), r.getString(5), r.getBoolean(6),
                r.getString(7), instant(r, 8), instant(r, 9), durationMs);
    }

    private static boolean exists(Connection c, String jobId) throws SQLException {
        return !statusOf(c, jobId).isEmpty();
    }

    private static List<String> statusOf(Connection c, String jobId) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT status FROM jobs WHERE id = ?")) {
            s.setString(1, jobId);
            try (ResultSet r = s.executeQuery()) {
                return r.next() ? List.of(r.getString(1)) : List.of();
            }
        }
    }

    @FunctionalInterface
    private interface RowMapper<T> {
        T map(ResultSet r) throws SQLException;
    }

    @FunctionalInterface
    private interface TransactionWork<T> {
        T run(Connection c) throws SQLException;
    }

    private int update(String sql, Object... params) {
        return inTransaction(c -> {
            try (PreparedStatement s = c.prepareStatement(sql)) {
                bind(s, params);
                return s.executeUpdate();
            }
        });
    }

    private static void bind(PreparedStatement s, Object... params) throws SQLException {
        for (int i = 0; i < params.length; i++) {
            s.setObject(i + 1, params[i]);
        }
    }

    private <T> List<T> query(String sql, RowMapper<T> mapper, Object... params) {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            bind(s, params);
            try (ResultSet r = s.executeQuery()) {
                List<T> rows = new ArrayList<>();
                while (r.next()) {
                    rows.add(mapper.map(r));
                }
                return rows;
            }
        } catch (SQLException e) {
            throw new VaultException("job store query failed: " + e.getMessage(), e);
        }
    }

    private <T> T inTransaction(TransactionWork<T> work) {
        try (Connection c = dataSource.getConnection()) {
            boolean autoCommit = c.getAutoCommit();
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(autoCommit);
            }
        } catch (SQLException e) {
            throw new VaultException("job store write failed, nothing was changed: " + e.getMessage(), e);
        }
    }
}
