package io.rotor.workflow;

import io.rotor.domain.JobStatus;

/**
 * How a job or a step ends, decided from its counters alone (plain rules, no database), in this order:
 * <ol>
 *   <li>a cancel was requested → {@link JobStatus#CANCELLED}, reason "cancelled ..." with what was done, followed
 *       by the fatal reason if one was also given;</li>
 *   <li>a fatal reason is given → {@link JobStatus#FAILED} with exactly that reason;</li>
 *   <li>no result failed → {@link JobStatus#SUCCEEDED}, no reason (also when there was nothing to do);</li>
 *   <li>some succeeded, some failed → {@link JobStatus#PARTIAL}, reason "F of N failed";</li>
 *   <li>none succeeded → {@link JobStatus#FAILED}, reason "all N failed".</li>
 * </ol>
 * The per-account reasons are in the job's results; these reasons only summarise.
 */
public record JobVerdict(JobStatus status, String reason) {

    /**
     * @param cancelRequested whether a cancel was requested
     * @param cancelReason    who asked, e.g. "cancelled by alice" (null: "cancelled on request")
     * @param succeeded       results that succeeded
     * @param failed          results that did not
     * @param fatalReason     why the whole job failed (the vault went away, the plan could not be made), or null
     */
    public static JobVerdict decide(boolean cancelRequested, String cancelReason, long succeeded, long failed,
                                    String fatalReason) {
        long done = succeeded + failed;
        if (cancelRequested) {
            String reason = (cancelReason == null || cancelReason.isBlank() ? "cancelled on request" : cancelReason)
                    + " after " + done + " result(s): " + succeeded + " succeeded, " + failed + " failed"
                    + (fatalReason == null || fatalReason.isBlank() ? "" : "; " + fatalReason);
            return new JobVerdict(JobStatus.CANCELLED, reason);
        }
        if (fatalReason != null && !fatalReason.isBlank()) {
            return new JobVerdict(JobStatus.FAILED, fatalReason);
        }
        if (failed == 0) {
            return new JobVerdict(JobStatus.SUCCEEDED, null);
        }
        if (succeeded > 0) {
            return new JobVerdict(JobStatus.PARTIAL, failed + " of " + done + " failed");
        }
        return new JobVerdict(JobStatus.FAILED, "all " + failed + " failed");
    }
}
