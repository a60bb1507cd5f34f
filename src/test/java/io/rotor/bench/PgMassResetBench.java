package io.rotor.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.rotor.connector.jdbc.ScramSha256Verifier;
import io.rotor.connector.jdbc.SqlQuoting;
import io.rotor.domain.PasswordGenerator;
import io.rotor.domain.PasswordPolicy;
import io.rotor.domain.Secret;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code scripts/bench-mass-reset}: mass password reset of N PostgreSQL roles ({@code rotor_bench_NNNNNN}) on the
 * real scram-sha-256 cluster of {@code scripts/targets.sh}, in one run and with the same concurrency K for
 *
 * <ul>
 *   <li><b>limit</b>: a bare loop over K admin connections; per role a generated password, its SCRAM verifier
 *       ({@link ScramSha256Verifier}, the connector's own class), {@code ALTER ROLE}, then a fresh login with the
 *       new password and {@code SELECT 1};</li>
 *   <li><b>rotor</b>: {@code rotor serve} with the roles in its inventory, a mass-password-reset job through the
 *       REST API, end to end (POST until the job has ended; vault writes, protocol, verification, report);</li>
 *   <li><b>ansible</b>: {@code community.postgresql.postgresql_user} then a {@code postgresql_ping} login as the
 *       role, forks = K.</li>
 * </ul>
 * Prints accounts per second, the ratios, and writes a CSV. No secret is on any command line: the admin password
 * comes from {@code $ROTOR_IT_HOME/pg-admin.secret}, Rotor's initial admin secret from its environment and
 * Ansible's passwords from 0600 vars files.
 */
public final class PgMassResetBench {
    static final String PREFIX = "rotor_bench_";
    static final String ADMIN_ROLE = "rotor_bench_admin";

    private final BenchOptions options;
    private final BenchEnv env;
    private final Path repo;
    private final Path runDir;
    private final String url;
    private final String adminUser;
    private final String adminPassword;
    private final String benchAdminPassword = BenchEnv.randomKey();
    private final PasswordGenerator generator = new PasswordGenerator();

    PgMassResetBench(BenchOptions options, BenchEnv env, Path repo) throws IOException {
        this.options = options;
        this.env = env;
        this.repo = repo;
        this.runDir = repo.resolve("target/bench/pg-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        Files.createDirectories(runDir);
        this.url = "jdbc:postgresql://" + env.get("PG_HOST") + ":" + env.get("PG_PORT") + "/" + env.get("PG_DATABASE");
        this.adminUser = env.get("PG_ADMIN_USER");
        this.adminPassword = env.secret("pg-admin");
    }

    public static void main(String[] args) throws Exception {
        BenchOptions options;
        try {
            options = BenchOptions.parse(args, 2000);
        } catch (BenchOptions.UsageException e) {
            System.err.println("bench-mass-reset: " + e.getMessage());
            System.exit(64);
            return;
        }
        if (options.ansible()) {
            BenchTools.requireOrExit("bench-mass-reset", "Ansible", BenchTools.ansibleProblems(false, true));
        }
        Path repo = Path.of(System.getProperty("rotor.repo", ".")).toAbsolutePath().normalize();
        new PgMassResetBench(options, BenchEnv.load(), repo).run();
    }

    static String role(int i) {
        return String.format("%s%06d", PREFIX, i);
    }

    Connection connect(String user, String password) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", user);
        p.setProperty("password", password);
        p.setProperty("sslmode", "disable");
        p.setProperty("ApplicationName", "rotor-bench");
        return DriverManager.getConnection(url, p);
    }

    void run() throws Exception {
        int k = options.concurrency();
        System.out.printf("bench-mass-reset: PostgreSQL %s, sizes %s, concurrency K=%d, run dir %s%n",
                url.replace("jdbc:", ""), options.sizes(), k, repo.relativize(runDir));
        List<BenchRow> rows = new ArrayList<>();
        try {
            long t = System.nanoTime();
            createRoles(options.maxSize());
            System.out.printf("created %,d roles in %.1f s%n", options.maxSize(), (System.nanoTime() - t) / 1e9);
            for (int n : options.sizes()) {
                String run = options.memory() ? "memory-" + n : (options.scale().isEmpty() ? "mass-reset-" : "scale-") + n;
                BenchRow limit = null, rotor = null, ansible = null;
                if (options.limit()) {
                    limit = limit(run, n);
                    System.out.printf("  limit   %,d roles: %.1f accounts/s (%s)%n", n, limit.perSecond(), limit.note());
                }
                if (options.rotor()) {
                    rotor = rotor(run, n);
                    System.out.printf("  rotor   %,d roles: %.1f accounts/s (%s)%n", n, rotor.perSecond(), rotor.note());
                }
                if (options.ansible()) {
                    ansible = ansible(run, n);
                    if (ansible.succeeded() == 0) {
                        // a leg that changed nothing is no figure: say so, leave it out of the table
                        System.out.printf("  ansible %,d roles: the leg FAILED (%s; see %s); no figure%n", n, ansible.note(),
                                runDir.resolve("ansible-" + run).resolve("ansible.log"));
                        ansible = null;
                    } else {
                        System.out.printf("  ansible %,d roles: %.1f accounts/s%n", n, ansible.perSecond());
                    }
                }
                double limitRate = limit == null ? Double.NaN : limit.perSecond();
                double ansibleRate = ansible == null ? Double.NaN : ansible.perSecond();
                if (limit != null) {
                    rows.add(limit.withRatios(1.0, BenchRow.ratio(limitRate, ansibleRate)));
                }
                if (rotor != null) {
                    rows.add(rotor.withRatios(BenchRow.ratio(rotor.perSecond(), limitRate),
                            BenchRow.ratio(rotor.perSecond(), ansibleRate)));
                }
                if (ansible != null) {
                    rows.add(ansible.withRatios(BenchRow.ratio(ansibleRate, limitRate), 1.0));
                }
            }
        } finally {
            if (!options.keep()) {
                dropRoles();
            }
        }
        System.out.println();
        System.out.print(BenchTable.render(rows));
        System.out.println();
        BenchAims.check(rows).forEach(System.out::println);
        Path csv = options.csv() != null ? options.csv() : runDir.resolve("bench-mass-reset.csv");
        BenchCsv.write(csv, rows);
        System.out.println("CSV: " + csv);
    }

    // ---------------------------------------------------------------- roles

    /** Creates rotor_bench_000001..n (and the admin role Rotor uses), 1000 per round trip; leftovers dropped first. */
    void createRoles(int n) throws SQLException {
        dropRoles();
        try (Connection c = connect(adminUser, adminPassword); Statement s = c.createStatement()) {
            char[] pw = benchAdminPassword.toCharArray();
            s.execute("CREATE ROLE " + SqlQuoting.pgIdentifier(ADMIN_ROLE) + " LOGIN CREATEROLE PASSWORD "
                    + SqlQuoting.pgLiteral(ScramSha256Verifier.compute(pw)));
            StringBuilder sql = new StringBuilder();
            for (int i = 1; i <= n; i++) {
                sql.append("CREATE ROLE ").append(role(i)).append(" LOGIN;");
                if (i % 1000 == 0 || i == n) {
                    s.execute(sql.toString());
                    sql.setLength(0);
                }
            }
        }
    }

    /** Drops every role named rotor_bench_*, 1000 per statement. */
    void dropRoles() throws SQLException {
        try (Connection c = connect(adminUser, adminPassword); Statement s = c.createStatement()) {
            List<String> names = new ArrayList<>();
            try (var rs = s.executeQuery("SELECT rolname FROM pg_roles WHERE rolname LIKE 'rotor\\_bench\\_%' ORDER BY rolname")) {
                while (rs.next()) {
                    names.add(SqlQuoting.pgIdentifier(rs.getString(1)));
                }
            }
            for (int i = 0; i < names.size(); i += 1000) {
                s.execute("DROP ROLE " + String.join(", ", names.subList(i, Math.min(names.size(), i + 1000))));
            }
            if (!names.isEmpty()) {
                System.out.printf("dropped %,d rotor_bench_* roles%n", names.size());
            }
        }
    }

    // ---------------------------------------------------------------- the limit

    BenchRow limit(String run, int n) throws Exception {
        int k = options.concurrency();
        AtomicInteger next = new AtomicInteger(1);
        AtomicInteger ok = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        List<Connection> admins = new ArrayList<>();
        for (int i = 0; i < k; i++) {
            admins.add(connect(adminUser, adminPassword)); // the pool is open before the clock starts, as Rotor's is warm
        }
        ExecutorService pool = Executors.newFixedThreadPool(k);
        CpuMeter cpu = CpuMeter.start();
        double ownCpu = CpuMeter.processSeconds(ProcessHandle.current().pid());
        long start = System.nanoTime();
        List<Future<?>> futures = new ArrayList<>();
        for (Connection admin : admins) {
            futures.add(pool.submit(() -> {
                try (Statement s = admin.createStatement()) {
                    for (int i = next.getAndIncrement(); i <= n; i = next.getAndIncrement()) {
                        String role = role(i);
                        try (Secret pw = generator.generate(PasswordPolicy.defaults(), role)) {
                            char[] chars = pw.chars();
                            String verifier = ScramSha256Verifier.compute(chars);
                            java.util.Arrays.fill(chars, '\0');
                            s.execute("ALTER ROLE " + SqlQuoting.pgIdentifier(role) + " PASSWORD " + SqlQuoting.pgLiteral(verifier));
                            try (Connection login = connect(role, pw.reveal()); Statement q = login.createStatement()) {
                                q.execute("SELECT 1");
                            }
                            ok.incrementAndGet();
                        } catch (SQLException e) {
                            failed.incrementAndGet();
                        }
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : futures) {
            f.get();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        double limitCpu = CpuMeter.processSeconds(ProcessHandle.current().pid()) - ownCpu;
        String note = cpuNote(cpu.busy(), limitCpu, n);
        pool.shutdown();
        for (Connection c : admins) {
            c.close();
        }
        return BenchRow.of("mass-reset", run, "limit", n, k, seconds, ok.get(), failed.get()).withNote(note)
                .withCpu(limitCpu * 1000 / n, Double.NaN);
    }

    /** "machine CPU 97% busy; this process 0.95 ms CPU per account" */
    static String cpuNote(double busy, double processSeconds, int accounts) {
        return String.format(java.util.Locale.ROOT, "machine CPU %.0f%% busy; process %.2f ms CPU/account",
                busy * 100, processSeconds * 1000 / accounts);
    }

    // ---------------------------------------------------------------- Rotor

    BenchRow rotor(String run, int n) throws Exception {
        // the job rotates Rotor's own admin role too (one of the target's accounts): give it the known password again
        try (Connection c = connect(adminUser, adminPassword); Statement s = c.createStatement()) {
            s.execute("ALTER ROLE " + SqlQuoting.pgIdentifier(ADMIN_ROLE) + " PASSWORD "
                    + SqlQuoting.pgLiteral(ScramSha256Verifier.compute(benchAdminPassword.toCharArray())));
        }
        int k = options.concurrency();
        StringBuilder inv = new StringBuilder();
        inv.append("targets:\n")
                .append("  - id: vault\n    type: vault\n    host: localhost\n")
                .append("  - id: pg\n    type: postgresql\n    host: ").append(env.get("PG_HOST"))
                .append("\n    port: ").append(env.get("PG_PORT"))
                .append("\n    database: ").append(env.get("PG_DATABASE"))
                .append("\n    tls: disable\n    adminAccount: zz-bench-admin\n")
                .append("    settings:\n      maxPoolSize: \"").append(k).append("\"\n")
                .append("accounts:\n")
                .append("  - id: zz-bench-admin\n    target: pg\n    username: ").append(ADMIN_ROLE)
                .append("\n    initialSecretEnv: BENCH_PG_ADMIN_PASSWORD\n");
        for (int i = 1; i <= n; i++) {
            inv.append("  - id: r").append(String.format("%06d", i)).append("\n    target: pg\n    username: ")
                    .append(role(i)).append('\n');
        }
        Path dir = runDir.resolve("rotor-" + run);
        try (RotorServer server = new RotorServer(dir)) {
            server.start(repo.resolve("target/rotor.jar"), Map.of(
                            "rotor.workflow.parallelism", Integer.toString(k),
                            "rotor.workflow.target-concurrency.default", Integer.toString(k),
                            "rotor.workflow.target-concurrency.pg", Integer.toString(k),
                            "rotor.workflow.concurrent-jobs", "1",
                            "rotor.vault.pool-size", Integer.toString(Math.max(10, k + 4))),
                    inv.toString(), Map.of("BENCH_PG_ADMIN_PASSWORD", benchAdminPassword),
                    options.heap(), options.jfr(), Duration.ofMinutes(60));
            inv.setLength(0);
            System.out.printf("  rotor serve ready in %.1f s (inventory of %,d accounts loaded)%n", server.readySeconds(), n + 1);
            linkVaultAccounts(server, n);
            CpuMeter cpu = CpuMeter.start();
            double rotorCpu = CpuMeter.processSeconds(server.pid());
            long start = System.nanoTime();
            JsonNode job = server.runJob("/api/v1/workflows/mass-password-reset",
                    "{\"target\": [\"pg\"], \"vaultTarget\": \"vault\", \"vaultLinkAttribute\": \"backing_account\","
                            + " \"batchSize\": " + options.batchSize() + ", \"report\": true}", Duration.ofHours(3));
            double seconds = (System.nanoTime() - start) / 1e9;
            double rss = GcLog.peakRssMb(server.pid());
            String cpuNote = cpuNote(cpu.busy(), CpuMeter.processSeconds(server.pid()) - rotorCpu, n + 1);
            JsonNode update = null;
            for (JsonNode step : job.path("steps")) {
                if (step.path("name").asText().equals("generate-and-update-backing-accounts")) {
                    update = step;
                }
            }
            // SKIPPED counts as a success in the job's counters: only accounts whose password changed are counted here
            Path report = dir.resolve("report.sqlite");
            Files.write(report, server.get("/api/v1/jobs/" + job.path("jobId").asText() + "/report", true));
            int ok = countOutcome(report, "SUCCEEDED");
            int failed = (update == null ? 0 : update.path("failed").asInt());
            int skipped = countOutcome(report, "SKIPPED");
            if (skipped > 0) {
                System.out.printf("  rotor: %,d account(s) SKIPPED by the job (not counted)%n", skipped);
            }
            double rotorCpuSeconds = CpuMeter.processSeconds(server.pid()) - rotorCpu;
            double gc = GcLog.pauseSeconds(server.gcLog(), server.jobStartUptime(), server.jobEndUptime());
            double reportSeconds = server.reportSeconds();
            server.close();
            double vaultMb = Files.size(dir.resolve("data/vault.mv.db")) / (1024.0 * 1024.0);
            double heap = GcLog.peakHeapMb(server.gcLog());
            String note = "job " + job.path("status").asText() + "; " + (n + 1) + " accounts incl. its admin role; "
                    + cpuNote
                    + (options.heap() != null ? "; -Xmx" + options.heap() : "");
            if (!job.path("status").asText().equals("SUCCEEDED")) {
                System.out.println("  rotor job " + job.path("status").asText() + ": " + job.path("reason").asText()
                        + " (see " + dir + ")");
            }
            return BenchRow.of("mass-reset", run, "rotor", n + 1, k, seconds, ok, failed)
                    .withMemory(heap, rss).withNote(note).withCpu(rotorCpuSeconds * 1000 / (n + 1), gc / seconds)
                    .withVault(vaultMb, reportSeconds);
        }
    }

    /**
     * A vault account per role, linked through {@code backing_account} (the mass reset resets account pairs only; an
     * unlinked account is SKIPPED). Written next to the running server through H2's AUTO_SERVER, before the clock starts.
     */
    void linkVaultAccounts(RotorServer server, int n) {
        List<String[]> pairs = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            pairs.add(new String[]{"r" + String.format("%06d", i), role(i)});
        }
        server.linkVaultAccounts(pairs);
    }

    /** Results of the update step with {@code outcome} in a job's SQLite report. */
    static int countOutcome(Path report, String outcome) throws SQLException {
        return RotorServer.countUpdateOutcome(report, outcome);
    }

    // ---------------------------------------------------------------- Ansible

    BenchRow ansible(String run, int n) throws Exception {
        int k = options.concurrency();
        Path dir = runDir.resolve("ansible-" + run);
        Files.createDirectories(dir.resolve("host_vars"));
        Files.createDirectories(dir.resolve("group_vars"));
        StringBuilder hosts = new StringBuilder("[bench]\n");
        for (int h = 1; h <= k; h++) {
            hosts.append("h").append(h).append(" ansible_connection=local ansible_python_interpreter=/usr/bin/python3\n");
        }
        Files.writeString(dir.resolve("inventory.ini"), hosts);
        BenchEnv.writePrivate(dir.resolve("group_vars/all.yml"), "pg_admin_password: " + yamlString(adminPassword) + "\n");
        List<StringBuilder> perHost = new ArrayList<>();
        for (int h = 0; h < k; h++) {
            perHost.add(new StringBuilder("bench_roles:\n"));
        }
        for (int i = 1; i <= n; i++) {
            try (Secret pw = generator.generate(PasswordPolicy.defaults(), role(i))) {
                perHost.get((i - 1) % k).append("  - name: ").append(role(i)).append("\n    password: ")
                        .append(yamlString(pw.reveal())).append('\n');
            }
        }
        for (int h = 0; h < k; h++) {
            BenchEnv.writePrivate(dir.resolve("host_vars/h" + (h + 1) + ".yml"), perHost.get(h).toString());
        }
        String common = "        login_host: " + env.get("PG_HOST") + "\n        port: " + env.get("PG_PORT")
                + "\n        db: " + env.get("PG_DATABASE") + "\n        ssl_mode: disable\n";
        Files.writeString(dir.resolve("playbook.yml"), "- hosts: bench\n  gather_facts: false\n  tasks:\n"
                + "    - name: set the new password\n      community.postgresql.postgresql_user:\n" + common
                + "        login_user: " + adminUser + "\n        login_password: \"{{ pg_admin_password }}\"\n"
                + "        name: \"{{ item.name }}\"\n        password: \"{{ item.password }}\"\n"
                + "      loop: \"{{ bench_roles }}\"\n      no_log: true\n"
                + "    - name: log in with the new password\n      community.postgresql.postgresql_ping:\n" + common
                + "        login_user: \"{{ item.name }}\"\n        login_password: \"{{ item.password }}\"\n"
                + "      loop: \"{{ bench_roles }}\"\n      no_log: true\n      register: ping\n"
                + "      failed_when: not ping.is_available\n");
        ProcessBuilder pb = new ProcessBuilder("ansible-playbook", "-i", "inventory.ini", "-f", Integer.toString(k),
                "playbook.yml").directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("ansible.log").toFile());
        pb.environment().put("ANSIBLE_NOCOLOR", "1");
        pb.environment().put("ANSIBLE_RETRY_FILES_ENABLED", "0");
        long start = System.nanoTime();
        int rc = pb.start().waitFor();
        double seconds = (System.nanoTime() - start) / 1e9;
        // the vars files hold passwords: gone as soon as the run is over
        for (int h = 1; h <= k; h++) {
            Files.deleteIfExists(dir.resolve("host_vars/h" + h + ".yml"));
        }
        Files.deleteIfExists(dir.resolve("group_vars/all.yml"));
        int failedHosts = 0;
        for (String line : Files.readAllLines(dir.resolve("ansible.log"))) {
            var m = java.util.regex.Pattern.compile("failed=(\\d+)").matcher(line);
            if (line.startsWith("h") && m.find() && !m.group(1).equals("0")) {
                failedHosts++;
            }
        }
        int ok = rc == 0 ? n : 0;
        return BenchRow.of("mass-reset", run, "ansible", n, k, seconds, ok, n - ok)
                .withNote("ansible-playbook rc=" + rc + (failedHosts > 0 ? ", " + failedHosts + " host(s) failed" : ""));
    }

    /**
     * A double-quoted YAML scalar tagged {@code !unsafe}, so that Ansible never templates it (a generated password
     * may hold "{{"); backslash and quote escaped (the generator emits printable ASCII only).
     */
    static String yamlString(String s) {
        return "!unsafe \"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
