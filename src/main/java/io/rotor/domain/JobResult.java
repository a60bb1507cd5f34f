package io.rotor.domain;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * One account's result in one step of a job. {@code reason} is for people and never holds a secret: it is the
 * {@code OperationResult.detail()} the rotation service produced, which is built without secrets.
 *
 * @param accountId  the account (null when the failure happened before an account was known)
 * @param targetId   its target, when known
 * @param step       the step's name, as given to {@code JobStore.startStep}
 * @param outcome    an {@code OperationResult.Outcome} name, or a workflow's own word (e.g. CREATED, SKIPPED)
 * @param success    whether it counts as succeeded (otherwise as failed)
 * @param durationMs null to compute it from the two instants
 */
public record JobResult(String accountId, String targetId, String step, String outcome, boolean success, String reason,
                        Instant startedAt, Instant finishedAt, Long durationMs) {
    public JobResult {
        Objects.requireNonNull(step, "step");
        Objects.requireNonNull(outcome, "outcome");
        if (durationMs == null && startedAt != null && finishedAt != null) {
            durationMs = Math.max(0, Duration.between(startedAt, finishedAt).toMillis());
        }
    }
}
