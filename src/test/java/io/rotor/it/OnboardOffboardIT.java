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
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Onboard from nothing, then offboard, end to end through the REST API of a real {@code rotor serve} against the
 * real PostgreSQL and MariaDB targets. The only thing Rotor is told about the targets is where they are and their
 * admin login: mass-onboard creates the user group, puts the template's owner in it, discovers the accounts, gives
 * each an initial password on its server (the old, unknown one stops working, the new one logs in) and a linked
 * vault account holding the same password. Single-user-offboard then hands everything to the inheriting user, and
 * the departing user can reach none of the accounts.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OnboardOffboardIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int PER_TARGET = 20;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String ONBOARD = """
            {"target": ["pg", "my"], "vaultUserTarget": "staff", "vaultTarget": "vault",
             "vaultAssociationAttribute": "owners", "vaultGroupAttribute": "groups",
             "vaultLinkAttribute": "backing_account", "vaultTemplateId": "db-admins", "batchSize": 32}""";

    private static RealTargets targets;
    private static Path home;
    private static Path dataDir;
    private static Path config;
    private static Path log;
    private static String masterKey;
    private static String adminToken;
    private static String auditorToken;
    private static RotorProcess rotor;
    private static Process server;
    private static String base;
    /** Username → the password it had before onboarding, which Rotor was never told. */
    private static final Map<String, String> unknownPasswords = new HashMap<>();
    private static final List<String> pgUsers = new ArrayList<>();
    private static final List<String> myUsers = new ArrayList<>();
    private static final List<String> secretsSeen = new ArrayList<>();

    @BeforeAll
    static void startServerAndDeclareOnlyTheTargets() throws Exception {
        targets = RealTargets.load();
        for (int i = 0; i < PER_TARGET; i++) {
            String pg = "rotor_it_onb_pg_%02d".formatted(i);
            unknownPasswords.put(pg, randomPassword());
            targets.pgCreateRole(pg, unknownPasswords.get(pg).toCharArray());
            pgUsers.add(pg);
            String my = "rotor_it_onb_my_%02d".formatted(i);
            unknownPasswords.put(my, randomPassword());
            targets.mariaCreateUser(my, unknownPasswords.get(my).toCharArray());
            myUsers.add(my);
        }
        secretsSeen.addAll(unknownPasswords.values());
        home = Files.createTempDirectory("rotor-onboard-it-");
        dataDir = home.resolve("data");
        config = home.resolve("application.properties");
        Files.writeString(config, "rotor.data-dir = " + dataDir + "\n");
        masterKey = Base64.getEncoder().encodeToString(RANDOM.generateSeed(32));
        adminToken = randomPassword();
        secretsSeen.add(adminToken);
        rotor = new RotorProcess(home, Map.of("ROTOR_MASTER_KEY", masterKey, "ROTOR_ADMIN_TOKEN", adminToken));
        int port = TestPorts.free();
        base = "http://127.0.0.1:" + port;
        log = home.resolve("serve.log");
        server = rotor.startLogged(List.of(), log, "serve", "--port", String.valueOf(port), "--config", config.toString());
        awaitUp();
        RotorProcess.Result created = rotor.run("token", "create", "--name", "onboard-it-auditor", "--role", "auditor",
                "--config", config.toString());
        assertThat(created.exitCode()).as(created.all()).isZero();
        auditorToken = created.stdout().trim();

        // the real targets: where they are, the discovery filter, and the admin login (set through the API)
        ok(call("POST", "/api/v1/targets", admin(), """
                {"id": "pg", "type": "postgresql", "host": "127.0.0.1", "port": %d, "database": "%s", "tls": "disable",
                 "settings": {"discovery.filter": "rotor_it_onb_pg_%%"}}""".formatted(targets.pgPort(), targets.pgDatabase())));
        ok(call("POST", "/api/v1/targets", admin(), """
                {"id": "my", "type": "mariadb", "host": "127.0.0.1", "port": %d, "tls": "disable",
                 "settings": {"discovery.filter": "rotor_it_onb_my_%%"}}""".formatted(targets.mariaPort())));
        declareAdmin("pg", "pg-admin", targets.pgAdminUser(), new String(targets.pgAdminPassword()));
        declareAdmin("my", "my-admin", targets.mariaAdminUser(), new String(targets.mariaAdminPassword()));
        // the vault's own views, its users and the template of the new vault accounts
        ok(call("POST", "/api/v1/targets", admin(), "{\"id\": \"vault\", \"type\": \"vault\"}"));
        ok(call("POST", "/api/v1/targets", admin(), "{\"id\": \"staff\", \"type\": \"vault-users\"}"));
        ok(call("POST", "/api/v1/users", admin(), """
                {"id": "alice", "userTarget": "staff", "login": "alice", "displayName": "Alice (leaving)"}"""));
        ok(call("POST", "/api/v1/users", admin(), """
                {"id": "bob", "userTarget": "staff", "login": "bob", "displayName": "Bob (inherits)"}"""));
        ok(call("POST", "/api/v1/templates", admin(), """
                {"id": "db-admins", "vaultTarget": "vault", "namePattern": "{target}-{username}",
                 "attributes": {"groups": ["dba"], "owners": ["alice"]}}"""));
    }

    private static void declareAdmin(String target, String accountId, String username, String password) throws Exception {
        secretsSeen.add(password);
        ok(call("POST", "/api/v1/accounts", admin(), """
                {"id": "%s", "target": "%s", "username": "%s"}""".formatted(accountId, target, username)));
        ok(call("POST", "/api/v1/accounts/" + accountId + "/set", admin(),
                JSON.createObjectNode().put("value", password).put("vaultOnly", true).toString()));
        ok(call("POST", "/api/v1/accounts/" + accountId + "/verify", admin(), null));
        JsonNode t = JSON.readTree(ok(call("GET", "/api/v1/targets/" + target, admin(), null)).body());
        ((com.fasterxml.jackson.databind.node.ObjectNode) t).put("adminAccount", accountId);
        ok(call("PUT", "/api/v1/targets/" + target, admin(), t.toString()));
    }

    @AfterAll
    static void stopServerAndDropTheAccounts() throws Exception {
        try {
            if (server != null) {
                server.destroy();
                assertThat(server.waitFor(60, TimeUnit.SECONDS)).as("rotor stops on SIGTERM").isTrue();
                String serverLog = Files.readString(log);
                for (String secret : secretsSeen) {
                    assertThat(serverLog).as("no secret in the server's output").doesNotContain(secret);
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
            }
            TestDirs.delete(home);
        }
    }

    @Test
    @Order(1)
    void refusedOnboardRequestsCreateNoJobAndChangeNothing() throws Exception {
        String path = "/api/v1/workflows/mass-onboard";
        HttpResponse<String> small = call("POST", path, admin(), ONBOARD.replace("\"batchSize\": 32", "\"batchSize\": 31"));
        assertError(small, 400, "INVALID_FIELD");
        assertThat(small.body()).contains("batchSize").contains("at least 32 (got 31)");
        HttpResponse<String> unknownTarget = call("POST", path, admin(), ONBOARD.replace("\"my\"]", "\"nowhere\"]"));
        assertError(unknownTarget, 404, "NOT_FOUND");
        assertThat(unknownTarget.body()).contains("unknown target id 'nowhere'");
        HttpResponse<String> unknownTemplate = call("POST", path, admin(), ONBOARD.replace("db-admins", "no-such-template"));
        assertError(unknownTemplate, 404, "NOT_FOUND");
        assertThat(unknownTemplate.body()).contains("field 'vaultTemplateId'").contains("no-such-template");
        HttpResponse<String> notUsers = call("POST", path, admin(), ONBOARD.replace("\"staff\"", "\"vault\""));
        assertError(notUsers, 400, "INVALID_FIELD");
        assertThat(notUsers.body()).contains("field 'vaultUserTarget'");
        HttpResponse<String> sameAttribute = call("POST", path, admin(), ONBOARD.replace("\"groups\"", "\"owners\""));
        assertError(sameAttribute, 400, "INVALID_FIELD");
        assertError(call("POST", path, admin(), "{\"target\": [\"pg\""), 400, "MALFORMED_JSON");
        assertThat(call("POST", path, admin(), "{\"x\": \"" + "a".repeat(10 * 1024 * 1024) + "\"}").statusCode()).isEqualTo(413);
        assertError(call("POST", path, null, ONBOARD), 401, "UNAUTHENTICATED");
        assertError(call("POST", path, "Bearer " + auditorToken, ONBOARD), 403, "FORBIDDEN");

        assertThat(JSON.readTree(ok(call("GET", "/api/v1/jobs", "Bearer " + auditorToken, null)).body())).isEmpty();
        assertThat(targets.pgLogin(pgUsers.get(0), unknownPasswords.get(pgUsers.get(0)).toCharArray())).isTrue();
    }

    @Test
    @Order(2)
    void aDryRunShowsThePlanAndTouchesNothing() throws Exception {
        JsonNode job = runToEnd("/api/v1/workflows/mass-onboard?dryRun=true", ONBOARD);

        assertThat(job.get("status").asText()).as(job.toString()).isEqualTo("SUCCEEDED");
        JsonNode results = JSON.readTree(ok(call("GET", "/api/v1/jobs/" + job.get("jobId").asText() + "/results",
                admin(), null)).body()).get("results");
        assertThat(results).allSatisfy(r -> assertThat(r.get("outcome").asText()).isEqualTo("PLANNED"));
        assertThat(results.toString()).contains("would create user group dba")
                .contains("would list " + PER_TARGET + " login account(s) on 'pg' matching 'rotor_it_onb_pg_%'")
                .contains("would add login 'rotor_it_onb_my_00' to the vault as my.rotor_it_onb_my_00");
        assertThat(JSON.readTree(ok(call("GET", "/api/v1/accounts?target=pg", admin(), null)).body())).hasSize(1);
        assertThat(targets.pgLogin(pgUsers.get(0), unknownPasswords.get(pgUsers.get(0)).toCharArray())).isTrue();
        assertThat(targets.mariaLogin(myUsers.get(0), unknownPasswords.get(myUsers.get(0)).toCharArray())).isTrue();
    }

    @Test
    @Order(3)
    void onboardFromNothingGivesEveryDiscoveredAccountANewPasswordAndALinkedVaultAccount() throws Exception {
        JsonNode job = runToEnd("/api/v1/workflows/mass-onboard?report=true", ONBOARD);

        assertThat(job.get("status").asText()).as(job.toString()).isEqualTo("SUCCEEDED");
        // 1 group x 2 (create, members) + 2 targets + resync + 40 x 2 (password, vault account) + final resync
        assertThat(job.get("progress").get("total").asLong()).isEqualTo(2 + 3 + 2L * 2 * PER_TARGET + 1);
        assertThat(job.get("progress").get("failed").asLong()).isZero();
        assertThat(call("GET", "/api/v1/jobs/" + job.get("jobId").asText() + "/report", admin(), null).statusCode()).isEqualTo(200);

        // discovery put the real accounts into the vault
        assertThat(JSON.readTree(ok(call("GET", "/api/v1/accounts?target=pg", admin(), null)).body())).hasSize(PER_TARGET + 1);
        assertThat(JSON.readTree(ok(call("GET", "/api/v1/accounts?target=my", admin(), null)).body())).hasSize(PER_TARGET + 1);
        // the user group exists with the template's owner in it; alice may use all 40 vault accounts
        assertThat(ok(call("GET", "/api/v1/groups/dba/members", admin(), null)).body()).contains("alice").doesNotContain("bob");
        assertThat(accessibleVaultAccounts("alice")).hasSize(2 * PER_TARGET);
        assertThat(accessibleVaultAccounts("bob")).isEmpty();

        // every account: the new password logs in on the real server, the old (never told) one does not, and the
        // linked vault account holds the same password
        try (VaultReader vault = new VaultReader(dataDir, masterKey)) {
            for (String user : pgUsers) {
                char[] now = vault.secret("pg." + user, Slot.CURRENT).orElseThrow();
                secretsSeen.add(new String(now));
                assertThat(targets.pgLogin(user, now)).as(user + " logs in with its new password").isTrue();
                assertThat(targets.pgLogin(user, unknownPasswords.get(user).toCharArray())).as(user + " old").isFalse();
                assertThat(vault.secret("pg-" + user, Slot.CURRENT).orElseThrow()).isEqualTo(now);
            }
            for (String user : myUsers) {
                char[] now = vault.secret("my." + user, Slot.CURRENT).orElseThrow();
                secretsSeen.add(new String(now));
                assertThat(targets.mariaLogin(user, now)).as(user + " logs in with its new password").isTrue();
                assertThat(targets.mariaLogin(user, unknownPasswords.get(user).toCharArray())).as(user + " old").isFalse();
                assertThat(vault.secret("my-" + user, Slot.CURRENT).orElseThrow()).isEqualTo(now);
            }
        }
        // the admin logins were neither reset nor onboarded
        assertThat(targets.pgLogin(targets.pgAdminUser(), targets.pgAdminPassword())).isTrue();
        assertThat(JSON.readTree(ok(call("GET", "/api/v1/accounts?target=vault", admin(), null)).body()))
                .hasSize(2 * PER_TARGET).extracting(a -> a.get("username").asText()).doesNotContain(targets.pgAdminUser());
        // an auditor reads the job's results, which hold no secret
        String results = ok(call("GET", "/api/v1/jobs/" + job.get("jobId").asText() + "/results?limit=1000",
                "Bearer " + auditorToken, null)).body();
        for (String secret : secretsSeen) {
            assertThat(results).doesNotContain(secret);
        }
    }

    @Test
    @Order(4)
    void offboardingAliceLeavesHerNoAccountAndBobAll() throws Exception {
        JsonNode job = runToEnd("/api/v1/workflows/single-user-offboard", """
                {"userToOffboard": "alice", "userToInherit": "bob", "target": ["pg", "my"], "vaultTarget": "vault",
                 "vaultAssociationAttribute": "owners", "vaultLinkAttribute": "backing_account"}""");

        assertThat(job.get("status").asText()).as(job.toString()).isEqualTo("SUCCEEDED");
        assertThat(accessibleVaultAccounts("alice")).isEmpty();
        assertThat(accessibleVaultAccounts("bob")).hasSize(2 * PER_TARGET);
        String members = ok(call("GET", "/api/v1/groups/dba/members", admin(), null)).body();
        assertThat(members).contains("bob").doesNotContain("alice");
        String attributes = ok(call("GET", "/api/v1/accounts/pg-" + pgUsers.get(0) + "/attributes", admin(), null)).body();
        assertThat(JSON.readTree(attributes).get("owners")).extracting(JsonNode::asText).containsExactly("bob");
    }

    /** The distinct vault accounts a user may use, as GET /api/v1/users/{id}/access lists them. */
    private static List<String> accessibleVaultAccounts(String user) throws Exception {
        JsonNode access = JSON.readTree(ok(call("GET", "/api/v1/users/" + user + "/access", admin(), null)).body());
        List<String> accounts = new ArrayList<>();
        for (JsonNode row : access.isArray() ? access : access.path("access")) {
            String id = row.path("vaultAccount").asText();
            if (!accounts.contains(id)) {
                accounts.add(id);
            }
        }
        return accounts;
    }

    private static JsonNode runToEnd(String path, String body) throws Exception {
        HttpResponse<String> accepted = call("POST", path, admin(), body);
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        String jobId = JSON.readTree(accepted.body()).get("jobId").asText();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (System.nanoTime() < deadline) {
            HttpResponse<String> response = call("GET", "/api/v1/jobs/" + jobId, admin(), null);
            if (response.statusCode() == 200) {
                JsonNode job = JSON.readTree(response.body());
                String status = job.get("status").asText();
                if (!status.equals("QUEUED") && !status.equals("RUNNING")) {
                    return job;
                }
            } else {
                assertThat(response.statusCode()).as(response.body()).isEqualTo(503);
            }
            Thread.sleep(250); // polling a real server's job, as a client does
        }
        throw new AssertionError("job " + jobId + " did not end within 5 minutes");
    }

    private static String randomPassword() {
        byte[] bytes = new byte[27];
        RANDOM.nextBytes(bytes);
        return "Aa1-" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
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
