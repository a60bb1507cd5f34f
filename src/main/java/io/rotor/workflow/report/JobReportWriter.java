package io.rotor.workflow.report;

import io.rotor.domain.Job;
import io.rotor.domain.JobResult;
import io.rotor.domain.JobStep;
import io.rotor.domain.UnknownJobException;
import io.rotor.workflow.JobStore;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Writes a job's report: one SQLite database per job, {@code <data-dir>/reports/<jobId>.sqlite}, readable by any
 * SQLite tool (the seed's {@code --report}). Schema in {@code docs/reports.md}: tables {@code job} (one row),
 * {@code steps} and {@code results} (one row per account result with timings and reason), {@code PRAGMA
 * user_version} = {@value #SCHEMA_VERSION}.
 *
 * <p>It holds nothing but what {@link JobStore} holds, which is never a secret: the job's parameters (stored without
 * credentials) and the results' reasons (the redacted texts of the rotation service).
 *
 * <p>Results are streamed from the job store page by page and written in transactions of
 * {@value #ROWS_PER_TRANSACTION} rows, so memory does not grow with the job. The file is written under a temporary
 * name, created 0600 in a 0700 directory, and moved into place when complete: a reader never sees half a report,
 * and writing again replaces the previous one. Write it once the job has ended; a report of a running job is a
 * snapshot.
 */
public final class JobReportWriter {
    public static final int SCHEMA_VERSION = 1;
    static final int PAGE_SIZE = 1000;
    static final int ROWS_PER_TRANSACTION = 5000;

    private static final List<String> SCHEMA = List.of(
            "CREATE TABLE job (id TEXT PRIMARY KEY, workflow TEXT NOT NULL, status TEXT NOT NULL, parameters TEXT NOT NULL,"
                    + " dry_run INTEGER NOT NULL, report_requested INTEGER NOT NULL, created_by TEXT NOT NULL,"
                    + " created_at TEXT NOT NULL, started_at TEXT, finished_at TEXT, total INTEGER NOT NULL,"
                    + " done INTEGER NOT NULL, succeeded INTEGER NOT NULL, failed INTEGER NOT NULL,"
                    + " cancel_requested INTEGER NOT NULL, reason TEXT, report_written_at TEXT NOT NULL)",
            "CREATE TABLE steps (step_no INTEGER PRIMARY KEY, name TEXT NOT NULL, status TEXT NOT NULL, started_at TEXT,"
                    + " finished_at TEXT, done INTEGER NOT NULL, succeeded INTEGER NOT NULL, failed INTEGER NOT NULL,"
                    + " reason TEXT)",
            "CREATE TABLE results (id INTEGER PRIMARY KEY, account_id TEXT, target_id TEXT, step TEXT NOT NULL,"
                    + " outcome TEXT NOT NULL, success INTEGER NOT NULL, reason TEXT, started_at TEXT, finished_at TEXT,"
                    + " duration_ms INTEGER)");
    private static final List<String> INDEXES = List.of(
            "CREATE INDEX results_outcome ON results (outcome)",
            "CREATE INDEX results_account ON results (account_id)");

    private final JobStore jobs;
    /** Jobs whose report this process is writing now, or will write as soon as their end is recorded. */
    private final java.util.Set<String> beingWritten = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final Path reportsDir;
    private final Clock clock;

    /** @param dataDir Rotor's data directory ({@code rotor.data-dir}); reports go to its {@code reports/} folder */
    public JobReportWriter(JobStore jobs, Path dataDir, Clock clock) {
        this.jobs = jobs;
        this.reportsDir = dataDir.resolve("reports");
        this.clock = clock;
    }

    public JobReportWriter(JobStore jobs, Path dataDir) {
        this(jobs, dataDir, Clock.systemUTC());
    }

    /** What {@link #write} produced. */
    public record JobReport(String jobId, Path path, long results) {
    }

    /**
     * Where the report of {@code jobId} lives (whether or not it was written).
     *
     * @throws IllegalArgumentException when {@code jobId} is not a job id (a UUID), so no path can escape the folder
     */
    public Path reportPath(String jobId) {
        return reportsDir.resolve(canonical(jobId) + ".sqlite");
    }

    /** The written report of {@code jobId}, if there is one (for {@code GET /api/v1/jobs/{id}/report}). */
    public Optional<Path> find(String jobId) {
        Path path = reportPath(jobId);
        return Files.isRegularFile(path) ? Optional.of(path) : Optional.empty();
    }

    /**
     * Says that the report of {@code jobId} is about to be written: from now until {@link #write} (or
     * {@link #withdraw}) ends, {@link #isBeingWritten} is true, so that a client asking between the job's end and
     * its report is told to wait, never that there is none.
     */
    public void announce(String jobId) {
        beingWritten.add(canonical(jobId));
    }

    /** Takes back an {@link #announce} whose write will not happen (the job could not be ended). */
    public void withdraw(String jobId) {
        beingWritten.remove(canonical(jobId));
    }

    /** True while this process writes (or is about to write) the report of {@code jobId}. */
    public boolean isBeingWritten(String jobId) {
        return beingWritten.contains(canonical(jobId));
    }

    /**
     * Writes (or rewrites) the report of a job.
     *
     * @throws UnknownJobException when there is no such job
     * @throws ReportException     when the file cannot be written (nothing is left half-written)
     */
    public JobReport write(String jobId) {
        String id = canonical(jobId);
        beingWritten.add(id);
        try {
            return writeFile(id);
        } finally {
            beingWritten.remove(id);
        }
    }

    private JobReport writeFile(String id) {
        Job job = jobs.find(id).orElseThrow(() -> new UnknownJobException(id));
        List<JobStep> steps = jobs.steps(id);
        Path target = reportPath(id);
        Path temporary = reportsDir.resolve(id + ".sqlite." + UUID.randomUUID() + ".tmp");
        try {
            createPrivateDirectory(reportsDir);
            createPrivateFile(temporary);
            long results;
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + temporary.toAbsolutePath())) {
                try (Statement s = c.createStatement()) {
                    // no journal file beside the report; a failed write is thrown away whole anyway
                    s.execute("PRAGMA journal_mode = MEMORY");
                    s.execute("PRAGMA user_version = " + SCHEMA_VERSION);
                }
                c.setAutoCommit(false);
                try (Statement s = c.createStatement()) {
                    for (String ddl : SCHEMA) {
                        s.execute(ddl);
                    }
                }
                writeJob(c, job);
                writeSteps(c, steps);
                c.commit();
                results = writeResults(c, id);
                try (Statement s = c.createStatement()) {
                    for (String ddl : INDEXES) {
                        s.execute(ddl);
                    }
                }
                c.commit();
            }
            Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return new JobReport(id, target, results);
        } catch (SQLException e) {
            throw new ReportException("cannot write the report of job " + id + ": " + e.getMessage(), e);
        } catch (UncheckedSqlException e) {
            throw new ReportException("cannot write the report of job " + id + ": " + e.getCause().getMessage(), e.getCause());
        } catch (IOException e) {
            throw new ReportException("cannot write the report of job " + id + " to " + reportsDir + ": " + e, e);
        } finally {
            try {
                Files.deleteIfExists(temporary);
            } catch (IOException ignored) {
                // the temporary file is only a leftover; the report itself was moved or never existed
            }
        }
    }

    private void writeJob(Connection c, Job job) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("INSERT INTO job (id, workflow, status, parameters, dry_run,"
                + " report_requested, created_by, created_at, started_at, finished_at, total, done, succeeded, failed,"
                + " cancel_requested, reason, report_written_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")) {
            s.setString(1, job.id());
            s.setString(2, job.workflow());
            s.setString(3, job.status().name());
            s.setString(4, job.parametersJson());
            s.setInt(5, job.dryRun() ? 1 : 0);
            s.setInt(6, job.reportRequested() ? 1 : 0);
            s.setString(7, job.createdBy());
            s.setString(8, text(job.createdAt()));
            s.setString(9, text(job.startedAt()));
            s.setString(10, text(job.finishedAt()));
            s.setLong(11, job.total());
            s.setLong(12, job.done());
            s.setLong(13, job.succeeded());
            s.setLong(14, job.failed());
            s.setInt(15, job.cancelRequested() ? 1 : 0);
            s.setString(16, job.reason());
            s.setString(17, text(clock.instant()));
            s.executeUpdate();
        }
    }

    private static void writeSteps(Connection c, List<JobStep> steps) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("INSERT INTO steps (step_no, name, status, started_at, finished_at,"
                + " done, succeeded, failed, reason) VALUES (?,?,?,?,?,?,?,?,?)")) {
            for (JobStep step : steps) {
                s.setInt(1, step.stepNo());
                s.setString(2, step.name());
                s.setString(3, step.status().name());
                s.setString(4, text(step.startedAt()));
                s.setString(5, text(step.finishedAt()));
                s.setLong(6, step.done());
                s.setLong(7, step.succeeded());
                s.setLong(8, step.failed());
                s.setString(9, step.reason());
                s.addBatch();
            }
            s.executeBatch();
        }
    }

    private long writeResults(Connection c, String jobId) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("INSERT INTO results (account_id, target_id, step, outcome, success,"
                + " reason, started_at, finished_at, duration_ms) VALUES (?,?,?,?,?,?,?,?,?)")) {
            long[] pending = {0};
            long written = jobs.forEachResult(jobId, PAGE_SIZE, r -> {
                try {
                    bind(s, r);
                    s.addBatch();
                    if (++pending[0] % PAGE_SIZE == 0) {
                        s.executeBatch();
                    }
                    if (pending[0] % ROWS_PER_TRANSACTION == 0) {
                        c.commit();
                    }
                } catch (SQLException e) {
                    throw new UncheckedSqlException(e);
                }
            });
            s.executeBatch();
            c.commit();
            return written;
        }
    }

    private static void bind(PreparedStatement s, JobResult r) throws SQLException {
        s.setString(1, r.accountId());
        s.setString(2, r.targetId());
        s.setString(3, r.step());
        s.setString(4, r.outcome());
        s.setInt(5, r.success() ? 1 : 0);
        s.setString(6, r.reason());
        s.setString(7, text(r.startedAt()));
        s.setString(8, text(r.finishedAt()));
        if (r.durationMs() == null) {
            s.setNull(9, Types.INTEGER);
        } else {
            s.setLong(9, r.durationMs());
        }
    }

    /** ISO-8601 UTC to the millisecond ({@code 2025-01-31T09:15:02.123Z}), which SQLite's date functions read. */
    private static String text(Instant instant) {
        return instant == null ? null : instant.truncatedTo(ChronoUnit.MILLIS).toString();
    }

    private static String canonical(String jobId) {
        try {
            if (jobId != null && jobId.length() == 36) {
                String id = UUID.fromString(jobId).toString();
                if (id.equalsIgnoreCase(jobId)) {
                    return id;
                }
            }
        } catch (IllegalArgumentException ignored) {
            // fall through to the refusal below
        }
        throw new IllegalArgumentException("not a job id: a job id is a UUID");
    }

    private static boolean posix() {
        return FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    }

    private static void createPrivateDirectory(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            return;
        }
        if (posix()) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } else {
            Files.createDirectories(dir);
        }
    }

    private static void createPrivateFile(Path file) throws IOException {
        if (posix()) {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } else {
            Files.createFile(file);
        }
        if (!Files.isWritable(file)) {
            throw new AccessDeniedException(file.toString());
        }
    }

    /** Carries an SQLException out of the result stream's consumer. */
    private static final class UncheckedSqlException extends RuntimeException {
        UncheckedSqlException(SQLException cause) {
            super(cause);
        }
    }

    /** A report could not be written; the message names the job and the cause, never a secret. */
    public static final class ReportException extends RuntimeException {
        ReportException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
