package io.rotor.workflow.report;

import io.rotor.domain.Job;
import io.rotor.domain.JobResult;
import io.rotor.domain.JobStatus;
import io.rotor.domain.NewJob;
import io.rotor.domain.UnknownJobException;
import io.rotor.vault.MasterKey;
import io.rotor.vault.Vault;
import io.rotor.workflow.JobStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JobReportWriterTest {
    private static final int RESULTS = 20_000;

    @TempDir
    Path dataDir;

    private Vault vault;
    private JobStore jobs;
    private JobReportWriter writer;

    @BeforeEach
    void open() {
        vault = Vault.open(null, null, null, dataDir, MasterKey.load(null, dataDir.resolve("master.key")), 4);
        jobs = new JobStore(vault.jobs(), vault.jobResults());
        writer = new JobReportWriter(jobs, dataDir);
    }

    @AfterEach
    void close() {
        vault.close();
    }

    /**
     * A finished mass password reset of 20,000 accounts over two targets. The secrets a real run would generate exist
     * here too, but — as in the rotation service — only outcome words and reasons reach the job store.
     */
    private Job finishedJob(List<String> secretsInPlay) {
        Map<String, Object> parameters = new LinkedHashMap<>();
        parameters.put("target", List.of("pg1", "maria1"));
        parameters.put("vault-target", "vault");
        parameters.put("vault-link-attribute", "backing");
        parameters.put("batch-size", 500);
        Job job = jobs.create(new NewJob("mass-password-reset", parameters, false, true, "svc-restapi"));
        jobs.markRunning(job.id());
        jobs.setTotal(job.id(), RESULTS);
        jobs.planSteps(job.id(), List.of("generate-passwords", "update-backing-accounts", "sync-vault-accounts"));
        jobs.startStep(job.id(), 2, "update-backing-accounts");
        SecureRandom random = new SecureRandom();
        Instant t0 = Instant.parse("2025-03-01T08:00:00.123456Z");
        List<JobResult> batch = new ArrayList<>();
        for (int i = 0; i < RESULTS; i++) {
            byte[] raw = new byte[18];
            random.nextBytes(raw);
            secretsInPlay.add("Pw!" + Base64.getEncoder().encodeToString(raw));
            String account = String.format("acct-%05d", i);
            String target = i % 2 == 0 ? "pg1" : "maria1";
            Instant started = t0.plusMillis(i * 10L);
            boolean rejected = i % 50 == 0;
            batch.add(new JobResult(account, target, "update-backing-accounts", rejected ? "REJECTED" : "SUCCEEDED", !rejected,
                    rejected ? "the target refused the new password: too similar to the old one" : "rotated and verified",
                    started, started.plusMillis(37), null));
            if (batch.size() == 1000) {
                jobs.recordResults(job.id(), batch);
                batch.clear();
            }
        }
        jobs.finishStep(job.id(), 2);
        return jobs.finish(job.id(), null);
    }

    @Test
    void writesTheJobItsStepsAndEveryResultToOnePrivateSqliteFile() throws Exception {
        List<String> secrets = new ArrayList<>();
        Job job = finishedJob(secrets);
        assertThat(job.status()).isEqualTo(JobStatus.PARTIAL);

        JobReportWriter.JobReport report = writer.write(job.id());

        Path file = dataDir.resolve("reports").resolve(job.id() + ".sqlite");
        assertThat(report.path()).isEqualTo(file);
        assertThat(report.results()).isEqualTo(RESULTS);
        assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(Files.getPosixFilePermissions(file.getParent())).isEqualTo(PosixFilePermissions.fromString("rwx------"));
        try (Stream<Path> left = Files.list(file.getParent())) {
            assertThat(left).as("no temporary or journal file is left").containsExactly(file);
        }
        assertThat(writer.find(job.id())).contains(file);

        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement()) {
            assertThat(strings(s, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"))
                    .containsExactly("job", "results", "steps");
            assertThat(strings(s, "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'results'"))
                    .contains("results_outcome");
            assertThat(strings(s, "SELECT sql FROM sqlite_master WHERE name = 'results_outcome'"))
                    .singleElement().asString().contains("(outcome)");
            assertThat(longOf(s, "PRAGMA user_version")).isEqualTo(JobReportWriter.SCHEMA_VERSION);
            assertThat(columns(s, "results")).containsExactly("id", "account_id", "target_id", "step", "outcome", "success",
                    "reason", "started_at", "finished_at", "duration_ms");

            try (ResultSet r = s.executeQuery("SELECT id, workflow, status, parameters, dry_run, created_by, created_at,"
                    + " started_at, finished_at, total, done, succeeded, failed, reason FROM job")) {
                assertThat(r.next()).isTrue();
                assertThat(r.getString("id")).isEqualTo(job.id());
                assertThat(r.getString("workflow")).isEqualTo("mass-password-reset");
                assertThat(r.getString("status")).isEqualTo("PARTIAL");
                assertThat(r.getString("parameters")).isEqualTo(job.parametersJson()).contains("\"batch-size\":500");
                assertThat(r.getInt("dry_run")).isZero();
                assertThat(r.getString("created_by")).isEqualTo("svc-restapi");
                assertThat(Instant.parse(r.getString("created_at"))).isNotNull();
                assertThat(Instant.parse(r.getString("finished_at"))).isAfterOrEqualTo(Instant.parse(r.getString("started_at")));
                assertThat(r.getLong("total")).isEqualTo(RESULTS);
                assertThat(r.getLong("done")).isEqualTo(RESULTS);
                assertThat(r.getLong("succeeded")).isEqualTo(RESULTS - RESULTS / 50);
                assertThat(r.getLong("failed")).isEqualTo(RESULTS / 50);
                assertThat(r.getString("reason")).isEqualTo("400 of 20000 failed");
                assertThat(r.next()).as("one job row").isFalse();
            }

            assertThat(strings(s, "SELECT step_no || ':' || name || ':' || status || ':' || done FROM steps ORDER BY step_no"))
                    .containsExactly("1:generate-passwords:QUEUED:0", "2:update-backing-accounts:PARTIAL:20000",
                            "3:sync-vault-accounts:QUEUED:0");

            assertThat(longOf(s, "SELECT COUNT(*) FROM results")).isEqualTo(RESULTS);
            assertThat(longOf(s, "SELECT COUNT(DISTINCT account_id) FROM results")).isEqualTo(RESULTS);
            assertThat(longOf(s, "SELECT COUNT(*) FROM results WHERE outcome = 'REJECTED' AND success = 0")).isEqualTo(400);
            assertThat(longOf(s, "SELECT COUNT(*) FROM results WHERE target_id = 'pg1'")).isEqualTo(10_000);
            assertThat(longOf(s, "SELECT COUNT(*) FROM results WHERE duration_ms = 37")).isEqualTo(RESULTS);
            assertThat(strings(s, "SELECT account_id || '|' || started_at || '|' || datetime(finished_at) FROM results"
                    + " WHERE account_id = 'acct-00001'"))
                    .containsExactly("acct-00001|2025-03-01T08:00:00.133Z|2025-03-01 08:00:00");
            assertThat(strings(s, "SELECT DISTINCT reason FROM results WHERE outcome = 'REJECTED'"))
                    .containsExactly("the target refused the new password: too similar to the old one");
            assertThat(strings(s, "EXPLAIN QUERY PLAN SELECT * FROM results WHERE outcome = 'REJECTED'"))
                    .anySatisfy(plan -> assertThat(plan).contains("results_outcome"));
        }

        String contents = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
        // every secret in play starts with "Pw!": none of them, nor any part of one, is in the file
        assertThat(secrets).hasSize(RESULTS).allMatch(secret -> secret.startsWith("Pw!"));
        assertThat(contents).doesNotContain("Pw!");
        assertThat(secrets.subList(0, 100)).noneMatch(secret -> contents.contains(secret.substring(3)));
        assertThat(contents).doesNotContainIgnoringCase("\"password\"");
    }

    @Test
    void writingAgainReplacesTheReport() throws Exception {
        Job job = jobs.create(new NewJob("single-user-offboard", Map.of("user-to-offboard", "u1"), false, true, "alice"));
        assertThat(writer.write(job.id()).results()).isZero();
        jobs.markRunning(job.id());
        jobs.recordResult(job.id(), new JobResult("a", "ldap", "move-associations", "SUCCEEDED", true, null, null, null, null));
        jobs.finish(job.id(), null);

        JobReportWriter.JobReport again = writer.write(job.id());

        assertThat(again.results()).isEqualTo(1);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + again.path()); Statement s = c.createStatement()) {
            assertThat(strings(s, "SELECT status FROM job")).containsExactly("SUCCEEDED");
            assertThat(longOf(s, "SELECT COUNT(*) FROM results WHERE started_at IS NULL AND duration_ms IS NULL")).isEqualTo(1);
        }
        assertThat(Files.getPosixFilePermissions(again.path())).isEqualTo(PosixFilePermissions.fromString("rw-------"));
    }

    @Test
    void onlyJobIdsNameAReportFile() {
        for (String bad : new String[]{"../../etc/passwd", "x", "", "00000000-0000-0000-0000-00000000000g",
                "00000000-0000-0000-0000-000000000000/.."}) {
            assertThatThrownBy(() -> writer.reportPath(bad)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("not a job id: a job id is a UUID");
        }
        assertThatThrownBy(() -> writer.write(null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> writer.write("6f1c2b8e-0000-4000-8000-000000000000")).isInstanceOf(UnknownJobException.class);
        assertThat(writer.find("6f1c2b8e-0000-4000-8000-000000000000")).isEmpty();
        assertThat(Files.exists(dataDir.resolve("reports").resolve("6f1c2b8e-0000-4000-8000-000000000000.sqlite"))).isFalse();
    }

    private static List<String> strings(Statement s, String sql) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (ResultSet r = s.executeQuery(sql)) {
            int column = sql.startsWith("EXPLAIN") ? 4 : 1;
            while (r.next()) {
                rows.add(r.getString(column));
            }
        }
        return rows;
    }

    private static long longOf(Statement s, String sql) throws SQLException {
        try (ResultSet r = s.executeQuery(sql)) {
            r.next();
            return r.getLong(1);
        }
    }

    private static List<String> columns(Statement s, String table) throws SQLException {
        List<String> names = new ArrayList<>();
        try (ResultSet r = s.executeQuery("PRAGMA table_info(" + table + ")")) {
            while (r.next()) {
                names.add(r.getString("name"));
            }
        }
        return names;
    }
}
