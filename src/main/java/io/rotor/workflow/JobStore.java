package io.rotor.workflow;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rotor.domain.Job;
import io.rotor.domain.JobProgress;
import io.rotor.domain.JobResult;
import io.rotor.domain.JobStatus;
import io.rotor.domain.JobStep;
import io.rotor.domain.NewJob;
import io.rotor.domain.UnknownJobException;
import io.rotor.vault.JobRepository;
import io.rotor.vault.JobResultRepository;
import io.rotor.vault.ProcessIdentity;
import io.rotor.vault.VaultException;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Job bookkeeping: one record per workflow run, its steps, and one record per account result with its reason,
 * kept in the vault by {@link JobRepository} and {@link JobResultRepository}. This class holds the rules (what a
 * parameter may hold, which state may follow which, how a job ends — {@link JobVerdict}); the repositories hold the
 * SQL. Nothing stored is a secret.
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
    private static final int PARAMETERS_MAX = 100_000;
    private static final int MAX_PAGE = 10_000;
    /** Parameter names that would carry a credential; {@link #create} refuses them. */
    private static final Pattern SECRET_KEY = Pattern.compile(
            ".*(password|passwd|secret|token|passphrase|private[-_]?key|credential|api[-_]?key).*");

    private final JobRepository jobs;
    private final JobResultRepository results;

    public JobStore(JobRepository jobs, JobResultRepository results) {
        this.jobs = jobs;
        this.results = results;
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
        return require(jobs.create(request, parameters));
    }

    /**
     * QUEUED → RUNNING, owned by this process.
     *
     * @return false when the job is no longer QUEUED (it was cancelled meanwhile, or already started): do not run it
     */
    public boolean markRunning(String jobId) {
        return jobs.markRunning(jobId);
    }

    /** Sets the number of results the job expects (for progress); may be called again when the plan grows. */
    public void setTotal(String jobId, long total) {
        if (total < 0) {
            throw new IllegalArgumentException("total must not be negative (got " + total + ")");
        }
        jobs.setTotal(jobId, total);
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
        return jobs.requestCancel(jobId, "cancelled by " + (actor == null || actor.isBlank() ? "an operator" : actor));
    }

    public boolean isCancelRequested(String jobId) {
        return jobs.isCancelRequested(jobId);
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
        jobs.finish(jobId, counters -> {
            if (counters.status().terminal()) {
                throw new IllegalStateException("job " + jobId + " has already ended: " + counters.status());
            }
            return ending(JobVerdict.decide(counters.cancelRequested(), counters.reason(), counters.succeeded(),
                    counters.failed(), fatalReason));
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
        return recoverInterrupted(ownerIsDead, jobId -> false);
    }

    /**
     * As {@link #recoverInterrupted(Predicate)}, leaving alone the jobs that {@code goesOnElsewhere} names (a cluster's
     * jobs whose batches wait on the broker for the other nodes).
     */
    public List<String> recoverInterrupted(Predicate<String> ownerIsDead, Predicate<String> goesOnElsewhere) {
        List<String> failed = new ArrayList<>();
        for (JobRepository.LiveJob job : jobs.liveJobs()) {
            if (ProcessIdentity.self().equals(job.owner()) || !ownerIsDead.test(job.owner()) || goesOnElsewhere.test(job.id())) {
                continue;
            }
            if (jobs.failInterrupted(job, INTERRUPTED)) {
                failed.add(job.id());
            }
        }
        return failed;
    }

    // ---------------------------------------------------------------- steps

    /** Declares the job's steps up front, in order, as QUEUED (numbered from 1): the plan a dry run shows. */
    public void planSteps(String jobId, List<String> names) {
        names.forEach(JobStore::stepName);
        jobs.planSteps(jobId, names);
    }

    /**
     * Starts step {@code stepNo} (RUNNING, started now); a planned step of that number is started, otherwise the step
     * is added. Results recorded with this {@code name} as their step count towards it.
     */
    public void startStep(String jobId, int stepNo, String name) {
        jobs.startStep(jobId, stepNo, stepName(name));
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
        jobs.finishStep(jobId, stepNo, counters -> {
            if (counters.status() != JobStatus.RUNNING) {
                throw new IllegalStateException("step " + stepNo + " of job " + jobId + " is " + counters.status()
                        + ", not RUNNING");
            }
            return ending(JobVerdict.decide(counters.cancelRequested(), null, counters.succeeded(), counters.failed(),
                    fatalReason));
        });
        return steps(jobId).stream().filter(s -> s.stepNo() == stepNo).findFirst().orElseThrow();
    }

    /** The job's steps in order. */
    public List<JobStep> steps(String jobId) {
        return jobs.steps(jobId);
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
    public JobProgress recordResults(String jobId, Collection<JobResult> batch) {
        if (batch.isEmpty()) {
            return require(jobId).progress();
        }
        batch.forEach(r -> stepName(r.step()));
        return results.record(jobId, batch);
    }

    /** One page of the job's results in the order they were recorded. */
    public List<JobResult> results(String jobId, long offset, int limit) {
        checkPage(offset, limit);
        return results.page(jobId, offset, limit);
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
        return results.forEach(jobId, pageSize, sink);
    }

    public long resultCount(String jobId) {
        return results.count(jobId);
    }

    // ---------------------------------------------------------------- reading jobs

    public Optional<Job> find(String jobId) {
        return jobs.find(jobId);
    }

    /** Jobs newest first, one page. */
    public List<Job> list(long offset, int limit) {
        checkPage(offset, limit);
        return jobs.list(offset, limit);
    }

    public long count() {
        return jobs.count();
    }

    // ---------------------------------------------------------------- helpers

    private Job require(String jobId) {
        return find(jobId).orElseThrow(() -> new UnknownJobException(jobId));
    }

    private static JobRepository.Ending ending(JobVerdict verdict) {
        return new JobRepository.Ending(verdict.status(), verdict.reason());
    }

    private static void checkPage(long offset, int limit) {
        if (offset < 0 || limit < 1 || limit > MAX_PAGE) {
            throw new IllegalArgumentException("offset must be 0 or more and limit 1 to " + MAX_PAGE
                    + " (got offset " + offset + ", limit " + limit + ")");
        }
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
}
