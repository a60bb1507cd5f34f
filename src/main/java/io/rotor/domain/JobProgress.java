package io.rotor.domain;

/**
 * A job's counters at one moment: what {@code JobStore.recordResults} returns after each batch, so that a route
 * can report progress and stop taking new batches once a cancel was requested.
 *
 * @param total           planned results ({@code JobStore.setTotal}); 0 while unknown
 * @param done            results recorded so far ({@code succeeded + failed})
 * @param cancelRequested true once {@code JobStore.requestCancel} took: start no new batch
 */
public record JobProgress(String jobId, long total, long done, long succeeded, long failed, boolean cancelRequested) {

    /** Percentage done, 0–100; 0 while the total is unknown. */
    public int percent() {
        if (total <= 0) {
            return 0;
        }
        return (int) Math.min(100, done * 100 / total);
    }
}
