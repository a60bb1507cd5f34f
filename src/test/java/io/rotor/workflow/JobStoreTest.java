package io.rotor.workflow;

import io.rotor.domain.Job;
import io.rotor.domain.JobProgress;
import io.rotor.domain.JobResult;
import io.rotor.domain.JobStatus;
import io.rotor.domain.JobStep;
import io.rotor.domain.NewJob;
import io.rotor.domain.UnknownJobException;
import io.rotor.vault.MasterKey;
import io.rotor.vault.ProcessIdentity;
import io.rotor.vault.Vault;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JobStoreTest {
    @TempDir
    Path dataDir;

    private Vault vault;
    private JobStore jobs;

    @BeforeEach
    void open() {
        vault = Vault.open(null, null, null, dataDir, MasterKey.load(null, dataDir.resolve("master.key")), 4);
        jobs = new JobStore(vault.jobs(), vault.jobResults());
    }

    @AfterEach
    void close() {
        vault.close();
    }

    private Job newJob() {
        return jobs.create(new NewJob("mass-password-reset", Map.of("target", List.of("pg1", "pg2"), "batch-size", 256),
                false, true, "alice"));
    }

    private Job running() {
        Job job = newJob();
        assertThat(jobs.markRunning(job.id())).isTrue();
        return job;
    }

    static JobResult ok(String account) {
        return new JobResult(account, "pg1", "update-backing-accounts", "SUCCEEDED", true, "rotated",
                Instant.parse("2025-01-01T10:00:00Z"), Instant.parse("2025-01-01T10:00:00.250Z"), null);
    }

    static JobResult bad(String account) {
        return new JobResult(account, "pg1", "update-backing-accounts", "REJECTED", false, "password too short",
                Instant.parse("2025-01-01T10:00:00Z"), Instant.parse("2025-01-01T10:00:01Z"), null);
    }

    // ---------------------------------------------------------------- creation and reading

    @Test
    void createsAQueuedJobWithItsParametersAndNoCounters() {
        Job job = newJob();

        assertThat(job.id()).matches("[0-9a-f-]{36}");
        assertThat(job.status()).isEqualTo(JobStatus.QUEUED);
        assertThat(job.workflow()).isEqualTo("mass-password-reset");
        assertThat(job.parametersJson()).contains("\"batch-size\":256").contains("[\"pg1\",\"pg2\"]");
        assertThat(job.reportRequested()).isTrue();
        assertThat(job.dryRun()).isFalse();
        assertThat(job.createdBy()).isEqualTo("alice");
        assertThat(job.createdAt()).isNotNull();
        assertThat(job.startedAt()).isNull();
        assertThat(job.progress()).isEqualTo(new JobProgress(job.id(), 0, 0, 0, 0, false));
        assertThat(jobs.find(job.id())).contains(job);
        assertThat(jobs.find("no-such-job")).isEmpty();
    }

    @Test
    void refusesParametersThatNameACredentialAndStoresNothing() {
        for (String key : List.of("password", "vault-password", "apiToken", "client_secret", "private-key", "API_KEY")) {
            assertThatThrownBy(() -> jobs.create(new NewJob("mass-onboard", Map.of(key, "x"), false, false, "alice")))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("'" + key + "' looks like a credential");
        }
        assertThatThrownBy(() -> jobs.create(new NewJob("mass-onboard", Map.of("auth", Map.of("password", "x")), false, false, "a")))
                .hasMessageContaining("'auth.password'");
        assertThat(jobs.count()).isZero();
    }

    @Test
    void listsNewestFirstInPages() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            ids.add(newJob().id());
        }
        List<String> newestFirst = new ArrayList<>(ids);
        java.util.Collections.reverse(newestFirst);

        assertThat(jobs.list(0, 3)).extracting(Job::id).containsExactlyElementsOf(newestFirst.subList(0, 3));
        assertThat(jobs.list(3, 3)).extracting(Job::id).containsExactlyElementsOf(newestFirst.subList(3, 6));
        assertThat(jobs.list(6, 3)).extracting(Job::id).containsExactly(newestFirst.get(6));
        assertThat(jobs.list(7, 3)).isEmpty();
        assertThat(jobs.count()).isEqualTo(7);
        assertThatThrownBy(() -> jobs.list(-1, 3)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> jobs.list(0, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    // ---------------------------------------------------------------- running and finishing

    @Test
    void markRunningOnlyOnceAndOnlyFromQueued() {
        Job job = newJob();
        assertThat(jobs.markRunning(job.id())).isTrue();
        assertThat(jobs.markRunning(job.id())).isFalse();
        Job started = jobs.find(job.id()).orElseThrow();
        assertThat(started.status()).isEqualTo(JobStatus.RUNNING);
        assertThat(started.startedAt()).isNotNull();
        assertThatThrownBy(() -> jobs.markRunning("nope")).isInstanceOf(UnknownJobException.class).hasMessage("unknown job id 'nope'");
    }

    @Test
    void allSucceededFinishesSucceeded() {
        Job job = running();
        jobs.setTotal(job.id(), 2);
        jobs.recordResults(job.id(), List.of(ok("a"), ok("b")));

        Job done = jobs.finish(job.id(), null);

        assertThat(done.status()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(done.reason()).isNull();
        assertThat(done.finishedAt()).isNotNull();
        assertThat(done.progress()).isEqualTo(new JobProgress(job.id(), 2, 2, 2, 0, false));
    }

    @Test
    void someFailedFinishesPartial() {
        Job job = running();
        jobs.recordResults(job.id(), List.of(ok("a"), bad("b"), ok("c")));

        Job done = jobs.finish(job.id(), null);

        assertThat(done.status()).isEqualTo(JobStatus.PARTIAL);
        assertThat(done.reason()).isEqualTo("1 of 3 failed");
    }

    @Test
    void noneSucceededFinishesFailed() {
        Job job = running();
        jobs.recordResults(job.id(), List.of(bad("a"), bad("b")));

        assertThat(jobs.finish(job.id(), null)).satisfies(j -> {
            assertThat(j.status()).isEqualTo(JobStatus.FAILED);
            assertThat(j.reason()).isEqualTo("all 2 failed");
        });
    }

    @Test
    void aFatalReasonFinishesFailedWithThatReason() {
        Job job = running();
        jobs.recordResult(job.id(), ok("a"));

        assertThat(jobs.finish(job.id(), "the vault database went away")).satisfies(j -> {
            assertThat(j.status()).isEqualTo(JobStatus.FAILED);
            assertThat(j.reason()).isEqualTo("the vault database went away");
            assertThat(j.succeeded()).isEqualTo(1);
        });
    }

    @Test
    void aQueuedJobThatCannotStartCanBeFailed() {
        Job job = newJob();
        assertThat(jobs.finish(job.id(), "unknown target id 'x'").status()).isEqualTo(JobStatus.FAILED);
    }

    @Test
    void aFinishedJobCannotFinishAgainNorTakeResults() {
        Job job = running();
        jobs.finish(job.id(), null);

        assertThatThrownBy(() -> jobs.finish(job.id(), null)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("already ended: SUCCEEDED");
        assertThatThrownBy(() -> jobs.recordResult(job.id(), ok("late"))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("is SUCCEEDED, not RUNNING");
        assertThat(jobs.resultCount(job.id())).isZero();
        assertThat(jobs.find(job.id()).orElseThrow().done()).isZero();
    }

    @Test
    void resultsOfAQueuedOrUnknownJobAreRefused() {
        Job job = newJob();
        assertThatThrownBy(() -> jobs.recordResult(job.id(), ok("a"))).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> jobs.recordResult("missing", ok("a"))).isInstanceOf(UnknownJobException.class);
        assertThatThrownBy(() -> jobs.finish("missing", null)).isInstanceOf(UnknownJobException.class);
    }

    // ---------------------------------------------------------------- cancel

    @Test
    void cancellingAQueuedJobEndsItAtOnceAndItNeverRuns() {
        Job job = newJob();

        assertThat(jobs.requestCancel(job.id(), "bob")).isTrue();

        Job cancelled = jobs.find(job.id()).orElseThrow();
        assertThat(cancelled.status()).isEqualTo(JobStatus.CANCELLED);
        assertThat(cancelled.reason()).isEqualTo("cancelled by bob before it started");
        assertThat(cancelled.finishedAt()).isNotNull();
        assertThat(jobs.markRunning(job.id())).isFalse();
        assertThat(jobs.requestCancel(job.id(), "bob")).isFalse();
    }

    @Test
    void cancellingARunningJobFlagsItAndFinishMakesItCancelled() {
        Job job = running();
        jobs.recordResults(job.id(), List.of(ok("a"), bad("b")));

        assertThat(jobs.isCancelRequested(job.id())).isFalse();
        assertThat(jobs.requestCancel(job.id(), "bob")).isTrue();
        assertThat(jobs.requestCancel(job.id(), "carol")).as("asking again still holds").isTrue();
        assertThat(jobs.isCancelRequested(job.id())).isTrue();
        assertThat(jobs.find(job.id()).orElseThrow().status()).as("batches in flight still finish").isEqualTo(JobStatus.RUNNING);

        JobProgress progress = jobs.recordResult(job.id(), ok("c"));
        assertThat(progress.cancelRequested()).isTrue();
        assertThat(progress.done()).isEqualTo(3);

        Job done = jobs.finish(job.id(), null);
        assertThat(done.status()).isEqualTo(JobStatus.CANCELLED);
        assertThat(done.reason()).isEqualTo("cancelled by bob after 3 result(s): 2 succeeded, 1 failed");
    }

    @Test
    void cancellingAnEndedJobDoesNotTake() {
        for (String fatal : new String[]{null, "broken"}) {
            Job job = running();
            JobStatus before = jobs.finish(job.id(), fatal).status();

            assertThat(jobs.requestCancel(job.id(), "bob")).isFalse();

            Job after = jobs.find(job.id()).orElseThrow();
            assertThat(after.status()).isEqualTo(before);
            assertThat(after.cancelRequested()).isFalse();
        }
        assertThatThrownBy(() -> jobs.requestCancel("missing", "bob")).isInstanceOf(UnknownJobException.class);
        assertThatThrownBy(() -> jobs.isCancelRequested("missing")).isInstanceOf(UnknownJobException.class);
    }

    // ---------------------------------------------------------------- results and counters

    @Test
    void countersStayExactWithEightThreadsRecordingAtOnce() throws Exception {
        Job job = running();
        jobs.startStep(job.id(), 1, "update-backing-accounts");
        int threads = 8;
        int batchesPerThread = 25;
        int batchSize = 40;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            futures.add(pool.submit(() -> {
                start.await();
                for (int b = 0; b < batchesPerThread; b++) {
                    List<JobResult> batch = new ArrayList<>();
                    for (int i = 0; i < batchSize; i++) {
                        String account = "t" + thread + "-b" + b + "-" + i;
                        // every 4th result fails
                        batch.add(i % 4 == 0 ? bad(account) : ok(account));
                    }
                    if (b % 5 == 0) {
                        for (JobResult single : batch) {
                            jobs.recordResult(job.id(), single);
                        }
                    } else {
                        jobs.recordResults(job.id(), batch);
                    }
                }
                return null;
            }));
        }
        start.countDown();
        for (Future<?> f : futures) {
            f.get(120, TimeUnit.SECONDS);
        }
        pool.shutdown();

        long expected = (long) threads * batchesPerThread * batchSize;
        Job after = jobs.find(job.id()).orElseThrow();
        assertThat(after.done()).isEqualTo(expected);
        assertThat(after.failed()).isEqualTo(expected / 4);
        assertThat(after.succeeded()).isEqualTo(expected - expected / 4);
        assertThat(jobs.resultCount(job.id())).isEqualTo(expected);
        JobStep step = jobs.steps(job.id()).get(0);
        assertThat(step.done()).isEqualTo(expected);
        assertThat(step.failed()).isEqualTo(expected / 4);
        List<String> accounts = new ArrayList<>();
        jobs.forEachResult(job.id(), 500, r -> accounts.add(r.accountId()));
        assertThat(accounts).hasSize((int) expected).doesNotHaveDuplicates();
    }

    @Test
    void resultsComeBackInRecordingOrderPagedAndStreamed() {
        Job job = running();
        List<JobResult> all = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            all.add(i % 3 == 0 ? bad(String.format("acct-%02d", i)) : ok(String.format("acct-%02d", i)));
        }
        jobs.recordResults(job.id(), all.subList(0, 10));
        jobs.recordResults(job.id(), all.subList(10, 25));

        assertThat(jobs.results(job.id(), 0, 10)).containsExactlyElementsOf(all.subList(0, 10));
        assertThat(jobs.results(job.id(), 20, 10)).containsExactlyElementsOf(all.subList(20, 25));
        JobResult first = jobs.results(job.id(), 0, 1).get(0);
        assertThat(first.durationMs()).isEqualTo(1000L);
        assertThat(first.reason()).isEqualTo("password too short");

        List<JobResult> streamed = new ArrayList<>();
        assertThat(jobs.forEachResult(job.id(), 4, streamed::add)).isEqualTo(25);
        assertThat(streamed).containsExactlyElementsOf(all);
        assertThat(jobs.forEachResult(job.id(), 25, r -> { })).isEqualTo(25);
        assertThat(jobs.results(newJob().id(), 0, 10)).isEmpty();
    }

    @Test
    void aLongReasonIsCutToTheColumn() {
        Job job = running();
        JobResult r = new JobResult("a", "t", "s", "FAILED", false, "x".repeat(5000), null, null, null);
        jobs.recordResult(job.id(), r);
        assertThat(jobs.results(job.id(), 0, 1).get(0).reason()).hasSize(2000).endsWith("...");
    }

    // ---------------------------------------------------------------- steps

    @Test
    void plannedStepsStartFinishAndCountTheirOwnResults() {
        Job job = running();
        jobs.planSteps(job.id(), List.of("generate-passwords", "update-backing-accounts", "sync-vault-accounts"));
        assertThat(jobs.steps(job.id())).extracting(JobStep::name, JobStep::status).containsExactly(
                org.assertj.core.groups.Tuple.tuple("generate-passwords", JobStatus.QUEUED),
                org.assertj.core.groups.Tuple.tuple("update-backing-accounts", JobStatus.QUEUED),
                org.assertj.core.groups.Tuple.tuple("sync-vault-accounts", JobStatus.QUEUED));

        jobs.startStep(job.id(), 1, "generate-passwords");
        jobs.recordResults(job.id(), List.of(
                new JobResult("a", "pg1", "generate-passwords", "SUCCEEDED", true, null, null, null, null),
                new JobResult("b", "pg1", "generate-passwords", "SUCCEEDED", true, null, null, null, null)));
        JobStep first = jobs.finishStep(job.id(), 1);
        jobs.startStep(job.id(), 2, "update-backing-accounts");
        jobs.recordResults(job.id(), List.of(ok("a"), bad("b")));
        JobStep second = jobs.finishStep(job.id(), 2);
        jobs.startStep(job.id(), 3, "sync-vault-accounts");
        JobStep third = jobs.finishStep(job.id(), 3, "vault target unreachable");

        assertThat(first.status()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(first.done()).isEqualTo(2);
        assertThat(first.startedAt()).isNotNull();
        assertThat(first.finishedAt()).isNotNull();
        assertThat(second.status()).isEqualTo(JobStatus.PARTIAL);
        assertThat(second.succeeded()).isEqualTo(1);
        assertThat(second.failed()).isEqualTo(1);
        assertThat(second.reason()).isEqualTo("1 of 2 failed");
        assertThat(third.status()).isEqualTo(JobStatus.FAILED);
        assertThat(third.reason()).isEqualTo("vault target unreachable");
        assertThat(jobs.find(job.id()).orElseThrow().done()).isEqualTo(4);
        assertThatThrownBy(() -> jobs.finishStep(job.id(), 3)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> jobs.finishStep(job.id(), 9)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void startingAStepTwiceIsRefused() {
        Job job = running();
        jobs.startStep(job.id(), 1, "discover");
        assertThatThrownBy(() -> jobs.startStep(job.id(), 1, "discover")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("already started");
        assertThat(jobs.steps(job.id())).hasSize(1);
    }

    // ---------------------------------------------------------------- start-up recovery

    @Test
    void recoveryFailsJobsOfADeadProcessAndLeavesLiveOnesAlone() throws Exception {
        Job ours = running();
        Job orphan = running();
        jobs.startStep(orphan.id(), 1, "update-backing-accounts");
        jobs.recordResult(orphan.id(), ok("a"));
        Job orphanQueued = newJob();
        Job otherHost = running();
        Job finished = running();
        jobs.finish(finished.id(), null);
        // the same pid with another start time: the process that owned these jobs is gone (ProcessIdentity)
        String self = ProcessIdentity.self();
        String[] parts = self.split(":");
        String dead = parts[0] + ":" + parts[1] + ":1:" + parts[3];
        setOwner(orphan.id(), dead);
        setOwner(orphanQueued.id(), dead);
        setOwner(otherHost.id(), "some-other-host:4242:1700000000000");

        List<String> failed = jobs.recoverInterrupted();

        assertThat(failed).containsExactlyInAnyOrder(orphan.id(), orphanQueued.id());
        Job recovered = jobs.find(orphan.id()).orElseThrow();
        assertThat(recovered.status()).isEqualTo(JobStatus.FAILED);
        assertThat(recovered.reason()).isEqualTo("interrupted by a restart");
        assertThat(recovered.finishedAt()).isNotNull();
        assertThat(recovered.done()).as("what was recorded stays").isEqualTo(1);
        assertThat(jobs.steps(orphan.id()).get(0).status()).isEqualTo(JobStatus.FAILED);
        assertThat(jobs.find(orphanQueued.id()).orElseThrow().status()).isEqualTo(JobStatus.FAILED);
        assertThat(jobs.find(ours.id()).orElseThrow().status()).isEqualTo(JobStatus.RUNNING);
        assertThat(jobs.find(otherHost.id()).orElseThrow().status()).isEqualTo(JobStatus.RUNNING);
        assertThat(jobs.find(finished.id()).orElseThrow().status()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(jobs.recoverInterrupted()).as("a second run finds nothing").isEmpty();

        // a single-node deployment may declare every other owner dead; this process's jobs are never touched
        assertThat(jobs.recoverInterrupted(owner -> true)).containsExactly(otherHost.id());
        assertThat(jobs.find(ours.id()).orElseThrow().status()).isEqualTo(JobStatus.RUNNING);
    }

    @Test
    void anInterruptedJobsRecordNamesTheAccountsItFinishedInItsUnrecordedBatch() {
        Job orphan = running();
        jobs.startStep(orphan.id(), 1, "update-backing-accounts");
        jobs.recordResult(orphan.id(), ok("a"));
        String actor = "job:" + orphan.id() + ":alice";
        // account a: recorded with its batch; b: committed, its batch never recorded; c: only PENDING written
        audit(actor, "PENDING_WRITTEN", "a", "PENDING");
        audit(actor, "ROTATE", "a", "SUCCEEDED");
        audit(actor, "PENDING_WRITTEN", "b", "PENDING");
        audit(actor, "ROTATE", "b", "SUCCEEDED");
        audit(actor, "PENDING_WRITTEN", "c", "PENDING");
        // another job's and another user's work is not this job's
        audit("job:11111111-2222-3333-4444-555555555555:alice", "ROTATE", "d", "SUCCEEDED");
        audit("alice", "ROTATE", "e", "SUCCEEDED");
        setOwner(orphan.id(), "gone-host:1:1");

        assertThat(jobs.recoverInterrupted(owner -> owner.startsWith("gone-host:"))).containsExactly(orphan.id());

        List<JobResult> results = jobs.results(orphan.id(), 0, 100);
        assertThat(results).extracting(JobResult::accountId).containsExactly("a", "b", "c");
        assertThat(results.get(1).outcome()).isEqualTo("SUCCEEDED");
        assertThat(results.get(1).success()).isTrue();
        assertThat(results.get(1).step()).isEqualTo("update-backing-accounts");
        assertThat(results.get(2).outcome()).isEqualTo("INTERRUPTED");
        assertThat(results.get(2).success()).isFalse();
        Job failed = jobs.find(orphan.id()).orElseThrow();
        assertThat(failed.status()).isEqualTo(JobStatus.FAILED);
        assertThat(failed.done()).isEqualTo(3);
        assertThat(failed.succeeded()).isEqualTo(2);
        assertThat(failed.failed()).isEqualTo(1);
        assertThat(jobs.steps(orphan.id()).get(0).done()).isEqualTo(3);
    }

    private void audit(String actor, String operation, String account, String outcome) {
        try (Connection c = vault.dataSource().getConnection();
             PreparedStatement s = c.prepareStatement("INSERT INTO audit_log (at, actor, operation, account_id,"
                     + " target_id, outcome) VALUES (CURRENT_TIMESTAMP, ?, ?, ?, 'pg1', ?)")) {
            s.setString(1, actor);
            s.setString(2, operation);
            s.setString(3, account);
            s.setString(4, outcome);
            s.executeUpdate();
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void recoverySurvivesAReopenedVault() {
        Job orphan = running();
        setOwner(orphan.id(), "gone-host:1:1");
        vault.close();
        vault = Vault.open(null, null, null, dataDir, MasterKey.load(null, dataDir.resolve("master.key")), 4);
        jobs = new JobStore(vault.jobs(), vault.jobResults());

        assertThat(jobs.recoverInterrupted(owner -> owner.startsWith("gone-host:"))).containsExactly(orphan.id());
        assertThat(jobs.find(orphan.id()).orElseThrow().reason()).isEqualTo(JobStore.INTERRUPTED);
    }

    private void setOwner(String jobId, String owner) {
        try (Connection c = vault.dataSource().getConnection();
             PreparedStatement s = c.prepareStatement("UPDATE jobs SET owner = ? WHERE id = ?")) {
            s.setString(1, owner);
            s.setString(2, jobId);
            assertThat(s.executeUpdate()).isEqualTo(1);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void parametersKeepTheirOrder() {
        Map<String, Object> parameters = new LinkedHashMap<>();
        parameters.put("target", List.of("b", "a"));
        parameters.put("vault-target", "vault");
        parameters.put("batch-size", 64);
        Job job = jobs.create(new NewJob("mass-password-reset", parameters, true, false, "ops"));
        assertThat(job.parametersJson()).isEqualTo("{\"target\":[\"b\",\"a\"],\"vault-target\":\"vault\",\"batch-size\":64}");
        assertThat(job.dryRun()).isTrue();
    }
}
