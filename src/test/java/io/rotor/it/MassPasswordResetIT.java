package io.rotor.it;

import com.fasterxml.jackson.databind.JsonNode;
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
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A mass password reset through the REST API of {@code java -jar rotor.jar serve} over 500 real accounts: 300
 * PostgreSQL roles and 200 MariaDB users, each with a linked vault account. Afterwards every account's new password
 * (its vault CURRENT) logs in on the real server and its old one is refused, and every linked vault account holds
 * the same new password. The refusals (batch size 31, unknown target, malformed JSON, 10 MB, no or wrong
 * credentials, an auditor) create no job and change nothing.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MassPasswordResetIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int PG_ACCOUNTS = 300;
    private static final int MY_ACCOUNTS = 200;
    private static final String LINK = "backing_account";

    private static RealTargets targets;
    private static Path home;
    private static Path dataDir;
    private static Path log;
    private static String masterKey;
    private static String adminToken;
    private static String auditorToken;
    private static RotorProcess rotor;
    private static Process server;
    private static String base;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private static final List<String> pgUsers = new ArrayList<>();
    private static final List<String> myUsers = new ArrayList<>();
    /** MariaDB users reached through a proxy that is cut in the middle of a run (target "myp"). */
    private static final List<String> pxUsers = new ArrayList<>();
    private static final int PX_ACCOUNTS = 128;
    private static SwitchableProxy proxy;

    private static String initial(String user) {
        return "Init-" + user.hashCode() + "-pw#1";
    }

    @BeforeAll
    static void startServer() throws Exception {
        targets = RealTargets.load();
        for (int i = 0; i < PG_ACCOUNTS; i++) {
            String user = "rotor_it_mpr_pg_%03d".formatted(i);
            targets.pgCreateRole(user, initial(user).toCharArray());
            pgUsers.add(user);
        }
        for (int i = 0; i < MY_ACCOUNTS; i++) {
            String user = "rotor_it_mpr_my_%03d".formatted(i);
            targets.mariaCreateUser(user, initial(user).toCharArray());
            myUsers.add(user);
        }
        for (int i = 0; i < PX_ACCOUNTS; i++) {
            String user = "rotor_it_mpr_px_%03d".formatted(i);
            targets.mariaCreateUser(user, initial(user).toCharArray());
            pxUsers.add(user);
        }
        proxy = new SwitchableProxy(targets.mariaHost(), targets.mariaPort(), 10);
        home = Files.createTempDirectory("rotor-mpr-it-");
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
                  - id: my
                    type: mariadb
                    host: 127.0.0.1
                    port: %d
                    tls: disable
                    policy: db
                  - id: myp
                    type: mariadb
                    host: 127.0.0.1
                    port: %d
                    tls: disable
                    policy: db
                accounts:
                """.formatted(targets.pgPort(), targets.pgDatabase(), targets.mariaPort(), proxy.port()));
        for (String user : pgUsers) {
            inventory.append("  - id: ").append(user).append("\n    target: pg\n    username: ").append(user).append('\n');
        }
        for (String user : myUsers) {
            inventory.append("  - id: ").append(user).append("\n    target: my\n    username: ").append(user).append('\n');
        }
        for (String user : pxUsers) {
            inventory.append("  - id: ").append(user).append("\n    target: myp\n    username: ").append(user).append('\n');
        }
        Files.writeString(home.resolve("inventory.yaml"), inventory.toString());
        Path config = home.resolve("application.properties");
        Files.writeString(config, "rotor.inventory = " + home.resolve("inventory.yaml") + "\nrotor.data-dir = " + dataDir
                + "\nrotor.workflow.parallelism = 16\n");
        byte[] key = new byte[32];
        new java.security.SecureRandom().nextBytes(key);
        masterKey = Base64.getEncoder().encodeToString(key);
        byte[] token = new byte[32];
        new java.security.SecureRandom().nextBytes(token);
        adminToken = Base64.getUrlEncoder().withoutPadding().encodeToString(token);

        rotor = new RotorProcess(home, Map.of("ROTOR_MASTER_KEY", masterKey, "ROTOR_ADMIN_TOKEN", adminToken));
        int port;
        port = TestPorts.free();
        base = "http://127.0.0.1:" + port;
        log = home.resolve("serve.log");
        server = rotor.startLogged(List.of(), log, "serve", "--port", String.valueOf(port), "--config", config.toString());
        awaitUp();
        RotorProcess.Result created = rotor.run("token", "create", "--name", "mpr-it-auditor", "--role", "auditor",
                "--config", config.toString());
        assertThat(created.exitCode()).as(created.all()).isZero();
        auditorToken = created.stdout().trim();

        // the initial passwords, vault only, and a linked vault account per backing account (next to the server)
        try (VaultReader reader = new VaultReader(dataDir, masterKey)) {
            RotationService rotation = new RotationService(reader.vault(), new ConnectorRegistry(),
                    new PasswordGenerator(), new RotorMetrics(), Duration.ofMinutes(5), 1);
            reader.vault().templates().ensureVaultTarget("it", "vault");
            List<String> all = new ArrayList<>(pgUsers);
            all.addAll(myUsers);
            all.addAll(pxUsers);
            for (String user : all) {
                try (Secret secret = Secret.fromUtf8(initial(user).getBytes(StandardCharsets.UTF_8))) {
                    assertThat(rotation.set(user, secret, true, "it").success()).isTrue();
                    reader.vault().accounts().upsertAccount("v-" + user, "vault", user, CredentialType.PASSWORD, null);
                    assertThat(rotation.set("v-" + user, secret, true, "it").success()).isTrue();
                }
                reader.vault().attributes().setAttribute("it", "v-" + user, LINK, List.of(user));
            }
        }
    }

    @AfterAll
    static void stopServer() throws Exception {
        try {
            if (server != null) {
                server.destroy();
                assertThat(server.waitFor(60, TimeUnit.SECONDS)).as("rotor stops on SIGTERM").isTrue();
                String serverLog = Files.readString(log);
                for (String user : pgUsers) {
                    assertThat(serverLog).doesNotContain(initial(user));
                }
                assertThat(serverLog).doesNotContain("\tat ");
            }
        } finally {
            if (targets != null) {
                for (String user : pgUsers) {
                    targets.pgDropRole(user);
                }
                for (String user : myUsers) {
                    targets.mariaDropUser(user);
                }
                for (String user : pxUsers) {
                    targets.mariaDropUser(user);
                }
            }
            if (proxy != null) {
                proxy.close();
            }
            TestDirs.delete(home);
        }
    }

    @Test
    @Order(1)
    void refusedRequestsCreateNoJobAndChangeNothing() throws Exception {
        String good = """
                {"target": ["pg", "my"], "vaultTarget": "vault", "vaultLinkAttribute": "backing_account"}""";
        String path = "/api/v1/workflows/mass-password-reset";

        HttpResponse<String> small = call("POST", path, admin(), good.replace("}", ", \"batchSize\": 31}"));
        assertError(small, 400, "INVALID_FIELD");
        assertThat(small.body()).contains("batchSize").contains("at least 32 (got 31)");
        HttpResponse<String> unknown = call("POST", path, admin(), good.replace("\"my\"", "\"nowhere\""));
        assertError(unknown, 404, "NOT_FOUND");
        assertThat(unknown.body()).contains("unknown target id 'nowhere'");
        assertError(call("POST", path, admin(), "{\"target\": [\"pg\""), 400, "MALFORMED_JSON");
        assertThat(call("POST", path, admin(), "{\"x\": \"" + "a".repeat(10 * 1024 * 1024) + "\"}").statusCode()).isEqualTo(413);
        assertError(call("POST", path, null, good), 401, "UNAUTHENTICATED");
        assertError(call("POST", path, "Bearer not-a-real-token-at-all-0000000000000000", good), 401, "UNAUTHENTICATED");
        HttpResponse<String> auditor = call("POST", path, "Bearer " + auditorToken, good);
        assertError(auditor, 403, "FORBIDDEN");

        HttpResponse<String> jobs = call("GET", "/api/v1/jobs", "Bearer " + auditorToken, null);
        assertThat(jobs.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(jobs.body())).isEmpty();
        assertThat(targets.pgLogin(pgUsers.get(0), initial(pgUsers.get(0)).toCharArray())).isTrue();
    }

    @Test
    @Order(2)
    void fiveHundredAccountsOverTwoRealTargetsGetNewPasswordsInTheTargetsAndTheVault() throws Exception {
        long started = System.nanoTime();
        HttpResponse<String> accepted = call("POST", "/api/v1/workflows/mass-password-reset?report=true", admin(), """
                {"target": ["pg", "my"], "vaultTarget": "vault", "vaultLinkAttribute": "backing_account", "batchSize": 128}""");
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        String jobId = JSON.readTree(accepted.body()).get("jobId").asText();
        assertThat(accepted.headers().firstValue("Location")).hasValue("/api/v1/jobs/" + jobId);

        JsonNode job = awaitEnd(jobId);
        double seconds = (System.nanoTime() - started) / 1e9;
        System.out.printf("mass-password-reset of %d accounts (2 targets): %.1f s%n", PG_ACCOUNTS + MY_ACCOUNTS, seconds);
        assertThat(job.get("status").asText()).as(job.toString()).isEqualTo("SUCCEEDED");
        assertThat(job.get("progress").get("succeeded").asLong()).isEqualTo(2L * (PG_ACCOUNTS + MY_ACCOUNTS));

        try (VaultReader vault = new VaultReader(dataDir, masterKey)) {
            for (String user : pgUsers) {
                char[] now = vault.secret(user, Slot.CURRENT).orElseThrow();
                assertThat(targets.pgLogin(user, now)).as(user + " logs in with the new password").isTrue();
                assertThat(targets.pgLogin(user, initial(user).toCharArray())).as(user + " old password").isFalse();
                assertThat(vault.secret("v-" + user, Slot.CURRENT).orElseThrow()).isEqualTo(now);
                assertThat(vault.secret(user, Slot.PENDING)).isEmpty();
            }
            for (String user : myUsers) {
                char[] now = vault.secret(user, Slot.CURRENT).orElseThrow();
                assertThat(targets.mariaLogin(user, now)).as(user + " logs in with the new password").isTrue();
                assertThat(targets.mariaLogin(user, initial(user).toCharArray())).as(user + " old password").isFalse();
                assertThat(vault.secret("v-" + user, Slot.CURRENT).orElseThrow()).isEqualTo(now);
            }
        }
        HttpResponse<String> results = call("GET", "/api/v1/jobs/" + jobId + "/results?limit=10", "Bearer " + auditorToken, null);
        assertThat(results.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(results.body()).get("total").asLong()).isEqualTo(2L * (PG_ACCOUNTS + MY_ACCOUNTS));
        HttpResponse<byte[]> report = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/jobs/" + jobId + "/report"))
                .header("Authorization", "Bearer " + auditorToken).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(report.statusCode()).isEqualTo(200);
        assertThat(new String(report.body(), 0, 15, StandardCharsets.US_ASCII)).isEqualTo("SQLite format 3");
    }

    @Test
    @Order(3)
    void aTargetThatGoesAwayInTheMiddleOfARunGivesPartialTheOtherCompletesAndNothingIsLost() throws Exception {
        HttpResponse<String> accepted = call("POST", "/api/v1/workflows/mass-password-reset", admin(), """
                {"target": ["pg", "myp"], "vaultTarget": "vault", "vaultLinkAttribute": "backing_account", "batchSize": 32}""");
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        String jobId = JSON.readTree(accepted.body()).get("jobId").asText();
        // account ids sort pg_* before px_*: cut the proxied MariaDB once its first batch is recorded
        long cutAt = 2L * PG_ACCOUNTS + 64;
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
        JsonNode job;
        while (true) {
            job = job(jobId);
            if (job.get("progress").get("done").asLong() >= cutAt || !job.get("status").asText().matches("QUEUED|RUNNING")) {
                break;
            }
            assertThat(System.nanoTime()).as("the run reaches the proxied target").isLessThan(deadline);
            Thread.sleep(50); // polling a real server's job, as a client does
        }
        assertThat(job.get("status").asText()).as("still running when the target goes away").isEqualTo("RUNNING");
        proxy.cut();
        job = awaitEnd(jobId);
        proxy.restore();

        assertThat(job.get("status").asText()).as(job.toString()).isEqualTo("PARTIAL");
        JsonNode results = JSON.readTree(call("GET", "/api/v1/jobs/" + jobId + "/results?limit=1000", admin(), null).body());
        assertThat(results.get("total").asLong()).isEqualTo(2L * (PG_ACCOUNTS + PX_ACCOUNTS));
        int pxFailed = 0;
        int pxSucceeded = 0;
        for (JsonNode r : results.get("results")) {
            String account = r.get("accountId").asText();
            if (account.startsWith("rotor_it_mpr_pg_")) {
                assertThat(r.get("success").asBoolean()).as(r.toString()).isTrue();
            } else if (r.get("step").asText().startsWith("generate")) {
                if (r.get("success").asBoolean()) {
                    pxSucceeded++;
                } else {
                    pxFailed++;
                    assertThat(r.get("reason").asText()).as("a failure has its reason").isNotBlank();
                }
            }
        }
        assertThat(pxSucceeded).isGreaterThanOrEqualTo(32);
        assertThat(pxFailed).isPositive();

        // the target is back: settling each proxied account (a verify settles a PENDING first) loses nothing
        for (String user : pxUsers) {
            int status = 503;
            for (int attempt = 0; attempt < 20 && status == 503; attempt++) {
                status = call("POST", "/api/v1/accounts/" + user + "/verify", admin(), null).statusCode();
            }
            assertThat(status).as(user + " verified").isEqualTo(200);
        }
        try (VaultReader vault = new VaultReader(dataDir, masterKey)) {
            for (String user : pgUsers) {
                assertThat(targets.pgLogin(user, vault.secret(user, Slot.CURRENT).orElseThrow())).as(user).isTrue();
            }
            for (String user : pxUsers) {
                assertThat(vault.secret(user, Slot.PENDING)).as(user + " has nothing PENDING").isEmpty();
                assertThat(targets.mariaLogin(user, vault.secret(user, Slot.CURRENT).orElseThrow()))
                        .as(user + " logs in with its vault CURRENT").isTrue();
            }
        }
    }

    private static JsonNode awaitEnd(String jobId) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
        while (System.nanoTime() < deadline) {
            JsonNode job = job(jobId);
            String status = job.get("status").asText();
            if (!status.equals("QUEUED") && !status.equals("RUNNING")) {
                return job;
            }
            Thread.sleep(250); // polling a real server's job, as a client does
        }
        throw new AssertionError("job " + jobId + " did not end within 10 minutes");
    }

    /** The job as GET /api/v1/jobs/{id} answers it; a 503 (the audit write met a busy H2 vault) is asked again. */
    private static JsonNode job(String jobId) throws Exception {
        HttpResponse<String> response = null;
        for (int attempt = 0; attempt < 20; attempt++) {
            response = call("GET", "/api/v1/jobs/" + jobId, admin(), null);
            if (response.statusCode() == 200) {
                return JSON.readTree(response.body());
            }
            assertThat(response.statusCode()).as(response.body()).isEqualTo(503);
            Thread.sleep(100);
        }
        throw new AssertionError("GET /api/v1/jobs/" + jobId + " kept failing: " + response.body());
    }

    private static void awaitUp() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            try {
                if (HTTP.send(HttpRequest.newBuilder(URI.create(base + "/observe/health")).build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode() == 200) {
                    return;
                }
            } catch (java.io.IOException notYet) {
                // not listening yet
            }
            if (server.waitFor(250, TimeUnit.MILLISECONDS)) {
                throw new AssertionError("rotor serve exited with " + server.exitValue() + ": " + Files.readString(log));
            }
        }
        throw new AssertionError("rotor serve did not answer within 120 s");
    }

    private static HttpResponse<String> call(String method, String path, String authorization, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(120))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        if (body != null || !method.equals("GET")) { // state-changing requests must be JSON (browser safety)
            request.header("Content-Type", "application/json");
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String admin() {
        return "Bearer " + adminToken;
    }

    private static void assertError(HttpResponse<String> response, int status, String code) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(JSON.readTree(response.body()).get("code").asText()).isEqualTo(code);
    }
}
