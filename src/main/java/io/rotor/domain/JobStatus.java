package io.rotor.domain;

/**
 * Where a job (or one of its steps) stands. QUEUED and RUNNING are live; the other four are final and never
 * change again.
 */
public enum JobStatus {
    /** Created, not started yet. A cancel request ends it at once as CANCELLED. */
    QUEUED,
    /** Started by {@code JobStore.markRunning}; results are being recorded. */
    RUNNING,
    /** Every recorded result succeeded (also when there was nothing to do). */
    SUCCEEDED,
    /** Some results succeeded and some failed; each failure has its own reason. */
    PARTIAL,
    /** Nothing succeeded, or a fatal reason stopped the job. */
    FAILED,
    /** A cancel was requested; the job stopped after the batches in flight. */
    CANCELLED;

    public boolean terminal() {
        return this != QUEUED && this != RUNNING;
    }
}
