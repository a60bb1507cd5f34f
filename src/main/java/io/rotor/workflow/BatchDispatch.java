package io.rotor.workflow;

import org.apache.camel.Header;

/**
 * What a bulk workflow's driver route does once it has handed out its last batch (bean {@code batchDispatch}).
 * One node: the batches ran in the driver's own split, so the job ends now ({@link Local}). A cluster: the batches
 * went to the broker and the node that finishes the last one ends the job (io.rotor.cluster.ClusterBatches).
 */
public interface BatchDispatch {
    /** @return the ended job, or null when other nodes still hold batches */
    Object allHandedOut(@Header("jobId") String jobId);

    /** The embedded default: every batch ran in the driver's split, so the job ends. */
    final class Local implements BatchDispatch {
        private final WorkflowJobs jobs;

        public Local(WorkflowJobs jobs) {
            this.jobs = jobs;
        }

        @Override
        public Object allHandedOut(@Header("jobId") String jobId) {
            return jobs.end(jobId);
        }
    }
}
