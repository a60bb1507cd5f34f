package io.rotor.vault;

import io.rotor.domain.JobProgress;
import io.rotor.domain.JobResult;
import io.rotor.domain.UnknownJobException;
import org.jdbi.v3.core.statement.PreparedBatch;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * The per-account results of jobs (table {@code job_results}, migration V4) and the counters they add to their job
 * and step. A batch of results and its counters commit in one transaction, so the counters always equal the number
 * of stored results, from any number of threads at once. Reasons never hold a secret (the caller builds them
 * without one); they are cut to their column here.
 */
public final class JobResultRepository {
    private static final String RESULT_SELECT = "SELECT seq, account_id, target_id, step, outcome, success, reason,"
            + " started_at, finished_at, duration_ms FROM job_results";

    private final UnitOfWork work;

    public JobResultRepository(UnitOfWork work) {
        this.work = work;
    }

    /**
     * Records one batch of results of a RUNNING job in one transaction: inserts them (one JDBC batch) and adds them to
     * the job's counters and to those of the steps they name.
     *
     * @return the job's counters right after this batch, with its cancel flag
     * @throws IllegalStateException when the job is not RUNNING (nothing is then recorded)
     */
    public JobProgress record(String jobId, Collection<JobResult> results) {
        long succeeded = results.stream().filter(JobResult::success).count();
        long failed = results.size() - succeeded;
        Map<String, long[]> perStep = new TreeMap<>();
        for (JobResult r : results) {
            perStep.computeIfAbsent(r.step(), k -> new long[2])[r.success() ? 0 : 1]++;
        }
        return work.inTransaction(h -> {
            // the job row first: it serialises concurrent batches of one job and proves the job is RUNNING
            if (h.createUpdate("UPDATE jobs SET done = done + :done, succeeded = succeeded + :succeeded,"
                            + " failed = failed + :failed WHERE id = :id AND status = 'RUNNING'")
                    .bind("done", succeeded + failed).bind("succeeded", succeeded).bind("failed", failed).bind("id", jobId)
                    .execute() != 1) {
                String status = h.createQuery("SELECT status FROM jobs WHERE id = :id").bind("id", jobId)
                        .mapTo(String.class).findOne().orElseThrow(() -> new UnknownJobException(jobId));
                throw new IllegalStateException("job " + jobId + " is " + status + ", not RUNNING: results not recorded");
            }
            PreparedBatch insert = h.prepareBatch("INSERT INTO job_results (job_id, account_id, target_id, step, outcome,"
                    + " success, reason, started_at, finished_at, duration_ms) VALUES (:jobId, :accountId, :targetId,"
                    + " :step, :outcome, :success, :reason, :startedAt, :finishedAt, :durationMs)");
            for (JobResult r : results) {
                insert.bind("jobId", jobId).bind("accountId", r.accountId()).bind("targetId", r.targetId())
                        .bind("step", r.step()).bind("outcome", r.outcome()).bind("success", r.success())
                        .bind("reason", JobRepository.cut(r.reason())).bind("startedAt", timestamp(r.startedAt()))
                        .bind("finishedAt", timestamp(r.finishedAt())).bind("durationMs", r.durationMs())
                        .add();
            }
            insert.execute();
            for (Map.Entry<String, long[]> step : perStep.entrySet()) {
                h.createUpdate("UPDATE job_steps SET done = done + :done, succeeded = succeeded + :succeeded,"
                                + " failed = failed + :failed WHERE job_id = :jobId AND name = :name")
                        .bind("done", step.getValue()[0] + step.getValue()[1]).bind("succeeded", step.getValue()[0])
                        .bind("failed", step.getValue()[1]).bind("jobId", jobId).bind("name", step.getKey())
                        .execute();
            }
            return h.createQuery("SELECT total, done, succeeded, failed, cancel_requested FROM jobs WHERE id = :id")
                    .bind("id", jobId)
                    .map((r, ctx) -> new JobProgress(jobId, r.getLong(1), r.getLong(2), r.getLong(3), r.getLong(4),
                            r.getBoolean(5)))
                    .one();
        });
    }

    /** One page of the job's results in the order they were recorded. */
    public List<JobResult> page(String jobId, long offset, int limit) {
        return work.read(h -> h.createQuery(RESULT_SELECT + " WHERE job_id = :jobId ORDER BY seq"
                        + " OFFSET :offset ROWS FETCH FIRST :limit ROWS ONLY")
                .bind("jobId", jobId).bind("offset", offset).bind("limit", limit)
                .map((r, ctx) -> result(r)).list());
    }

    /**
     * Passes every result of the job, in recording order, to {@code sink}: pages of {@code pageSize} rows, each read
     * with its own short query (keyset on the insertion order), so neither memory nor a connection is held for the
     * whole job.
     *
     * @return how many results were passed on
     */
    public long forEach(String jobId, int pageSize, Consumer<JobResult> sink) {
        long after = -1;
        long count = 0;
        while (true) {
            long from = after;
            List<Object[]> page = work.read(h -> h.createQuery(RESULT_SELECT
                            + " WHERE job_id = :jobId AND seq > :after ORDER BY seq FETCH FIRST :limit ROWS ONLY")
                    .bind("jobId", jobId).bind("after", from).bind("limit", pageSize)
                    .map((r, ctx) -> new Object[]{r.getLong(1), result(r)}).list());
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

    public long count(String jobId) {
        return work.read(h -> h.createQuery("SELECT COUNT(*) FROM job_results WHERE job_id = :jobId")
                .bind("jobId", jobId).mapTo(Long.class).one());
    }

    private static Timestamp timestamp(Instant instant) {
        return instant == null ? null : Timestamp.from(instant);
    }

    /** Maps {@link #RESULT_SELECT} (column 1, seq, is skipped). */
    private static JobResult result(ResultSet r) throws SQLException {
        long duration = r.getLong(10);
        Long durationMs = r.wasNull() ? null : duration;
        return new JobResult(r.getString(2), r.getString(3), r.getString(4), r.getString(5), r.getBoolean(6),
                r.getString(7), JobRepository.instant(r, 8), JobRepository.instant(r, 9), durationMs);
    }
}
