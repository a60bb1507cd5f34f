package io.rotor.vault;

import io.rotor.domain.Job;
import io.rotor.domain.NewJob;
import io.rotor.workflow.JobStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The cluster's rows: who sweeps at start, batch claims and redelivery counts, the one node that ends a job. */
class ClusterRepositoryTest {
    @TempDir
    Path dataDir;
    private Vault vault;
    private ClusterRepository cluster;
    private JobStore jobs;

    @BeforeEach
    void open() {
        vault = Vault.open(null, null, null, dataDir, MasterKey.load(null, dataDir.resolve("master.key")), 2);
        cluster = vault.cluster();
        jobs = new JobStore(vault.jobs(), vault.jobResults());
    }

    @AfterEach
    void close() {
        vault.close();
    }

    private String runningJob() {
        Job job = jobs.create(new NewJob("mass-password-reset", Map.of("target", List.of("pg")), false, false, "alice"));
        assertThat(jobs.markRunning(job.id())).isTrue();
        return job.id();
    }

    @Test
    void onlyTheFirstLiveNodeSweepsAtStartUp() {
        assertThat(cluster.joinAndClaimStartupSweep("a", "p-a", "cluster-member", 30)).isTrue();
        assertThat(cluster.joinAndClaimStartupSweep("b", "p-b", "cluster-member", 30)).isFalse();
        assertThat(cluster.liveNodes(30)).containsExactlyInAnyOrder("a", "b");
        assertThat(cluster.nodes()).extracting(ClusterRepository.Node::nodeId).containsExactly("a", "b");
    }

    @Test
    void aRedeliveredBatchIsSeenAsSuchAndADoneBatchIsNotRunAgain() {
        String job = runningJob();
        cluster.registerJob(job, "a", "mass-password-reset-batch");
        assertThat(cluster.addBatch(job, 1, 50)).isTrue();
        assertThat(cluster.addBatch(job, 1, 50)).as("a batch number is handed out once").isFalse();
        ClusterRepository.Claim first = cluster.claimBatch(job, 1, "a");
        assertThat(first.redelivered()).isFalse();
        ClusterRepository.Claim second = cluster.claimBatch(job, 1, "b");
        assertThat(second.redelivered()).isTrue();
        assertThat(second.takenBefore()).isEqualTo("a");
        assertThat(cluster.batchesPerNode(job)).isEqualTo(Map.of("a", 1, "b", 1));
        cluster.batchDone(job, 1);
        assertThat(cluster.claimBatch(job, 1, "c").done()).isTrue();
        assertThatThrownBy(() -> cluster.claimBatch(job, 2, "a")).hasMessageContaining("never handed out");
    }

    @Test
    void exactlyOneNodeEndsTheJobOnceEveryHandedOutBatchIsDone() {
        String job = runningJob();
        cluster.registerJob(job, "a", "mass-password-reset-batch");
        cluster.addBatch(job, 1, 50);
        cluster.addBatch(job, 2, 50);
        assertThat(cluster.batchDone(job, 1)).as("the driver has not handed out every batch yet").isFalse();
        cluster.allHandedOut(job, cluster.batchCount(job));
        assertThat(cluster.claimEndIfComplete(job)).isFalse();
        assertThat(cluster.batchDone(job, 2)).isTrue();
        assertThat(cluster.claimEndIfComplete(job)).as("ended once only").isFalse();
        assertThat(cluster.batchDone(job, 2)).isFalse();
    }

    @Test
    void aJobWhoseDriverHasNotHandedOutEveryBatchIsListedForResumption() {
        String job = runningJob();
        cluster.registerJob(job, "a", "mass-password-reset-batch");
        assertThat(cluster.jobsBeingHandedOut()).extracting(ClusterRepository.ClusterJob::jobId).containsExactly(job);
        cluster.allHandedOut(job, 0);
        assertThat(cluster.jobsBeingHandedOut()).isEmpty();
    }

    @Test
    void commitsAreFoundByTheJobsActorInTheAuditLog() {
        vault.audit().record(AuditRecord.of("job:j1:alice", "ROTATE", "acc1", null, null, "SUCCEEDED", "changed"));
        vault.audit().record(AuditRecord.of("job:j1:alice", "ROTATE", "acc2", null, null, "REJECTED", "no"));
        vault.audit().record(AuditRecord.of("job:j2:alice", "ROTATE", "acc3", null, null, "SUCCEEDED", "changed"));
        assertThat(cluster.committedBy("job:j1:alice", "ROTATE", List.of("acc1", "acc2", "acc3"))).containsExactly("acc1");
    }

    @Test
    void scheduleFiresAreRecordedPerNode() {
        java.time.Instant at = java.time.Instant.parse("2026-01-01T00:00:02Z");
        cluster.recordFire("rotation-check", at, "a");
        assertThat(cluster.fires("rotation-check")).singleElement()
                .satisfies(f -> assertThat(f.nodeId()).isEqualTo("a"))
                .satisfies(f -> assertThat(f.scheduledAt()).isEqualTo(at));
    }
}
