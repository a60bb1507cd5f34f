package io.rotor.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.rotor.domain.PasswordGenerator;
import io.rotor.domain.PasswordPolicy;
import io.rotor.domain.Secret;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.keyverifier.KnownHostsServerKeyVerifier;
import org.apache.sshd.client.keyverifier.RejectAllServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;

import java.io.IOException;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code scripts/bench-ssh}: password reset of M real Linux accounts ({@code rotor_bench_sNNNN}) over SSH, with the
 * same concurrency K for the limit, Rotor and Ansible.
 *
 * <p>The project's test sshd ({@code scripts/targets.sh}) only lets {@code rotor_it_*} users in
 * ({@code AllowUsers}), and its accounts belong to the integration tests. So the benchmark runs a second sshd from
 * the same binary, the same host keys and the same settings, on a free loopback port, letting in only
 * {@code rotor_bench_*}; it creates the accounts and a sudo admin {@code rotor_bench_sadmin} (sudoers drop-in
 * {@code /etc/sudoers.d/rotor-bench}), and removes all of it at the end. Must run as root.
 *
 * <ul>
 *   <li><b>limit</b>: one SSH connection as the admin; per account an exec channel
 *       {@code sudo -k -S -p '' chpasswd} fed the admin password and {@code user:new} on stdin, then a fresh SSH
 *       login as the account with the new password; K accounts at a time;</li>
 *   <li><b>rotor</b>: a mass-password-reset job through the REST API, target type {@code ssh} with the admin
 *       account and {@code adminMethod: sudo};</li>
 *   <li><b>ansible</b>: {@code ansible.builtin.user} with {@code password_hash('sha512')}, become via sudo,
 *       forks = K (no login check: Ansible has no per-account login task without reconnecting as each user).</li>
 * </ul>
 */
public final class SshBench {
    static final String PREFIX = "rotor_bench_s";
    static final String ADMIN = "rotor_bench_sadmin";
    static final Path SUDOERS = Path.of("/etc/sudoers.d/rotor-bench");

    private final BenchOptions options;
    private final BenchEnv env;
    private final Path repo;
    private final Path runDir;
    private final String adminPassword = BenchEnv.randomKey();
    private final PasswordGenerator generator = new PasswordGenerator();
    private final int port;
    private Process sshd;

    SshBench(BenchOptions options, BenchEnv env, Path repo) throws IOException {
        this.options = options;
        this.env = env;
        this.repo = repo;
        this.runDir = repo.resolve("target/bench/ssh-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        Files.createDirectories(runDir);
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
    }

    public static void main(String[] args) throws Exception {
        BenchOptions options;
        try {
            options = BenchOptions.parse(args, 200);
            if (options.memory()) {
                throw new BenchOptions.UsageException("--memory is for bench-mass-reset");
            }
        } catch (BenchOptions.UsageException e) {
            System.err.println("bench-ssh: " + e.getMessage());
            System.exit(64);
            return;
        }
        if (!"root".equals(System.getProperty("user.name"))) {
            System.err.println("bench-ssh: must run as root (it creates Linux accounts and runs an sshd)");
            System.exit(1);
        }
        if (options.ansible()) {
            BenchTools.requireOrExit("bench-ssh", "Ansible", BenchTools.ansibleProblems(true, false));
        }
        Path repo = Path.of(System.getProperty("rotor.repo", ".")).toAbsolutePath().normalize();
        new SshBench(options, BenchEnv.load(), repo).run();
    }

    static String user(int i) {
        return String.format("%s%04d", PREFIX, i);
    }

    void run() throws Exception {
        int k = options.concurrency();
        List<BenchRow> rows = new ArrayList<>();
        Thread cleanup = new Thread(this::cleanupQuietly);
        Runtime.getRuntime().addShutdownHook(cleanup);
        try {
            setUp(options.maxSize());
            System.out.printf("bench-ssh: sshd 127.0.0.1:%d (test sshd's settings and host keys), sizes %s, K=%d, run dir %s%n",
                    port, options.sizes(), k, repo.relativize(runDir));
            for (int m : options.sizes()) {
                String run = (options.scale().isEmpty() ? "ssh-" : "ssh-scale-") + m;
                BenchRow limit = null, rotor = null, ansible = null;
                if (options.limit()) {
                    limit = limit(run, m);
                    System.out.printf("  limit   %,d accounts: %.1f accounts/s (%s)%n", m, limit.perSecond(), limit.note());
                }
                if (options.rotor()) {
                    rotor = rotor(run, m);
                    System.out.printf("  rotor   %,d accounts: %.1f accounts/s (%s)%n", m, rotor.perSecond(), rotor.note());
                }
                if (options.ansible()) {
                    ansible = ansible(run, m);
                    if (ansible.succeeded() == 0) {
                        // a leg that changed nothing is no figure: say so, leave it out of the table
                        System.out.printf("  ansible %,d accounts: the leg FAILED (%s; see %s); no figure%n", m, ansible.note(),
                                runDir.resolve("ansible-" + run).resolve("ansible.log"));
                        ansible = null;
                    } else {
                        System.out.printf("  ansible %,d accounts: %.1f accounts/s (%s)%n", m, ansible.perSecond(), ansible.note());
                    }
                }
                double limitRate = limit == null ? Double.NaN : limit.perSecond();
                double ansibleRate = ansible == null ? Double.NaN : ansible.perSecond();
                if (limit != null) {
                    rows.add(limit.withRatios(1.0, BenchRow.ratio(limitRate, ansibleRate)));
                }
                if (rotor != null) {
                    rows.add(rotor.withRatios(BenchRow.ratio(rotor.perSecond(), limitRate), BenchRow.ratio(rotor.perSecond(), ansibleRate)));
                }
                if (ansible != null) {
                    rows.add(ansible.withRatios(BenchRow.ratio(ansibleRate, limitRate), 1.0));
                }
            }
        } finally {
            if (!options.keep()) {
                cleanupQuietly();
            }
            try {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            } catch (IllegalStateException ignored) {
                // shutting down already
            }
        }
        System.out.println();
        System.out.print(BenchTable.render(rows));
        System.out.println();
        BenchAims.check(rows).forEach(System.out::println);
        Path csv = options.csv() != null ? options.csv() : runDir.resolve("bench-ssh.csv");
        BenchCsv.write(csv, rows);
        System.out.println("CSV: " + csv);
    }

    // ---------------------------------------------------------------- accounts and sshd

    void setUp(int m) throws Exception {
        removeAccounts();
        long t = System.nanoTime();
        sh(null, "useradd", "-m", "-s", "/bin/bash", ADMIN);
        for (int i = 1; i <= m; i++) {
            sh(null, "useradd", "-M", "-d", "/nonexistent", "-s", "/bin/sh", user(i));
        }
        sh(ADMIN + ":" + adminPassword + "\n", "chpasswd");
        String sudoers = "# scripts/bench-ssh (Rotor benchmark); removed at the end of the run\n"
                + "Defaults:" + ADMIN + " timestamp_timeout=0, !lecture\n" + ADMIN + " ALL=(ALL:ALL) ALL\n";
        Path tmp = Path.of(SUDOERS + ".tmp");
        Files.writeString(tmp, sudoers);
        Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("r--r-----"));
        sh(null, "visudo", "-cq", "-f", tmp.toString());
        Files.move(tmp, SUDOERS, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        System.out.printf("created %,d Linux accounts and %s in %.1f s%n", m, ADMIN, (System.nanoTime() - t) / 1e9);

        Path sshDir = Path.of(env.get("SSH_KNOWN_HOSTS")).getParent();
        StringBuilder config = new StringBuilder();
        for (String line : Files.readAllLines(sshDir.resolve("sshd_config"))) {
            String l = line.strip();
            if (l.startsWith("ListenAddress") || l.startsWith("PidFile") || l.startsWith("AllowUsers") || l.startsWith("DenyUsers")) {
                continue;
            }
            config.append(line).append('\n');
        }
        config.append("ListenAddress 127.0.0.1:").append(port).append('\n')
                .append("PidFile ").append(runDir.resolve("sshd.pid")).append('\n')
                .append("AllowUsers rotor_bench_*\nDenyUsers root rotor_it_*\n");
        Files.writeString(runDir.resolve("sshd_config"), config);
        StringBuilder known = new StringBuilder();
        for (String key : List.of("host_ed25519_key.pub", "host_ecdsa_key.pub", "host_rsa_key.pub")) {
            String[] parts = Files.readString(sshDir.resolve(key)).trim().split("\\s+");
            known.append("[127.0.0.1]:").append(port).append(' ').append(parts[0]).append(' ').append(parts[1]).append('\n');
        }
        Files.writeString(knownHosts(), known);
        sshd = new ProcessBuilder("/usr/sbin/sshd", "-D", "-f", runDir.resolve("sshd_config").toString(), "-E",
                runDir.resolve("sshd.log").toString()).redirectErrorStream(true)
                .redirectOutput(runDir.resolve("sshd.out").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
                return;
            } catch (IOException e) {
                Thread.sleep(100);
            }
        }
        throw new IllegalStateException("the bench sshd did not start; see " + runDir.resolve("sshd.log"));
    }

    Path knownHosts() {
        return runDir.resolve("known_hosts");
    }

    private void cleanupQuietly() {
        try {
            if (sshd != null && sshd.isAlive()) {
                sshd.destroy();
                sshd.waitFor(10, TimeUnit.SECONDS);
            }
            Files.deleteIfExists(SUDOERS);
            removeAccounts();
        } catch (Exception e) {
            System.err.println("bench-ssh: cleanup failed: " + e.getMessage());
        }
    }

    /** Removes every rotor_bench_s* account and the bench admin (never a rotor_it_* account). */
    void removeAccounts() throws Exception {
        List<String> users = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("/etc/passwd"))) {
            String name = line.substring(0, line.indexOf(':'));
            if (name.startsWith(PREFIX)) {
                users.add(name);
            }
        }
        for (String u : users) {
            new ProcessBuilder("pkill", "-KILL", "-u", u).start().waitFor();
            sh(null, "userdel", "-r", u, "-f");
        }
        if (!users.isEmpty()) {
            System.out.printf("removed %,d rotor_bench_s* accounts%n", users.size());
        }
    }

    /** Runs a command (never with a secret in its arguments); {@code stdin} is written to it. */
    private static void sh(String stdin, String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        if (stdin != null) {
            try (OutputStream out = p.getOutputStream()) {
                out.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
        } else {
            p.getOutputStream().close();
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int rc = p.waitFor();
        if (rc != 0 && !(cmd[0].equals("userdel") && rc == 12)) {
            throw new IllegalStateException(cmd[0] + " exited with " + rc + ": " + out.strip());
        }
    }

    // ---------------------------------------------------------------- the limit

    /** Rotor rotates its own admin account too (it is one of the target's accounts): set the known one again. */
    void resetAdminPassword() throws Exception {
        sh(ADMIN + ":" + adminPassword + "\n", "chpasswd");
    }

    BenchRow limit(String run, int m) throws Exception {
        resetAdminPassword();
        int k = options.concurrency();
        SshClient client = SshClient.setUpDefaultClient();
        client.setServerKeyVerifier(new KnownHostsServerKeyVerifier(RejectAllServerKeyVerifier.INSTANCE, knownHosts()));
        client.start();
        try (ClientSession admin = login(client, ADMIN, adminPassword)) {
            AtomicInteger next = new AtomicInteger(1);
            AtomicInteger ok = new AtomicInteger();
            AtomicInteger failed = new AtomicInteger();
            ExecutorService pool = Executors.newFixedThreadPool(k);
            CpuMeter cpu = CpuMeter.start();
            long start = System.nanoTime();
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < k; t++) {
                futures.add(pool.submit(() -> {
                    for (int i = next.getAndIncrement(); i <= m; i = next.getAndIncrement()) {
                        String user = user(i);
                        try (Secret pw = generator.generate(PasswordPolicy.defaults(), user)) {
                            if (chpasswd(admin, user, pw.reveal())) {
                                try (ClientSession s = login(client, user, pw.reveal())) {
                                    ok.incrementAndGet();
                                }
                            } else {
                                failed.incrementAndGet();
                            }
                        } catch (IOException | RuntimeException e) {
                            failed.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            pool.shutdown();
            return BenchRow.of("ssh", run, "limit", m, k, seconds, ok.get(), failed.get())
                    .withNote(String.format(java.util.Locale.ROOT, "machine CPU %.0f%% busy", cpu.busy() * 100));
        } finally {
            client.stop();
        }
    }

    private ClientSession login(SshClient client, String user, String password) throws IOException {
        ClientSession s = client.connect(user, "127.0.0.1", port).verify(Duration.ofSeconds(10)).getSession();
        try {
            s.addPasswordIdentity(password);
            s.auth().verify(Duration.ofSeconds(10));
            return s;
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    private boolean chpasswd(ClientSession admin, String user, String password) throws IOException {
        try (ChannelExec ch = admin.createExecChannel("LC_ALL=C sudo -k -S -p '' -- chpasswd")) {
            ch.setRedirectErrorStream(true);
            ch.open().verify(Duration.ofSeconds(10));
            try (OutputStream in = ch.getInvertedIn()) {
                in.write((adminPassword + "\n" + user + ":" + password + "\n").getBytes(StandardCharsets.UTF_8));
                in.flush();
            }
            ch.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), Duration.ofSeconds(30));
            Integer status = ch.getExitStatus();
            return status != null && status == 0;
        }
    }

    // ---------------------------------------------------------------- Rotor

    BenchRow rotor(String run, int m) throws Exception {
        resetAdminPassword();
        int k = options.concurrency();
        StringBuilder inv = new StringBuilder();
        inv.append("targets:\n")
                .append("  - id: vault\n    type: vault\n    host: localhost\n")
                .append("  - id: ssh\n    type: ssh\n    host: 127.0.0.1\n    port: ").append(port)
                .append("\n    adminAccount: zz-bench-sadmin\n")
                .append("    settings:\n      knownHosts: \"").append(knownHosts()).append("\"\n")
                .append("      adminMethod: sudo\n")
                .append("accounts:\n")
                .append("  - id: zz-bench-sadmin\n    target: ssh\n    username: ").append(ADMIN)
                .append("\n    initialSecretEnv: BENCH_SSH_ADMIN_PASSWORD\n");
        for (int i = 1; i <= m; i++) {
            inv.append("  - id: s").append(String.format("%04d", i)).append("\n    target: ssh\n    username: ")
                    .append(user(i)).append('\n');
        }
        Path dir = runDir.resolve("rotor-" + run);
        try (RotorServer server = new RotorServer(dir)) {
            server.start(repo.resolve("target/rotor.jar"), Map.of(
                            "rotor.workflow.parallelism", Integer.toString(k),
                            "rotor.workflow.target-concurrency.default", Integer.toString(k),
                            "rotor.workflow.target-concurrency.ssh", Integer.toString(k),
                            "rotor.workflow.concurrent-jobs", "1"),
                    inv.toString(), Map.of("BENCH_SSH_ADMIN_PASSWORD", adminPassword),
                    options.heap(), options.jfr(), Duration.ofMinutes(30));
            List<String[]> pairs = new ArrayList<>();
            for (int i = 1; i <= m; i++) {
                pairs.add(new String[]{"s" + String.format("%04d", i), user(i)});
            }
            server.linkVaultAccounts(pairs);
            CpuMeter cpu = CpuMeter.start();
            double rotorCpu = CpuMeter.processSeconds(server.pid());
            long start = System.nanoTime();
            JsonNode job = server.runJob("/api/v1/workflows/mass-password-reset",
                    "{\"target\": [\"ssh\"], \"vaultTarget\": \"vault\", \"vaultLinkAttribute\": \"backing_account\","
                            + " \"batchSize\": " + options.batchSize() + ", \"report\": true}", Duration.ofHours(2));
            double seconds = (System.nanoTime() - start) / 1e9;
            double rss = GcLog.peakRssMb(server.pid());
            String cpuNote = PgMassResetBench.cpuNote(cpu.busy(), CpuMeter.processSeconds(server.pid()) - rotorCpu, m + 1);
            int failed = 0;
            for (JsonNode step : job.path("steps")) {
                if (step.path("name").asText().equals("generate-and-update-backing-accounts")) {
                    failed = step.path("failed").asInt();
                }
            }
            // SKIPPED counts as a success in the job's counters: only accounts whose password changed are counted
            Path report = dir.resolve("report.sqlite");
            Files.write(report, server.get("/api/v1/jobs/" + job.path("jobId").asText() + "/report", true));
            int ok = RotorServer.countUpdateOutcome(report, "SUCCEEDED");
            double rotorCpuSeconds = CpuMeter.processSeconds(server.pid()) - rotorCpu;
            double gc = GcLog.pauseSeconds(server.gcLog(), server.jobStartUptime(), server.jobEndUptime());
            double reportSeconds = server.reportSeconds();
            server.close();
            if (!job.path("status").asText().equals("SUCCEEDED")) {
                System.out.println("  rotor job " + job.path("status").asText() + ": " + job.path("reason").asText()
                        + " (see GET /api/v1/jobs/{id}/results in " + dir + ")");
            }
            return BenchRow.of("ssh", run, "rotor", m + 1, k, seconds, ok, failed)
                    .withMemory(GcLog.peakHeapMb(server.gcLog()), rss)
                    .withCpu(rotorCpuSeconds * 1000 / (m + 1), gc / seconds)
                    .withVault(Files.size(dir.resolve("data/vault.mv.db")) / (1024.0 * 1024.0), reportSeconds)
                    .withNote("job " + job.path("status").asText() + "; " + (m + 1) + " accounts incl. its admin; " + cpuNote);
        }
    }

    // ---------------------------------------------------------------- Ansible

    BenchRow ansible(String run, int m) throws Exception {
        resetAdminPassword();
        int k = options.concurrency();
        Path dir = runDir.resolve("ansible-" + run);
        Files.createDirectories(dir.resolve("host_vars"));
        Files.createDirectories(dir.resolve("group_vars"));
        StringBuilder hosts = new StringBuilder("[bench]\n");
        for (int h = 1; h <= k; h++) {
            hosts.append("h").append(h).append(" ansible_host=127.0.0.1 ansible_port=").append(port)
                    .append(" ansible_user=").append(ADMIN).append('\n');
        }
        hosts.append("\n[bench:vars]\nansible_ssh_common_args='-o UserKnownHostsFile=").append(knownHosts())
                .append(" -o StrictHostKeyChecking=yes'\nansible_python_interpreter=/usr/bin/python3\n");
        Files.writeString(dir.resolve("inventory.ini"), hosts);
        BenchEnv.writePrivate(dir.resolve("group_vars/all.yml"), "ansible_password: "
                + PgMassResetBench.yamlString(adminPassword) + "\nansible_become_password: "
                + PgMassResetBench.yamlString(adminPassword) + "\n");
        List<StringBuilder> perHost = new ArrayList<>();
        for (int h = 0; h < k; h++) {
            perHost.add(new StringBuilder("bench_users:\n"));
        }
        for (int i = 1; i <= m; i++) {
            try (Secret pw = generator.generate(PasswordPolicy.defaults(), user(i))) {
                perHost.get((i - 1) % k).append("  - name: ").append(user(i)).append("\n    password: ")
                        .append(PgMassResetBench.yamlString(pw.reveal())).append('\n');
            }
        }
        for (int h = 0; h < k; h++) {
            BenchEnv.writePrivate(dir.resolve("host_vars/h" + (h + 1) + ".yml"), perHost.get(h).toString());
        }
        Files.writeString(dir.resolve("playbook.yml"), "- hosts: bench\n  gather_facts: false\n  become: true\n  tasks:\n"
                + "    - name: set the new password\n      ansible.builtin.user:\n"
                + "        name: \"{{ item.name }}\"\n        password: \"{{ item.password | password_hash('sha512') }}\"\n"
                + "      loop: \"{{ bench_users }}\"\n      no_log: true\n");
        ProcessBuilder pb = new ProcessBuilder("ansible-playbook", "-i", "inventory.ini", "-f", Integer.toString(k),
                "playbook.yml").directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("ansible.log").toFile());
        pb.environment().put("ANSIBLE_NOCOLOR", "1");
        pb.environment().put("ANSIBLE_RETRY_FILES_ENABLED", "0");
        pb.environment().put("PYTHONWARNINGS", "ignore::DeprecationWarning");
        CpuMeter cpu = CpuMeter.start();
        long start = System.nanoTime();
        int rc = pb.start().waitFor();
        double seconds = (System.nanoTime() - start) / 1e9;
        for (int h = 1; h <= k; h++) {
            Files.deleteIfExists(dir.resolve("host_vars/h" + h + ".yml"));
        }
        Files.deleteIfExists(dir.resolve("group_vars/all.yml"));
        int ok = rc == 0 ? m : 0;
        return BenchRow.of("ssh", run, "ansible", m, k, seconds, ok, m - ok)
                .withNote(String.format(java.util.Locale.ROOT, "ansible-playbook rc=%d; machine CPU %.0f%% busy", rc, cpu.busy() * 100));
    }
}
