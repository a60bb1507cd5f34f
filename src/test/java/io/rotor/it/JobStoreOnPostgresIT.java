package io.rotor.it;

import io.rotor.domain.Job;
import io.rotor.domain.JobResult;
import io.rotor.domain.JobStatus;
import io.rotor.domain.JobStep;
import io.rotor.domain.NewJob;
import io.rotor.domain.Target;
import io.rotor.domain.TlsMode;
import io.rotor.vault.MasterKey;
import io.rotor.vault.ProcessIdentity;
import io.rotor.vault.Vault;
import io.rotor.workflow.AccountIdCursor;
import io.rotor.workflow.BatchPlanner;
import io.rotor.workflow.JobStore;
import io.rotor.workflow.report.JobReportWriter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** JobStore, the keyset account cursor and the report writer on a PostgreSQL vault (the same V4 migration as on H2). */
class JobStoreOnPostgresIT {
    private static final String DATABASE = "rotor_jobs_it";
    private static RealTargets targets;

    @TempDir
    Path dataDir;

    private Vault vault;
    private JobStore jobs;

    @BeforeAll
    static void loadTargets() {
        targets = RealTargets.load();
    }

    @AfterAll
    static void dropDatabase() throws Exception {
        try (Connection c = targets.pgAdminConnection(); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + DATABASE + " WITH (FORCE)");
        }
    }

    /** A fresh scratch database per test: each test has its own master key (in its own data directory). */
    @BeforeEach
    void open() throws Exception {
        try (Connection c = targets.pgAdminConnection(); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + DATABASE + " WITH (FORCE)");
            s.execute("CREATE DATABASE " + DATABASE);
        }
        String url = "jdbc:postgresql://" + targets.pgHost() + ":" + targets.pgPort() + "/" + DATABASE + "?sslmode=disable";
        vault = Vault.open(url, targets.pgAdminUser(), new String(targets.pgAdminPassword()), dataDir,
                MasterKey.load(null, dataDir.resolve("master.key")), 4);
        jobs = new JobStore(vault.jobs(), vault.jobResults());
    }

    @AfterEach
    void close() {
        vault.close();
    }

    private Job running(String workflow) {
        Job job = jobs.create(new NewJob(workflow, Map.of("target", List.of("pg1", "pg2"), "batch-size", 64), false, true, "alice"));
        assertThat(jobs.markRunning(job.id())).isTrue();
        return job;
    }

    private static JobResult result(String account, boolean ok) {
        Instant start = Instant.parse("2025-05-05T12:00:00.5Z");
        return new JobResult(account, "pg1", "update-backing-accounts", ok ? "SUCCEEDED" : "UNREACHABLE", ok,
                ok ? "rotated" : "connection refused", start, start.plusMillis(12), null);
    }

    @Test
    void countsStayExactUnderEightThreadsAndTheJobEndsPartialThenReportsOnPostgresql() throws Exception {
        Job job = running("mass-password-reset");
        jobs.planSteps(job.id(), List.of("generate-passwords", "update-backing-accounts"));
        jobs.startStep(job.id(), 2, "update-backing-accounts");
        int threads = 8;
        int batches = 10;
        int perBatch = 50;
        jobs.setTotal(job.id(), (long) threads * batches * perBatch);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            futures.add(pool.submit(() -> {
                start.await();
                for (int b = 0; b < batches; b++) {
                    List<JobResult> batch = new ArrayList<>();
                    for (int i = 0; i < perBatch; i++) {
                        batch.add(result("t" + thread + "-" + b + "-" + i, i % 10 != 0));
                    }
                    jobs.recordResults(job.id(), batch);
                }
                return null;
            }));
        }
        start.countDown();
        for (Future<?> f : futures) {
            f.get(120, TimeUnit.SECONDS);
        }
        pool.shutdown();

        JobStep step = jobs.finishStep(job.id(), 2);
        Job done = jobs.finish(job.id(), null);

        assertThat(done.done()).isEqualTo(4000);
        assertThat(done.failed()).isEqualTo(400);
        assertThat(done.succeeded()).isEqualTo(3600);
        assertThat(done.status()).isEqualTo(JobStatus.PARTIAL);
        assertThat(done.reason()).isEqualTo("400 of 4000 failed");
        assertThat(step.status()).isEqualTo(JobStatus.PARTIAL);
        assertThat(step.done()).isEqualTo(4000);
        assertThat(jobs.resultCount(job.id())).isEqualTo(4000);
        assertThat(jobs.results(job.id(), 3990, 100)).hasSize(10);
        JobResult first = jobs.results(job.id(), 0, 1).get(0);
        assertThat(first.startedAt()).isEqualTo(Instant.parse("2025-05-05T12:00:00.5Z"));
        assertThat(first.durationMs()).isEqualTo(12);

        JobReportWriter.JobReport report = new JobReportWriter(jobs, dataDir).write(job.id());
        assertThat(report.results()).isEqualTo(4000);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + report.path()); Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT (SELECT status FROM job), (SELECT COUNT(*) FROM results WHERE outcome = 'UNREACHABLE')")) {
            r.next();
            assertThat(r.getString(1)).isEqualTo("PARTIAL");
            assertThat(r.getInt(2)).isEqualTo(400);
        }
    }

    @Test
    void cancelListAndStartUpRecoveryOnPostgresql() throws Exception {
        Job queued = jobs.create(new NewJob("mass-onboard", Map.of(), false, false, "bob"));
        Job cancelled = running("mass-password-reset");
        Job orphan = running("single-user-offboard");
        jobs.startStep(orphan.id(), 1, "move-associations");

        assertThat(jobs.requestCancel(queued.id(), "bob")).isTrue();
        assertThat(jobs.markRunning(queued.id())).isFalse();
        assertThat(jobs.requestCancel(cancelled.id(), "carol")).isTrue();
        assertThat(jobs.recordResult(cancelled.id(), result("a", true)).cancelRequested()).isTrue();
        Job ended = jobs.finish(cancelled.id(), null);
        assertThat(ended.status()).isEqualTo(JobStatus.CANCELLED);
        assertThat(ended.reason()).startsWith("cancelled by carol after 1 result(s)");
        assertThat(jobs.requestCancel(cancelled.id(), "carol")).isFalse();

        String self = ProcessIdentity.self();
        try (Connection c = vault.dataSource().getConnection();
             PreparedStatement s = c.prepareStatement("UPDATE jobs SET owner = ? WHERE id = ?")) {
            String[] parts = self.split(":"); // host:pid:start:bootId; another start time: the owner is gone
            s.setString(1, parts[0] + ":" + parts[1] + ":1:" + parts[3]);
            s.setString(2, orphan.id());
            assertThat(s.executeUpdate()).isEqualTo(1);
        }
        assertThat(jobs.recoverInterrupted()).containsExactly(orphan.id());
        assertThat(jobs.find(orphan.id()).orElseThrow().reason()).isEqualTo("interrupted by a restart");
        assertThat(jobs.steps(orphan.id()).get(0).status()).isEqualTo(JobStatus.FAILED);

        List<Job> page = jobs.list(0, 2);
        assertThat(page).extracting(Job::id).containsExactly(orphan.id(), cancelled.id());
        assertThat(jobs.list(2, 2)).extracting(Job::id).contains(queued.id());
        assertThatThrownBy(() -> jobs.finish(orphan.id(), null)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void keysetCursorPagesThroughTheAccountsOfTwoTargetsOnPostgresql() throws Exception {
        for (String t : List.of("pg1", "pg2", "pg3")) {
            vault.targets().upsertTarget(new Target(t, "postgresql", "127.0.0.1", 5432, "postgres", TlsMode.DISABLE, null, null, Map.of()));
        }
        try (Connection c = vault.dataSource().getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement s = c.prepareStatement("INSERT INTO accounts (id, target_id, username, credential_type,"
                    + " status, version, updated_at) VALUES (?,?,?,'PASSWORD','UNVERIFIED',0,?)")) {
                for (int i = 0; i < 3000; i++) {
                    s.setString(1, String.format("acct-%05d", i));
                    s.setString(2, "pg" + (i % 3 + 1));
                    s.setString(3, "user" + i);
                    s.setTimestamp(4, Timestamp.from(Instant.now()));
                    s.addBatch();
                }
                s.executeBatch();
            }
            c.commit();
        }

        AccountIdCursor cursor = new AccountIdCursor(vault.jobs(), List.of("pg1", "pg3"), 128);
        assertThat(cursor.count()).isEqualTo(2000);
        List<String> ids = new ArrayList<>();
        cursor.forEachRemaining(ids::add);
        assertThat(ids).hasSize(2000).isSorted().doesNotHaveDuplicates();
        assertThat(cursor.pagesRead()).isEqualTo(16);

        Iterator<List<String>> batches = new BatchPlanner(vault.jobs()).accountBatches(List.of("pg2"), 256);
        int total = 0;
        while (batches.hasNext()) {
            total += batches.next().size();
        }
        assertThat(total).isEqualTo(1000);
    }
}
