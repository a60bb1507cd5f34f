package io.rotor.domain;

import java.time.Instant;

/**
 * One run of a workflow as the vault keeps it. {@code parametersJson} is the request's parameters as a JSON object
 * (never a credential); {@code reason} explains a status other than SUCCEEDED (or, while RUNNING, who asked for a
 * cancel).
 */
public record Job(String id, String workflow, JobStatus status, String parametersJson, boolean dryRun,
                  boolean reportRequested, String createdBy, Instant createdAt, Instant startedAt, Instant finishedAt,
                  long total, long done, long succeeded, long failed, boolean cancelRequested, String reason) {

    public JobProgress progress() {
        return new JobProgress(id, total, done, succeeded, failed, cancelRequested);
    }
}
