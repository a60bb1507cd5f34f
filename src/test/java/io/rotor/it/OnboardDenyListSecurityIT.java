package io.rotor.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rotor.domain.Slot;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The onboarding deny-list against the real PostgreSQL, through the REST API of a real {@code rotor serve}: a
 * superuser role {@value #SUPER} that the discovery filter matches is listed as refused (with the reason) by the
 * dry run, and the run leaves its password working while it onboards the ordinary role next to it. An operator may
 * not onboard at all, and an admin's request without a filter is refused.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OnboardDenyListSecurityIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String SUPER = "rotor_it_ob_super";
    private static final String USER = "rotor_it_ob_user";
    private static final String ONBOARD = """
            {"target": ["pg"], "vaultUserTarget": "staff", "vaultTarget": "vault",
             "vaultAssociationAttribute": "owners", "vaultGroupAttribute": "groups",
             "vaultLinkAttribute": "backing_account", "vaultTemplateId": "db-admins", "batchSize": 32%s}""";
    private static final String FILTER = ", \"discoveryFilter\": \"rotor\\\\_it\\\\_ob\\\\_%\"";

    private static RealTargets targets;
    private static Path home;
    private static Path dataDir;
    private static Path config;
    private static Path log;
    private static String masterKey;
    private static String adminToken;
    private static String operatorToken;
    private static Process server;
    private static String base;
    private static final String superPassword = randomPassword();
    private static final String userPassword = randomPassword();
    private static final List<String> secretsSeen = new ArrayList<>();

    @BeforeAll
    static void startServerWithAPostgresTargetThatHasASuperuser() throws Exception {
        targets = RealTargets.load();
        targets.pgCreateRole(USER, userPassword.toCharArray());
        targets.pgCreateRole(SUPER, superPassword.toCharArray());
        try (Connection c = targets.pgAdminConnection(); Statement s = c.createStatement()) {
            s.execute("ALTER ROLE " + SUPER + " SUPERUSER");
        }
        secretsSeen.addAll(List.of(superPassword, userPassword));
        home = Files.createTempDirectory("rotor-ob-it-");
        dataDir = home.resolve("data");
        config = home.resolve("application.properties");
        Files.writeString(config, "rotor.data-dir = " + dataDir + "\n");
        masterKey = Base64.getEncoder().encodeToString(RANDOM.generateSeed(32));
        adminToken = randomPassword();
        secretsSeen.add(adminToken);
        RotorProcess rotor = new RotorProcess(home, Map.of("ROTOR_MASTER_KEY", masterKey, "ROTOR_ADMIN_TOKEN", adminToken));
        int port = TestPorts.free();
        base = "http://127.0.0.1:" + port;
        log = home.resolve("serve.log");
        server = rotor.startLogged(List.of(), log, "serve", "--port", String.valueOf(port), "--config", config.toString());
        ServeProcesses.awaitUp(HTTP, server, base + "/observe/health");
        RotorProcess.Result created = rotor.run("token", "create", "--name", "ob-it-operator", "--role", "operator",
                "--config", config.toString());
        assertThat(created.exitCode()).as(created.all()).isZero();
        operatorToken = created.stdout().trim();

        // the target without a discovery.filter of its own: each request must bring one
        ok(call("POST", "/api/v1/targets", admin(), """
                {"id": "pg", "type": "postgresql", "host": "127.0.0.1", "port": %d, "database": "%s", "tls": "disable"}"""
                .formatted(targets.pgPort(), targets.pgDatabase())));
        String adminPassword = new String(targets.pgAdminPassword());
        secretsSeen.add(adminPassword);
        ok(call("POST", "/api/v1/accounts", admin(), """
                {"id": "pg-admin", "target": "pg", "username": "%s"}""".formatted(targets.pgAdminUser())));
        ok(call("POST", "/api/v1/accounts/pg-admin/set", admin(),
                JSON.createObjectNode().put("value", adminPassword).put("vaultOnly", true).toString()));
        JsonNode t = JSON.readTree(ok(call("GET", "/api/v1/targets/pg", admin(), null)).body());
        ((com.fasterxml.jackson.databind.node.ObjectNode) t).put("adminAccount", "pg-admin");
        ok(call("PUT", "/api/v1/targets/pg", admin(), t.toString()));
        ok(call("POST", "/api/v1/targets", admin(), "{\"id\": \"vault\", \"type\": \"vault\"}"));
        ok(call("POST", "/api/v1/targets", admin(), "{\"id\": \"staff\", \"type\": \"vault-users\"}"));
        ok(call("POST", "/api/v1/users", admin(), """
                {"id": "alice", "userTarget": "staff", "login": "alice", "displayName": "Alice"}"""));
        ok(call("POST", "/api/v1/templates", admin(), """
                {"id": "db-admins", "vaultTarget": "vault", "namePattern": "{target}-{username}",
                 "attributes": {"groups": ["dba"], "owners": ["alice"]}}"""));
    }

    @AfterAll
    static void stopServerAndDropTheRoles() throws Exception {
        try {
            if (server != null) {
                server.destroy();
                assertThat(server.waitFor(60, TimeUnit.SECONDS)).as("rotor stops on SIGTERM").isTrue();
                String serverLog = Files.readString(log);
                for (String secret : secretsSeen) {
                    assertThat(serverLog).as("no secret in the server's output").doesNotContain(secret);
                }
            }
        } finally {
            if (targets != null) {
                targets.pgDropRole(SUPER);
                targets.pgDropRole(USER);
            }
            TestDirs.delete(home);
        }
    }

    @Test
    @Order(1)
    void anOperatorMayNotOnboardAndARequestWithoutAFilterIsRefused() throws Exception {
        HttpResponse<String> operator = call("POST", "/api/v1/workflows/mass-onboard", "Bearer " + operatorToken,
                ONBOARD.formatted(FILTER));
        assertThat(operator.statusCode()).as(operator.body()).isEqualTo(403);
        assertThat(operator.body()).contains("role 'operator' may not do this");
        HttpResponse<String> noFilter = call("POST", "/api/v1/workflows/mass-onboard", admin(), ONBOARD.formatted(""));
        assertThat(noFilter.statusCode()).as(noFilter.body()).isEqualTo(400);
        assertThat(noFilter.body()).contains("field 'discoveryFilter'");

        assertThat(JSON.readTree(ok(call("GET", "/api/v1/jobs", admin(), null)).body())).isEmpty();
        assertThat(JSON.readTree(ok(call("GET", "/api/v1/accounts?target=pg", admin(), null)).body())).hasSize(1);
        assertThat(targets.pgLogin(SUPER, superPassword.toCharArray())).isTrue();
        assertThat(targets.pgLogin(USER, userPassword.toCharArray())).isTrue();
    }

    @Test
    @Order(2)
    void theDryRunListsTheSuperuserAsRefusedWithTheReasonAndTheOrdinaryRoleAsOnboarded() throws Exception {
        JsonNode job = runToEnd("/api/v1/workflows/mass-onboard?dryRun=true", ONBOARD.formatted(FILTER));

        assertThat(job.get("status").asText()).as(job.toString()).isEqualTo("SUCCEEDED");
        JsonNode results = results(job);
        JsonNode refused = only(results, "pg." + SUPER);
        assertThat(refused.get("outcome").asText()).isEqualTo("REFUSED");
        assertThat(refused.get("reason").asText()).isEqualTo("login '" + SUPER + "' is not onboarded: privileged on the"
                + " target: SUPERUSER (an admin may allow it with target setting onboarding.allow)");
        assertThat(only(results, "pg." + USER).get("outcome").asText()).isEqualTo("PLANNED");
        assertThat(JSON.readTree(ok(call("GET", "/api/v1/accounts?target=pg", admin(), null)).body())).hasSize(1);
        assertThat(targets.pgLogin(USER, userPassword.toCharArray())).isTrue();
    }

    @Test
    @Order(3)
    void theRunOnboardsTheOrdinaryRoleAndLeavesTheSuperusersPasswordWorking() throws Exception {
        JsonNode job = runToEnd("/api/v1/workflows/mass-onboard", ONBOARD.formatted(FILTER));

        assertThat(job.get("status").asText()).as(job.toString()).isEqualTo("SUCCEEDED");
        assertThat(only(results(job), "pg." + SUPER).get("outcome").asText()).isEqualTo("REFUSED");
        assertThat(targets.pgLogin(SUPER, superPassword.toCharArray())).as("the superuser's password still works").isTrue();
        assertThat(call("GET", "/api/v1/accounts/pg." + SUPER, admin(), null).statusCode()).isEqualTo(404);
        try (VaultReader vault = new VaultReader(dataDir, masterKey)) {
            char[] now = vault.secret("pg." + USER, Slot.CURRENT).orElseThrow();
            secretsSeen.add(new String(now));
            assertThat(targets.pgLogin(USER, now)).as("the ordinary role logs in with its new password").isTrue();
            assertThat(targets.pgLogin(USER, userPassword.toCharArray())).as("and not with its old one").isFalse();
        }
        assertThat(targets.pgLogin(targets.pgAdminUser(), targets.pgAdminPassword())).isTrue();
    }

    private static JsonNode only(JsonNode results, String accountId) {
        List<JsonNode> rows = new ArrayList<>();
        results.forEach(r -> {
            if (accountId.equals(r.path("accountId").asText()) && r.get("step").asText().equals("vault-discovery")) {
                rows.add(r);
            }
        });
        assertThat(rows).as(accountId + " in " + results).hasSize(1);
        return rows.get(0);
    }

    private static JsonNode results(JsonNode job) throws Exception {
        return JSON.readTree(ok(call("GET", "/api/v1/jobs/" + job.get("jobId").asText() + "/results?limit=1000",
                admin(), null)).body()).get("results");
    }

    private static JsonNode runToEnd(String path, String body) throws Exception {
        HttpResponse<String> accepted = call("POST", path, admin(), body);
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        String jobId = JSON.readTree(accepted.body()).get("jobId").asText();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (System.nanoTime() < deadline) {
            HttpResponse<String> response = ok(call("GET", "/api/v1/jobs/" + jobId, admin(), null));
            JsonNode job = JSON.readTree(response.body());
            String status = job.get("status").asText();
            if (!status.equals("QUEUED") && !status.equals("RUNNING")) {
                return job;
            }
            Thread.sleep(250); // polling a real server's job, as a client does
        }
        throw new AssertionError("job " + jobId + " did not end within 5 minutes");
    }

    private static String randomPassword() {
        byte[] bytes = new byte[30];
        RANDOM.nextBytes(bytes);
        return "Aa1-" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static HttpResponse<String> ok(HttpResponse<String> response) {
        assertThat(response.statusCode()).as(response.request().method() + " " + response.request().uri() + ": "
                + response.body()).isBetween(200, 299);
        return response;
    }

    private static HttpResponse<String> call(String method, String path, String authorization, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(120))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        if (body != null || !method.equals("GET")) {
            request.header("Content-Type", "application/json");
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String admin() {
        return "Bearer " + adminToken;
    }
}
