package io.rotor.it;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.rotor.connector.ConnectorRegistry;
import io.rotor.domain.CredentialType;
import io.rotor.domain.PasswordGenerator;
import io.rotor.domain.Secret;
import io.rotor.domain.Slot;
import io.rotor.workflow.RotationService;
import io.rotor.workflow.RotorMetrics;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The protocol survives kill -9 (docs/architecture.md, "Leases" and "Linked vault accounts"): {@value #ACCOUNTS} real
 * PostgreSQL roles, each with a linked vault account, go through 10 rounds of: start a mass password reset
 * through the API, kill -9 {@code rotor serve} at a random moment, start it again. After each restart there is no
 * account left PENDING, every backing account's CURRENT opens a real login, and every linked vault account holds its
 * backing account's CURRENT. The tally of every round is printed.
 */
class MassResetKillIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int ACCOUNTS = 500;
    /** 10 by default (the requirement); {@code -Drotor.it.kill.rounds=N} for a shorter local check. */
    private static final int ROUNDS = Integer.getInteger("rotor.it.kill.rounds", 10);
    private static final String LINK = "backing_account";
    private static final String PREFIX = "rotor_it_pc_";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    private static RealTargets targets;
    private static Path home;
    private static Path dataDir;
    private static Path config;
    private static Path log;
    private static String masterKey;
    private static String adminToken;
    private static RotorProcess rotor;
    private static Process server;
    private static String base;
    private static final List<String> users = new ArrayList<>();

    private static String initial(String user) {
        return "Init-" + user.hashCode() + "-pw#1";
    }

    @BeforeAll
    static void startServer() throws Exception {
        targets = RealTargets.load();
        for (int i = 0; i < ACCOUNTS; i++) {
            String user = PREFIX + "%03d".formatted(i);
            targets.pgCreateRole(user, initial(user).toCharArray());
            users.add(user);
        }
        home = Files.createTempDirectory("rotor-kill-it-");
        dataDir = home.resolve("data");
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
        Files.writeString(home.resolve("inventory.yaml"), inventory.toString());
        config = home.resolve("application.properties");
        // short leases and quiet period so that a restart settles everything within seconds; the worst case of an
        // operation, (2 x 3 + 5) x 5 s, fits in the default max hold
        Files.writeString(config, "rotor.inventory = " + home.resolve("inventory.yaml") + "\nrotor.data-dir = " + dataDir
                + "\nrotor.workflow.parallelism = 8\nrotor.rotation.lock-lifetime-seconds = 4"
                + "\nrotor.rotation.call-timeout-seconds = 5\nrotor.rotation.unknown-quiet-seconds = 3"
                + "\nrotor.recovery.retry-period-seconds = 2\n");
        byte[] key = new byte[32];
        new java.security.SecureRandom().nextBytes(key);
        masterKey = Base64.getEncoder().encodeToString(key);
        byte[] token = new byte[32];
        new java.security.SecureRandom().nextBytes(token);
        adminToken = Base64.getUrlEncoder().withoutPadding().encodeToString(token);
        rotor = new RotorProcess(home, Map.of("ROTOR_MASTER_KEY", masterKey, "ROTOR_ADMIN_TOKEN", adminToken));
        base = "http://127.0.0.1:" + TestPorts.free();
        log = home.resolve("serve.log");
        start();

        // the initial passwords, vault only, and a linked vault account per backing account (next to the server)
        try (VaultReader reader = new VaultReader(dataDir, masterKey)) {
            RotationService rotation = new RotationService(reader.vault(), new ConnectorRegistry(),
                    new PasswordGenerator(), new RotorMetrics(), Duration.ofMinutes(5), 1);
            reader.vault().templates().ensureVaultTarget("it", "vault");
            for (String user : users) {
                try (Secret secret = Secret.fromUtf8(initial(user).getBytes(StandardCharsets.UTF_8))) {
                    assertThat(rotation.set(user, secret, true, "it").success()).isTrue();
                    reader.vault().accounts().upsertAccount("v-" + user, "vault", user, CredentialType.PASSWORD, null);
                    assertThat(rotation.set("v-" + user, secret, true, "it").success()).isTrue();
                }
                reader.vault().attributes().setAttribute("it", "v-" + user, LINK, List.of(user));
            }
        }
    }

    private static void start() throws Exception {
        server = rotor.startLogged(List.of(), log, "serve", "--port", base.substring(base.lastIndexOf(':') + 1),
                "--config", config.toString());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240); // a loaded 2-core machine starts slowly
        while (true) {
            try {
                ServeProcesses.awaitUp(HTTP, server, base + "/observe/health");
                return;
            } catch (AssertionError slow) {
                if (!server.isAlive() || System.nanoTime() > deadline) {
                    throw slow;
                }
            }
        }
    }

    @AfterAll
    static void stopServer() throws Exception {
        try {
            ServeProcesses.stop(server);
            if (log != null && Files.exists(log)) {
                String serverLog = Files.readString(log);
                for (String user : users) {
                    assertThat(serverLog).doesNotContain(initial(user));
                }
            }
        } finally {
            if (targets != null) {
                for (String user : users) {
                    targets.pgDropRole(user);
                }
            }
            TestDirs.delete(home);
        }
    }

    /** One round's findings after the restart. */
    private record Tally(int round, long killedAfterMs, int resultsRecorded, int pending, int loginFailures,
                         int linkedOutOfStep, int rotated, long settleMs) {
        String row() {
            return "%5d | %9d | %8d | %7d | %13d | %16d | %7d | %9d".formatted(round, killedAfterMs, resultsRecorded,
                    pending, loginFailures, linkedOutOfStep, rotated, settleMs);
        }
    }

    @Test
    void killingServeDuringMassResetsLeavesNothingPendingNoDeadPasswordAndNoLinkedAccountOutOfStep() throws Exception {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        List<Tally> tallies = new ArrayList<>();
        for (int round = 1; round <= ROUNDS; round++) {
            HttpResponse<String> accepted = call("POST", "/api/v1/workflows/mass-password-reset", """
                    {"target": ["pg"], "vaultTarget": "vault", "vaultLinkAttribute": "backing_account", "batchSize": 64}""");
            assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
            String jobId = JSON.readTree(accepted.body()).get("jobId").asText();
            long killAfter = 500 + random.nextInt(6_000);
            Thread.sleep(killAfter); // the random moment of the crash
            server.destroyForcibly(); // SIGKILL: no shutdown hook, no rollback in Rotor
            assertThat(server.waitFor(30, TimeUnit.SECONDS)).isTrue();

            long restarted = System.nanoTime();
            start();
            tallies.add(tally(round, killAfter, jobId, restarted));
            System.out.println("round " + round + ": " + tallies.get(tallies.size() - 1));
        }
        System.out.println("kill -9 during mass password reset: " + ACCOUNTS + " PostgreSQL roles with linked vault accounts,"
                + " " + ROUNDS + " rounds (seed " + seed + ")");
        System.out.println("round | killed ms | job rows | pending | login failures | linked out of step | rotated | settle ms");
        tallies.forEach(t -> System.out.println(t.row()));
        assertThat(tallies).allSatisfy(t -> {
            assertThat(t.pending()).as("round %d: accounts PENDING", t.round()).isZero();
            assertThat(t.loginFailures()).as("round %d: backing CURRENT fails a real login", t.round()).isZero();
            assertThat(t.linkedOutOfStep()).as("round %d: linked vault accounts out of step", t.round()).isZero();
        });
        assertThat(tallies.stream().mapToInt(Tally::rotated).sum()).as("the kills hit running resets").isPositive();
    }

    /** After a restart: waits for recovery to settle every PENDING (bounded), then checks every pair for real. */
    private Tally tally(int round, long killedAfter, String jobId, long restarted) throws Exception {
        try (VaultReader vault = new VaultReader(dataDir, masterKey)) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            int pending = vault.vault().accounts().accountsWithPending().size();
            while (pending > 0 && System.nanoTime() < deadline) {
                Thread.sleep(250); // the server's recovery timer settles them; this only watches
                pending = vault.vault().accounts().accountsWithPending().size();
            }
            long settleMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - restarted);
            int recorded = (int) vault.vault().jobResults().count(jobId);
            int rotated = 0;
            int outOfStep = 0;
            List<char[]> currents = new ArrayList<>();
            for (String user : users) {
                char[] current = vault.secret(user, Slot.CURRENT).orElseThrow();
                char[] mirrored = vault.secret("v-" + user, Slot.CURRENT).orElseThrow();
                if (!Arrays.equals(current, mirrored)) {
                    outOfStep++;
                }
                if (!new String(current).equals(initial(user))) {
                    rotated++;
                }
                currents.add(current);
            }
            int loginFailures = 0;
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<Boolean>> logins = new ArrayList<>();
                for (int i = 0; i < users.size(); i++) {
                    String user = users.get(i);
                    char[] password = currents.get(i);
                    logins.add(pool.submit(() -> targets.pgLogin(user, password)));
                }
                for (Future<Boolean> login : logins) {
                    loginFailures += login.get(60, TimeUnit.SECONDS) ? 0 : 1;
                }
            } finally {
                pool.shutdownNow();
            }
            return new Tally(round, killedAfter, recorded, pending, loginFailures, outOfStep, rotated, settleMs);
        }
    }

    private static HttpResponse<String> call(String method, String path, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(120))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("Authorization", "Bearer " + adminToken);
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
