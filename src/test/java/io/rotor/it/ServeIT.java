package io.rotor.it;

import io.rotor.domain.Secret;
import io.rotor.health.TargetHealthCheck;
import io.rotor.domain.Slot;
import io.rotor.vault.AccountLock;
import io.rotor.vault.AuditRecord;
import io.rotor.vault.Vault;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code rotor serve} as a user starts it: a crash leftover (a PENDING credential that is live on the real
 * PostgreSQL target) is recovered at start-up before the schedules start, and health and metrics are served
 * without authentication.
 */
class ServeIT {
    private static final String USER = "rotor_it_serve";
    private static final char[] OLD = "serve-old-Passw0rd ' \\".toCharArray();
    private static final char[] LIVE = "serve-live-Passw0rd ; $".toCharArray();
    private static RealTargets targets;

    @BeforeAll
    static void createRole() throws Exception {
        targets = RealTargets.load();
        targets.pgCreateRole(USER, OLD);
    }

    @AfterAll
    static void dropRole() throws Exception {
        targets.pgDropRole(USER);
    }

    @Test
    void recoversAtStartUpAndServesHealthAndMetrics() throws Exception {
        Path home = Files.createTempDirectory("rotor-serve-");
        Path dataDir = home.resolve("data");
        byte[] key = new byte[32];
        new java.security.SecureRandom().nextBytes(key);
        String masterKey = Base64.getEncoder().encodeToString(key);
        Files.writeString(home.resolve("inventory.yaml"), """
                targets:
                  - id: pg
                    type: postgresql
                    host: 127.0.0.1
                    port: %d
                    database: %s
                    tls: disable
                accounts:
                  - id: serve-pg
                    target: pg
                    username: %s
                """.formatted(targets.pgPort(), targets.pgDatabase(), USER));
        Path config = home.resolve("application.properties");
        Files.writeString(config, "rotor.inventory = " + home.resolve("inventory.yaml") + "\nrotor.data-dir = " + dataDir + "\n");
        String adminToken = io.rotor.api.Credentials.newToken();
        RotorProcess rotor = new RotorProcess(home, Map.of("ROTOR_MASTER_KEY", masterKey, "ROTOR_ADMIN_TOKEN", adminToken));
        assertThat(rotor.run("inventory", "apply", "--config", config.toString()).exitCode()).isZero();
        assertThat(rotor.run(("%s%n".formatted(new String(OLD))).getBytes(StandardCharsets.UTF_8),
                "set", "--account", "serve-pg", "--value-stdin", "--vault-only", "--config", config.toString()).exitCode()).isZero();

        // a crash between "changed on the target" and "committed": PENDING is stored and is what the target has
        try (VaultReader reader = new VaultReader(dataDir, masterKey)) {
            Vault vault = reader.vault();
            AccountLock lock = vault.accounts().tryLock("serve-pg", Duration.ofMinutes(5)).orElseThrow();
            vault.credentials().writePending(lock, "crashed", Secret.of(LIVE.clone()),
                    AuditRecord.of("test", "PENDING_WRITTEN", "serve-pg", "pg", "crashed", "PENDING", null));
            vault.accounts().unlock(lock);
        }
        try (java.sql.Connection c = targets.pgAdminConnection(); java.sql.Statement s = c.createStatement()) {
            s.execute("ALTER ROLE " + USER + " PASSWORD '" + new String(LIVE).replace("'", "''") + "'");
        }

        int port;
        port = TestPorts.free();
        Path log = home.resolve("serve.log");
        Process server = rotor.startLogged(List.of(), log, "serve", "--port", String.valueOf(port), "--config", config.toString());
        try {
            HttpClient http = HttpClient.newHttpClient();
            String health = awaitUp(http, server, "http://127.0.0.1:" + port + "/observe/health");
            assertThat(health).contains("\"status\":\"UP\"").contains("vault").contains("target-pg");
            // public health: names and states only, even when asked for more
            String full = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                    + "/observe/health?exposureLevel=full&data=true&stackTrace=true")).build(), HttpResponse.BodyHandlers.ofString()).body();
            assertThat(full).contains("target-pg").doesNotContain(String.valueOf(targets.pgPort()))
                    .doesNotContain(TargetHealthCheck.CLEAR_TEXT_WARNING).doesNotContain("keyset");
            // a target with TLS available but switched off is flagged in the detailed health (admin, auditor)
            String detail = "";
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!detail.contains("\"targetId\":\"pg\"") && System.nanoTime() < until) {
                detail = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/health/targets"))
                        .header("Authorization", "Bearer " + adminToken).build(), HttpResponse.BodyHandlers.ofString()).body();
                if (!detail.contains("\"targetId\":\"pg\"")) {
                    server.waitFor(250, TimeUnit.MILLISECONDS); // the first scheduled round has not ended yet
                }
            }
            assertThat(detail).contains(TargetHealthCheck.CLEAR_TEXT_WARNING).contains("127.0.0.1:" + targets.pgPort())
                    .contains("\"state\":\"UP\"");

            try (VaultReader reader = new VaultReader(dataDir, masterKey)) {
                assertThat(reader.vault().credentials().has("serve-pg", Slot.PENDING)).isFalse();
                assertThat(new String(reader.secret("serve-pg", Slot.CURRENT).orElseThrow())).isEqualTo(new String(LIVE));
                assertThat(reader.audit()).anySatisfy(a -> {
                    assertThat(a.operation()).isEqualTo("RECOVER");
                    assertThat(a.outcome()).isEqualTo("RECOVERED_FORWARD");
                });
            }
            assertThat(targets.pgLogin(USER, LIVE)).isTrue();

            String metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/observe/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            assertThat(metrics).contains("rotor_operations_total{").contains("operation=\"recover\"")
                    .contains("outcome=\"RECOVERED_FORWARD\"").contains("rotor_target_latency_seconds_count{");
        } finally {
            server.destroy();
            assertThat(server.waitFor(60, TimeUnit.SECONDS)).as("rotor stops on SIGTERM").isTrue();
        }
        String output = Files.readString(log);
        assertThat(output).doesNotContain(new String(OLD)).doesNotContain(new String(LIVE)).doesNotContain("\tat ");
        TestDirs.delete(home);
    }

    /** Polls the health endpoint until it answers; the wait is the server process itself, so a crash ends it early. */
    private static String awaitUp(HttpClient http, Process server, String url) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url)).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    return response.body();
                }
            } catch (java.io.IOException notYet) {
                // not listening yet
            }
            if (server.waitFor(250, TimeUnit.MILLISECONDS)) {
                throw new AssertionError("rotor serve exited with " + server.exitValue() + " before it served health");
            }
        }
        throw new AssertionError("rotor serve did not answer " + url + " within 90 s");
    }
}
