package io.rotor.workflow;

import io.rotor.domain.JobProgress;
import io.rotor.domain.JobResult;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The results of one batch while {@link BatchResultsStrategy} folds them, then — once the batch is written to the
 * {@link JobStore} — only its counts and the job's progress: the per-account rows are dropped after they are
 * stored, so the split over batches never accumulates a whole job in memory.
 */
public final class BatchResults {
    private final String jobId;
    private final List<JobResult> results = new ArrayList<>();
    private final Map<String, Integer> counts = new TreeMap<>();
    private int succeeded;
    private int failed;
    private JobProgress progress;

    public BatchResults(String jobId) {
        this.jobId = jobId;
    }

    void add(JobResult result) {
        if (progress != null) {
            throw new IllegalStateException("batch of job " + jobId + " was already recorded");
        }
        results.add(result);
        counts.merge(result.outcome(), 1, Integer::sum);
        if (result.success()) {
            succeeded++;
        } else {
            failed++;
        }
    }

    void recorded(JobProgress jobProgress) {
        this.progress = jobProgress;
        results.clear();
    }

    public String jobId() {
        return jobId;
    }

    /** The results not yet written (empty once {@link #isRecorded()}). */
    public List<JobResult> results() {
        return Collections.unmodifiableList(results);
    }

    /** Results of this batch by outcome name. */
    public Map<String, Integer> counts() {
        return Collections.unmodifiableMap(counts);
    }

    public int size() {
        return succeeded + failed;
    }

    public int succeeded() {
        return succeeded;
    }

    public int failed() {
        return failed;
    }

    public boolean isRecorded() {
        return progress != null;
    }

    /** The job's counters right after this batch was written; null before. */
    public JobProgress progress() {
        return progress;
    }

    /** True when a cancel was requested by the time this batch was written: start no new batch. */
    public boolean cancelRequested() {
        return progress != null && progress.cancelRequested();
    }

    @Override
    public String toString() {
        return "batch of job " + jobId + ": " + size() + " result(s), " + succeeded + " succeeded, " + failed
                + " failed " + counts + (progress == null ? "" : "; job " + progress.done() + "/" + progress.total());
    }
}
