package io.rotor.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rotor.config.InventoryApplier;
import io.rotor.config.InventoryLoader;
import io.rotor.connector.ConnectorRegistry;
import io.rotor.domain.CredentialType;
import io.rotor.domain.PasswordGenerator;
import io.rotor.domain.Secret;
import io.rotor.domain.Slot;
import io.rotor.vault.ClusterRepository;
import io.rotor.vault.MasterKey;
import io.rotor.vault.StoredCredential;
import io.rotor.vault.Vault;
import io.rotor.workflow.RotationService;
import io.rotor.workflow.RotorMetrics;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitAdmin;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Three {@code rotor serve} nodes (separate processes, the same jar) on one real PostgreSQL vault and the real
 * RabbitMQ (docs/architecture.md, "Cluster"):
 * <ol>
 *   <li>a mass password reset of {@value #ROLES} real PostgreSQL roles, each with a linked vault account, started on
 *       node 1; {@code kill -9} of a node holding batches once a quarter is done; the job completes on the others;
 *       every role logs in with the vault's CURRENT and refuses its old password; nothing is PENDING; every linked
 *       vault account holds its backing account's CURRENT. The tally and the batches each node ran are printed;</li>
 *   <li>the rotation-check schedule (every 2 s) fired exactly once per period across the three nodes over the whole
 *       run, which includes the kill above and the killed node's restart.</li>
 * </ol>
 * The vault is the database {@value #VAULT_DB} on 127.0.0.1:5432 ({@code -Drotor.it.vault.user/password}, default
 * postgres/postgres); the roles live on the project's PostgreSQL target; broker names start with {@value #PREFIX}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    // 500 by default keeps the CI run within its budget; -Drotor.it.cluster.roles=2000 for the full-size run
    private static final int ROLES = Integer.getInteger("rotor.it.cluster.roles", 500);
    private static final int NODES = 3;
    private static final String PREFIX = "rotor_it_clu_";
    private static final String VAULT_DB = "rotor_it_clu_vault";
    private static final String VAULT_HOST_URL = "jdbc:postgresql://127.0.0.1:5432/";
    private static final String LINK = "backing_account";
    private static final String SCHEDULE = "rotation-check";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    private static RealTargets targets;
    private static Path home;
    private static String masterKey;
    private static String adminToken;
    private static String queuePrefix;
    private static String vaultUser;
    private static String vaultPassword;
    private static Vault vault;
    private static final Process[] servers = new Process[NODES + 1];
    private static final String[] bases = new String[NODES + 1];
    private static final RotorProcess[] rotors = new RotorProcess[NODES + 1];
    private static final List<String> users = new ArrayList<>();
    private static Instant clusterUp;
    private static int killedNode;

    private static String initial(int i) {
        return "Init-" + i + "-clu#1x";
    }

    @BeforeAll
    static void startCluster() throws Exception {
        targets = RealTargets.load();
        vaultUser = System.getProperty("rotor.it.vault.user", "postgres");
        vaultPassword = System.getProperty("rotor.it.vault.password", "postgres");
        try (Connection c = DriverManager.getConnection(VAULT_HOST_URL + "postgres", vaultUser, vaultPassword);
             Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + VAULT_DB + " WITH (FORCE)");
            s.execute("CREATE DATABASE " + VAULT_DB);
            // commits of this scratch database do not wait for the disk: the test kills Rotor, never PostgreSQL, and a
            // committed transaction survives a client's kill -9 either way
            s.execute("ALTER DATABASE " + VAULT_DB + " SET synchronous_commit = off");
        }
        long started = System.nanoTime();
        dropRoles();
        try (Connection c = targets.pgAdminConnection(); Statement s = c.createStatement()) {
            // one round trip for every role (the test's set-up, not Rotor's work)
            s.execute("DO $$ BEGIN FOR i IN 0.." + (ROLES - 1) + " LOOP EXECUTE format('CREATE ROLE %I LOGIN PASSWORD %L',"
                    + " '" + PREFIX + "' || lpad(i::text, 4, '0'), 'Init-' || i || '-clu#1x'); END LOOP; END $$");
        }
        for (int i = 0; i < ROLES; i++) {
            users.add(PREFIX + "%04d".formatted(i));
        }
        System.out.println("cluster IT: " + ROLES + " roles created in " + ms(started) + " ms");

        home = Files.createTempDirectory("rotor-cluster-it-");
        byte[] key = new byte[32];
        new java.security.SecureRandom().nextBytes(key);
        masterKey = Base64.getEncoder().encodeToString(key);
        byte[] token = new byte[32];
        new java.security.SecureRandom().nextBytes(token);
        adminToken = Base64.getUrlEncoder().withoutPadding().encodeToString(token);
        queuePrefix = PREFIX + Long.toHexString(System.nanoTime());

        // the inventory and the initial pairs, written into the vault by the test before the nodes start
        StringBuilder inventory = new StringBuilder("""
                policies:
                  - id: db
                    minLength: 20
                    maxLength: 28
                    minUpper: 1
                    minLower: 1
                    minDigit: 1
                targets:
                  - id: pg
                    type: postgresql
                    host: 127.0.0.1
                    port: %d
                    database: %s
                    tls: disable
                    policy: db
                    settings:
                      statementTimeoutSeconds: 2
                accounts:
                """.formatted(targets.pgPort(), targets.pgDatabase()));
        for (String user : users) {
            inventory.append("  - id: ").append(user).append("\n    target: pg\n    username: ").append(user).append('\n');
        }
        Path inventoryFile = home.resolve("inventory.yaml");
        Files.writeString(inventoryFile, inventory.toString());
        vault = Vault.open(VAULT_HOST_URL + VAULT_DB, vaultUser, vaultPassword, home.resolve("test-data"),
                MasterKey.load(masterKey, home.resolve("unused.key")), 16);
        new InventoryApplier(vault, Map.of()).apply(InventoryLoader.load(inventoryFile));
        // the admin token once, here, rather than three nodes racing to bootstrap it
        new io.rotor.api.AuthStore(vault.tokens()).bootstrapAdminToken(io.rotor.api.Credentials.tokenHash(adminToken));
        RotationService rotation = new RotationService(vault, new ConnectorRegistry(), new PasswordGenerator(),
                new RotorMetrics(), Duration.ofMinutes(5), 1);
        vault.templates().ensureVaultTarget("it", "vault");
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            List<Future<?>> writes = new ArrayList<>();
            for (int i = 0; i < ROLES; i++) {
                int n = i;
                writes.add(pool.submit(() -> {
                    String user = users.get(n);
                    try (Secret secret = Secret.fromUtf8(initial(n).getBytes(StandardCharsets.UTF_8))) {
                        assertThat(rotation.set(user, secret, true, "it").success()).isTrue();
                        vault.accounts().upsertAccount("v-" + user, "vault", user, CredentialType.PASSWORD, null);
                        assertThat(rotation.set("v-" + user, secret, true, "it").success()).isTrue();
                    }
                    vault.attributes().setAttribute("it", "v-" + user, LINK, List.of(user));
                    return null;
                }));
            }
            for (Future<?> write : writes) {
                write.get(120, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        System.out.println("cluster IT: vault prepared in " + ms(started) + " ms");

        for (int n = 1; n <= NODES; n++) {
            bases[n] = "http://127.0.0.1:" + TestPorts.free();
            Path nodeHome = Files.createDirectories(home.resolve("node" + n));
            Files.writeString(nodeHome.resolve("application.properties"), String.join("\n",
                    "rotor.inventory = " + nodeHome.resolve("no-inventory.yaml"),
                    "rotor.data-dir = " + nodeHome.resolve("data"),
                    "rotor.vault.url = " + VAULT_HOST_URL + VAULT_DB,
                    "rotor.vault.username = " + vaultUser,
                    "rotor.cluster.enabled = true",
                    "rotor.cluster.node-id = node" + n,
                    "rotor.cluster.rabbitmq-url = amqp://guest@127.0.0.1:5672/",
                    "rotor.cluster.queue-prefix = " + queuePrefix,
                    "rotor.cluster.heartbeat-seconds = 1",
                    "rotor.cluster.node-timeout-seconds = 5",
                    "rotor.cluster.quartz-checkin-millis = 2000",
                    "rotor.schedules.rotation-check-cron = 0/2 * * * * ?",
                    "rotor.workflow.parallelism = 8",
                    "rotor.rotation.lock-lifetime-seconds = 15",
                    "rotor.rotation.call-timeout-seconds = 5",
                    "rotor.rotation.unknown-quiet-seconds = 3",
                    "rotor.recovery.retry-period-seconds = 2", ""));
            rotors[n] = new RotorProcess(nodeHome, Map.of("ROTOR_MASTER_KEY", masterKey, "ROTOR_ADMIN_TOKEN", adminToken,
                    "ROTOR_VAULT_PASSWORD", vaultPassword));
        }
        for (int n = 1; n <= NODES; n++) {
            start(n);
        }
        for (int n = 1; n <= NODES; n++) {
            awaitUp(n);
        }
        clusterUp = Instant.now();
        System.out.println("cluster IT: three nodes up after " + ms(started) + " ms");
    }

    private static void start(int n) throws Exception {
        Path nodeHome = home.resolve("node" + n);
        servers[n] = rotors[n].startLogged(List.of("-Xmx384m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"), nodeHome.resolve("serve.log"), "serve", "--port",
                bases[n].substring(bases[n].lastIndexOf(':') + 1), "--config", nodeHome.resolve("application.properties").toString());
    }

    private static void awaitUp(int n) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(420); // three JVMs start at once on a loaded machine
        while (true) {
            try {
                String health = ServeProcesses.awaitUp(HTTP, servers[n], bases[n] + "/observe/health/ready");
                assertThat(JSON.readTree(health).path("role").asText()).isEqualTo("cluster-member");
                return;
            } catch (AssertionError slow) {
                if (!servers[n].isAlive() || System.nanoTime() > deadline) {
                    throw slow;
                }
            }
        }
    }

    @AfterAll
    static void stopCluster() throws Exception {
        try {
            for (int n = 1; n <= NODES; n++) {
                stop(servers[n]);
            }
            for (int n = 1; n <= NODES; n++) {
                Path log = home == null ? null : home.resolve("node" + n).resolve("serve.log");
                if (log != null && Files.exists(log)) {
                    String text = Files.readString(log);
                    for (int i = 0; i < ROLES; i += 97) {
                        assertThat(text).as("node %d's log", n).doesNotContain(initial(i));
                    }
                }
            }
        } finally {
            if (vault != null) {
                vault.close();
            }
            CachingConnectionFactory broker = new CachingConnectionFactory("127.0.0.1", 5672);
            try {
                RabbitAdmin admin = new RabbitAdmin(broker);
                admin.deleteQueue(queuePrefix + ".job-batches");
                admin.deleteQueue(queuePrefix + ".job-batches.dead");
                admin.deleteExchange(queuePrefix + ".jobs");
                admin.deleteExchange(queuePrefix + ".jobs.dead");
            } catch (RuntimeException e) {
                System.out.println("cluster IT: broker clean-up failed: " + e.getMessage());
            } finally {
                broker.destroy();
            }
            if (targets != null) {
                dropRoles();
            }
            if (home != null) {
                // the nodes' logs stay for a look after the run
                Path logs = Files.createDirectories(Path.of("target", "cluster-it-logs"));
                for (int n = 1; n <= NODES; n++) {
                    Path log = home.resolve("node" + n).resolve("serve.log");
                    if (Files.exists(log)) {
                        Files.copy(log, logs.resolve("node" + n + ".log"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            }
            TestDirs.delete(home);
        }
    }

    /** SIGTERM, and SIGKILL when a loaded machine takes more than two minutes to stop it. */
    private static void stop(Process server) throws InterruptedException {
        if (server != null && server.isAlive()) {
            server.destroy();
            if (!server.waitFor(120, TimeUnit.SECONDS)) {
                server.destroyForcibly();
                server.waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    private static void dropRoles() throws Exception {
        try (Connection c = targets.pgAdminConnection(); Statement s = c.createStatement()) {
            s.execute("DO $$ DECLARE r record; BEGIN FOR r IN SELECT rolname FROM pg_roles WHERE rolname LIKE '"
                    + PREFIX + "%' LOOP EXECUTE format('DROP ROLE %I', r.rolname); END LOOP; END $$");
        }
    }

    @Test
    @Order(1)
    void massResetStartedOnNodeOneCompletesOnTheOthersAfterKillingTheNodeHoldingBatches() throws Exception {
        long started = System.nanoTime();
        HttpResponse<String> accepted = call(1, "POST", "/api/v1/workflows/mass-password-reset", """
                {"target": ["pg"], "vaultTarget": "vault", "vaultLinkAttribute": "backing_account", "batchSize": 50}""");
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        String jobId = JSON.readTree(accepted.body()).get("jobId").asText();

        // a quarter done: kill -9 a node that holds batches right now
        long total = 2L * ROLES;
        // bounded, but generous: the shared test machine may run at a load of 40 on 2 cores
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(30);
        Map<String, Integer> holding = Map.of();
        while (System.nanoTime() < deadline) {
            JsonNode job = JSON.readTree(call(2, "GET", "/api/v1/jobs/" + jobId, null).body());
            holding = runningBatches(jobId);
            if (job.path("progress").path("done").asLong() >= total / 4 && !holding.isEmpty()) {
                break;
            }
            assertThat(job.path("status").asText()).as("job ended before the kill").isIn("QUEUED", "RUNNING");
            Thread.sleep(200);
        }
        assertThat(holding).as("a node holds batches a quarter into the job").isNotEmpty();
        killedNode = Integer.parseInt(holding.keySet().iterator().next().substring("node".length()));
        long doneAtKill = JSON.readTree(call(2, "GET", "/api/v1/jobs/" + jobId, null).body()).path("progress").path("done").asLong();
        servers[killedNode].destroyForcibly(); // SIGKILL: its unacknowledged batches go back to the queue
        assertThat(servers[killedNode].waitFor(30, TimeUnit.SECONDS)).isTrue();
        System.out.println("cluster IT: killed node" + killedNode + " holding batches " + holding + " at " + doneAtKill
                + "/" + total + " results, " + ms(started) + " ms into the job");

        int survivor = killedNode == 1 ? 2 : 1;
        int other = killedNode == 3 ? 2 : 3;
        JsonNode job;
        while (true) {
            job = JSON.readTree(call(survivor, "GET", "/api/v1/jobs/" + jobId, null).body());
            if (!job.path("status").asText().matches("QUEUED|RUNNING")) {
                break;
            }
            assertThat(System.nanoTime()).as("job %s did not end: %s", jobId, job).isLessThan(deadline);
            Thread.sleep(500);
        }
        long jobMs = ms(started);
        JsonNode seenElsewhere = JSON.readTree(call(other, "GET", "/api/v1/jobs/" + jobId, null).body());
        assertThat(seenElsewhere.path("progress").path("done").asLong()).as("the same numbers from another node").isEqualTo(job.path("progress").path("done").asLong());
        assertThat(seenElsewhere.path("progress").path("succeeded").asLong()).isEqualTo(job.path("progress").path("succeeded").asLong());

        // nothing PENDING (the clustered reconcile-retry settles what the dead node left), every pair in step
        long settleDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        int pending = vault.accounts().accountsWithPending().size();
        while (pending > 0 && System.nanoTime() < settleDeadline) {
            Thread.sleep(250);
            pending = vault.accounts().accountsWithPending().size();
        }
        int outOfStep = 0;
        int rotated = 0;
        List<char[]> currents = new ArrayList<>();
        for (int i = 0; i < ROLES; i++) {
            char[] current = secret(users.get(i));
            if (!Arrays.equals(current, secret("v-" + users.get(i)))) {
                outOfStep++;
            }
            if (!new String(current).equals(initial(i))) {
                rotated++;
            }
            currents.add(current);
        }
        int currentRefused = 0;
        int oldAccepted = 0;
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            List<Future<int[]>> logins = new ArrayList<>();
            for (int i = 0; i < ROLES; i++) {
                int n = i;
                logins.add(pool.submit(() -> new int[] {
                        targets.pgLogin(users.get(n), currents.get(n)) ? 0 : 1,
                        targets.pgLogin(users.get(n), initial(n).toCharArray()) ? 1 : 0}));
            }
            for (Future<int[]> login : logins) {
                int[] outcome = login.get(120, TimeUnit.SECONDS);
                currentRefused += outcome[0];
                oldAccepted += outcome[1];
            }
        } finally {
            pool.shutdownNow();
        }
        Map<String, Integer> perNode = vault.cluster().batchesPerNode(jobId);
        System.out.println("cluster IT: mass password reset of " + ROLES + " PostgreSQL roles on " + NODES + " nodes, node"
                + killedNode + " killed");
        System.out.println("  job " + job.path("status").asText() + " in " + jobMs + " ms: total " + job.path("progress").path("total")
                + ", done " + job.path("progress").path("done") + ", succeeded " + job.path("progress").path("succeeded") + ", failed " + job.path("progress").path("failed"));
        System.out.println("  rotated " + rotated + ", PENDING " + pending + ", CURRENT refused " + currentRefused
                + ", old password accepted " + oldAccepted + ", linked vault accounts out of step " + outOfStep);
        System.out.println("  batches taken per node (a redelivered batch counts for each node that took it): " + perNode);

        assertThat(job.path("status").asText()).as(job.toString()).isEqualTo("SUCCEEDED");
        assertThat(job.path("progress").path("done").asLong()).isEqualTo(total);
        assertThat(job.path("progress").path("failed").asLong()).isZero();
        assertThat(pending).as("accounts PENDING").isZero();
        assertThat(currentRefused).as("roles refusing the vault's CURRENT").isZero();
        assertThat(oldAccepted).as("roles still accepting the old password").isZero();
        assertThat(outOfStep).as("linked vault accounts out of step").isZero();
        assertThat(rotated).isEqualTo(ROLES);
        assertThat(perNode.keySet()).as("the other nodes ran batches").contains("node" + survivor, "node" + other);
        // nodes listed by any node, with their heartbeats
        JsonNode cluster = JSON.readTree(call(other, "GET", "/api/v1/cluster", null).body());
        System.out.println("  GET /api/v1/cluster: " + cluster);
        assertThat(cluster.path("nodes").size()).isEqualTo(NODES);
    }

    @Test
    @Order(2)
    void scheduleFiresOncePerPeriodAcrossTheNodesAlsoWhileANodeIsKilledAndRestarted() throws Exception {
        if (killedNode == 0) {
            // run alone: kill one node here
            killedNode = 2;
            servers[killedNode].destroyForcibly();
            assertThat(servers[killedNode].waitFor(30, TimeUnit.SECONDS)).isTrue();
            Thread.sleep(6_000);
        }
        Instant restartAt = Instant.now();
        start(killedNode);
        awaitUp(killedNode);
        Instant restarted = Instant.now();
        Thread.sleep(10_000); // five more periods with all three nodes
        List<ClusterRepository.Fire> fires = vault.cluster().fires(SCHEDULE).stream()
                .filter(f -> !f.scheduledAt().isBefore(clusterUp)).toList();
        Map<Instant, List<String>> perPeriod = new TreeMap<>();
        fires.forEach(f -> perPeriod.computeIfAbsent(f.scheduledAt(), k -> new ArrayList<>()).add(f.nodeId()));
        List<Instant> periods = new ArrayList<>(perPeriod.keySet());
        List<Instant> missing = new ArrayList<>();
        for (int i = 1; i < periods.size(); i++) {
            for (Instant t = periods.get(i - 1).plusSeconds(2); t.isBefore(periods.get(i)); t = t.plusSeconds(2)) {
                missing.add(t);
            }
        }
        Map<Instant, List<String>> doubled = perPeriod.entrySet().stream().filter(e -> e.getValue().size() > 1)
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
        Map<String, Long> perNode = fires.stream().collect(Collectors.groupingBy(ClusterRepository.Fire::nodeId,
                TreeMap::new, Collectors.counting()));
        System.out.println("cluster IT: schedule '" + SCHEDULE + "' every 2 s from " + periods.get(0) + " to "
                + periods.get(periods.size() - 1) + ": " + periods.size() + " periods, fired per node " + perNode
                + ", node" + killedNode + " restarted at " + restartAt + " (up " + restarted + "), doubled " + doubled
                + ", missing " + missing);
        assertThat(periods.size()).as("periods observed").isGreaterThanOrEqualTo(20);
        assertThat(doubled).as("periods fired on more than one node").isEmpty();
        assertThat(missing).as("periods that did not fire").isEmpty();
        assertThat(periods.get(periods.size() - 1)).as("fires after the restart").isAfter(restarted);
    }

    /** node id → batches RUNNING on it for the job, read from the vault. */
    private static Map<String, Integer> runningBatches(String jobId) throws Exception {
        Map<String, Integer> running = new HashMap<>();
        try (Connection c = DriverManager.getConnection(VAULT_HOST_URL + VAULT_DB, vaultUser, vaultPassword);
             var s = c.prepareStatement("SELECT node_id, COUNT(*) FROM cluster_job_batches WHERE job_id = ?"
                     + " AND status = 'RUNNING' GROUP BY node_id")) {
            s.setString(1, jobId);
            try (var r = s.executeQuery()) {
                while (r.next()) {
                    running.put(r.getString(1), r.getInt(2));
                }
            }
        }
        return running;
    }

    private static char[] secret(String accountId) {
        try (StoredCredential credential = vault.credentials().read(accountId, Slot.CURRENT).orElseThrow()) {
            return credential.secret().chars();
        }
    }

    private static long ms(long since) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - since);
    }

    private static HttpResponse<String> call(int node, String method, String path, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(bases[node] + path)).timeout(Duration.ofSeconds(60))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("Authorization", "Bearer " + adminToken);
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
