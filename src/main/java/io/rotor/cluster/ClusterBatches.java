package io.rotor.cluster;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rotor.domain.Job;
import io.rotor.domain.JobResult;
import io.rotor.vault.ClusterRepository;
import io.rotor.workflow.BatchDispatch;
import io.rotor.workflow.MassPasswordReset;
import io.rotor.workflow.OperationResult;
import io.rotor.workflow.VaultSync;
import io.rotor.workflow.WorkflowJobs;
import org.apache.camel.Exchange;
import org.apache.camel.Header;
import org.apache.camel.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The Java side of the cluster's batch routes ({@link ClusterRoutes}; docs/architecture.md, "Cluster"): a bulk job's
 * batches go to a durable RabbitMQ quorum queue, any node takes the next one, and the job's progress and results are
 * kept in the vault, so every node reads the same numbers and the node that finishes the last batch ends the job.
 *
 * <p>Redelivery is safe. A batch taken again (its node died before the acknowledgement) first waits until the dead
 * node's account leases have expired by the vault's clock, then leaves out every account this job already
 * committed (the commit's audit record, written in the commit's own transaction, names the job) and every account
 * whose results are already recorded; a committed account without results gets them, with its vault accounts
 * synchronised. The others go through the rotation protocol, which settles a PENDING left by the dead node first.
 */
public class ClusterBatches implements BatchDispatch {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterBatches.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    public static final String BATCH_NO = "batchNo";
    public static final String BATCH_ROUTE = "batchRoute";
    /** Header set by {@link #take}: whether the route runs the batch. */
    public static final String RUN = "clusterBatchRun";

    private final ClusterNode node;
    private final ClusterRepository cluster;
    private final WorkflowJobs workflowJobs;
    private final VaultSync vaultSync;
    private final Duration leaseWait;

    /** @param leaseWait how long a redelivered batch waits at most for a dead node's leases (lock lifetime + margin) */
    public ClusterBatches(ClusterNode node, ClusterRepository cluster, WorkflowJobs workflowJobs, VaultSync vaultSync,
                          Duration leaseWait) {
        this.node = node;
        this.cluster = cluster;
        this.workflowJobs = workflowJobs;
        this.vaultSync = vaultSync;
        this.leaseWait = leaseWait;
    }

    // ---------------------------------------------------------------- driver side

    /**
     * One batch of the driver's split, before it goes to the broker: recorded QUEUED in the vault (numbered by its
     * split index); the body becomes the ids as JSON and the headers only the job, the batch number and the batch
     * route. {@link #RUN} is false for a batch number already handed out (a resumed driver).
     */
    public void handOut(Exchange exchange) throws IOException {
        Message in = exchange.getIn();
        String jobId = in.getHeader("jobId", String.class);
        int batchNo = exchange.getProperty(Exchange.SPLIT_INDEX, Integer.class) + 1;
        List<String> ids = in.getBody(List.class);
        Job job = workflowJobs.jobs().find(jobId).orElseThrow();
        String route = job.workflow() + "-batch";
        cluster.registerJob(jobId, node.nodeId(), route);
        boolean fresh = cluster.addBatch(jobId, batchNo, ids.size());
        in.removeHeaders("*");
        in.setHeader("jobId", jobId);
        in.setHeader(BATCH_NO, batchNo);
        in.setHeader(BATCH_ROUTE, route);
        in.setHeader(RUN, fresh);
        in.setBody(JSON.writeValueAsString(ids));
    }

    /** The driver handed out its last batch: ends the job now if every batch is already done. */
    @Override
    public Object allHandedOut(@Header("jobId") String jobId) {
        int batches = cluster.batchCount(jobId);
        cluster.registerJob(jobId, node.nodeId(), workflowJobs.jobs().find(jobId).orElseThrow().workflow() + "-batch");
        cluster.allHandedOut(jobId, batches);
        LOG.info("job {}: {} batch(es) handed out to the cluster", jobId, batches);
        return cluster.claimEndIfComplete(jobId) ? workflowJobs.end(jobId) : null;
    }

    // ---------------------------------------------------------------- worker side

    /**
     * A node takes a batch from the broker. Sets the job's parameters as headers and {@link #RUN}; the body becomes
     * the account ids still to run (see the class comment for a redelivered batch).
     */
    public void take(Exchange exchange) throws IOException, InterruptedException {
        Message in = exchange.getIn();
        String jobId = in.getHeader("jobId", String.class);
        int batchNo = in.getHeader(BATCH_NO, Integer.class);
        List<String> ids = JSON.readValue(in.getBody(String.class), new TypeReference<List<String>>() { });
        ClusterRepository.Claim claim = cluster.claimBatch(jobId, batchNo, node.nodeId());
        node.batchTaken(jobId + "#" + batchNo);
        if (claim.done()) {
            LOG.info("job {} batch {}: already done, acknowledged again", jobId, batchNo);
            in.setHeader(RUN, false);
            in.setHeader("batchAlreadyDone", true);
            return;
        }
        workflowJobs.joinRunning(exchange);
        if (!Boolean.TRUE.equals(in.getHeader(WorkflowJobs.RUN))) {
            LOG.info("job {} batch {}: not run (the job was cancelled or has ended)", jobId, batchNo);
            in.setHeader(RUN, false);
            return;
        }
        List<String> toRun = claim.redelivered() ? afterRedelivery(jobId, batchNo, ids, claim, in) : ids;
        in.setHeader(RUN, !toRun.isEmpty());
        in.setBody(toRun);
    }

    private List<String> afterRedelivery(String jobId, int batchNo, List<String> ids, ClusterRepository.Claim claim,
                                         Message in) throws InterruptedException {
        LOG.warn("job {} batch {}: delivery {} (taken before by {}); waiting for their leases", jobId, batchNo,
                claim.deliveries(), claim.takenBefore());
        Instant deadline = Instant.now().plus(leaseWait);
        Set<String> leased = cluster.leased(ids);
        while (!leased.isEmpty() && Instant.now().isBefore(deadline)) {
            Thread.sleep(500); // a dead node's lease expires by the vault's clock; nothing to be told
            leased = cluster.leased(ids);
        }
        String actor = in.getHeader("actor", String.class);
        Set<String> updated = cluster.withResult(jobId, MassPasswordReset.STEP_UPDATE, ids);
        Set<String> synced = cluster.withResult(jobId, MassPasswordReset.STEP_SYNC, ids);
        Set<String> committed = cluster.committedBy(actor, "ROTATE", ids);
        List<String> toRun = new ArrayList<>();
        List<JobResult> settled = new ArrayList<>();
        Instant now = Instant.now();
        String vaultTarget = in.getHeader("vaultTarget", String.class);
        String link = in.getHeader("vaultLinkAttribute", String.class);
        for (String id : ids) {
            boolean done = updated.contains(id) || committed.contains(id);
            if (!done) {
                toRun.add(id);
                continue;
            }
            if (!updated.contains(id)) {
                settled.add(new JobResult(id, null, MassPasswordReset.STEP_UPDATE, OperationResult.Outcome.SUCCEEDED.name(),
                        true, "committed by an earlier delivery of this batch (node " + claim.takenBefore() + " stopped)",
                        now, now, 0L));
            }
            if (!synced.contains(id)) {
                OperationResult sync = vaultSync.syncLinked(id, vaultTarget, link, actor);
                settled.add(new JobResult(id, null, MassPasswordReset.STEP_SYNC, sync.outcome().name(), sync.success(),
                        sync.detail(), now, Instant.now(), 0L));
            }
        }
        workflowJobs.jobs().recordResults(jobId, settled);
        LOG.warn("job {} batch {}: {} account(s) already committed by this job are left out, {} run again", jobId,
                batchNo, ids.size() - toRun.size(), toRun.size());
        return toRun;
    }

    /** The batch is done on this node: DONE in the vault, and the job ends when it was the last one. */
    public void done(Exchange exchange) {
        Message in = exchange.getIn();
        String jobId = in.getHeader("jobId", String.class);
        int batchNo = in.getHeader(BATCH_NO, Integer.class);
        try {
            if (!Boolean.TRUE.equals(in.getHeader("batchAlreadyDone")) && cluster.batchDone(jobId, batchNo)) {
                workflowJobs.end(jobId);
            }
        } finally {
            node.batchReleased(jobId + "#" + batchNo);
        }
    }

    /** A batch whose route failed: its accounts without a result are recorded FAILED, then it counts as done. */
    public void failed(Exchange exchange) {
        Message in = exchange.getIn();
        String jobId = in.getHeader("jobId", String.class);
        Exception cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        Object body = in.getBody();
        if (body instanceof List<?> list) {
            List<String> ids = list.stream().map(String::valueOf).toList();
            Set<String> recorded = new LinkedHashSet<>(cluster.withResult(jobId, MassPasswordReset.STEP_UPDATE, ids));
            Instant now = Instant.now();
            List<JobResult> failures = new ArrayList<>();
            for (String id : ids) {
                if (!recorded.contains(id)) {
                    failures.add(new JobResult(id, null, MassPasswordReset.STEP_UPDATE, "FAILED", false,
                            "the batch failed on node " + node.nodeId() + ": " + (cause == null ? "unknown error"
                                    : cause.getClass().getSimpleName()), now, now, 0L));
                }
            }
            try {
                workflowJobs.jobs().recordResults(jobId, failures);
            } catch (RuntimeException e) {
                LOG.warn("job {}: could not record the failed batch: {}", jobId, e.getMessage());
            }
        }
        done(exchange);
    }

    /**
     * Job resumption (a clustered singleton): the distributed jobs whose driver node is gone before it handed out
     * every batch; the caller drives them again from here (batch numbers already handed out are skipped).
     */
    public List<String> orphanedDrivers() {
        Set<String> live = cluster.liveNodes(node.settings().nodeTimeoutSeconds());
        live.add(node.nodeId());
        node.ranSingleton("job-resumption");
        return cluster.jobsBeingHandedOut().stream().filter(j -> !live.contains(j.nodeId()))
                .map(ClusterRepository.ClusterJob::jobId).toList();
    }
}
