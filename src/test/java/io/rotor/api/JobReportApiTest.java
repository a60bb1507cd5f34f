package io.rotor.api;

import io.rotor.domain.Job;
import io.rotor.domain.NewJob;
import io.rotor.vault.MasterKey;
import io.rotor.vault.Vault;
import io.rotor.workflow.JobStore;
import io.rotor.workflow.WorkflowJobs;
import io.rotor.workflow.report.JobReportWriter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * GET /api/v1/jobs/{id}/report between a job's end and its report being in place answers "being written" (503 with
 * Retry-After), never 404; a finished job whose report was not written says so.
 */
class JobReportApiTest {
    @TempDir
    Path dataDir;

    private Vault vault;
    private JobStore jobs;
    private JobReportWriter reports;
    private JobApi api;

    @BeforeEach
    void open() {
        vault = Vault.open(null, null, null, dataDir, MasterKey.load(null, dataDir.resolve("master.key")), 4);
        jobs = new JobStore(vault.jobs(), vault.jobResults());
        reports = new JobReportWriter(jobs, dataDir);
        api = new JobApi(vault.targets(), vault.users(), vault.templates(), jobs, reports);
    }

    @AfterEach
    void close() {
        vault.close();
    }

    private Job runningJobWithReport() {
        Job job = jobs.create(new NewJob("mass-password-reset", Map.of("target", java.util.List.of("pg")), false, true, "tester"));
        jobs.markRunning(job.id());
        return job;
    }

    @Test
    void aReportBeingWrittenIsAnsweredWithRetryAfterNotNotFound() {
        Job job = runningJobWithReport();
        reports.announce(job.id()); // as WorkflowJobs.end does just before it records the end
        jobs.finish(job.id(), null);

        assertThatThrownBy(() -> api.report(job.id())).isInstanceOfSatisfying(ApiException.class, e -> {
            assertThat(e.status()).isEqualTo(503);
            assertThat(e.code()).isEqualTo("REPORT_BEING_WRITTEN");
            assertThat(e.retryAfterSeconds()).isEqualTo(5);
            assertThat(e.getMessage()).contains("is being written");
        });

        reports.write(job.id());
        assertThat(reports.isBeingWritten(job.id())).isFalse();
        assertThat(api.report(job.id())).startsWith("SQLite format 3".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    }

    @Test
    void theWorkflowEndAnnouncesThenWritesTheReport() {
        Job job = runningJobWithReport();
        WorkflowJobs workflowJobs = new WorkflowJobs(jobs, reports);

        Job ended = workflowJobs.end(job.id());

        assertThat(ended.finishedAt()).isNotNull();
        assertThat(reports.isBeingWritten(job.id())).isFalse();
        assertThat(reports.find(job.id())).isPresent();
    }

    @Test
    void aFinishedJobWhoseReportWasNotWrittenSaysSo() {
        Job job = runningJobWithReport();
        jobs.finish(job.id(), null);

        assertThatThrownBy(() -> api.report(job.id())).isInstanceOfSatisfying(ApiException.class, e -> {
            assertThat(e.status()).isEqualTo(404);
            assertThat(e.getMessage()).contains("was not written");
        });
    }
}
