package io.rotor.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rotor.domain.Account;
import io.rotor.domain.Slot;
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
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The REST API of {@code java -jar rotor.jar serve} against the real PostgreSQL target: the admin token comes
 * from ROTOR_ADMIN_TOKEN, an auditor token and a service account from the CLI; a target and an account are
 * created, given their current password and rotated through the API (the new password logs in, the old one
 * fails); checkout and checkin; and the refusals (401, 403, 400, 413), each leaving everything as it was.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ApiIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String USER = "rotor_it_api";
    private static final char[] INITIAL = "Api-initial 'pw' \"q\" \\ ; $ 7".toCharArray();
    private static final String SA_PASSWORD = "api-it-service-account-pw";

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
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    /** Every secret seen during the test, to look for in the server's output afterwards. */
    private static final Set<String> secretsSeen = new LinkedHashSet<>();

    @BeforeAll
    static void startServer() throws Exception {
        targets = RealTargets.load();
        targets.pgCreateRole(USER, INITIAL);
        home = Files.createTempDirectory("rotor-api-it-");
        dataDir = home.resolve("data");
        config = home.resolve("application.properties");
        Files.writeString(config, "rotor.inventory = " + home.resolve("inventory.yaml") + "\nrotor.data-dir = " + dataDir + "\n");
        byte[] key = new byte[32];
        new java.security.SecureRandom().nextBytes(key);
        masterKey = Base64.getEncoder().encodeToString(key);
        byte[] token = new byte[32];
        new java.security.SecureRandom().nextBytes(token);
        adminToken = Base64.getUrlEncoder().withoutPadding().encodeToString(token);
        secretsSeen.add(adminToken);
        secretsSeen.add(new String(INITIAL));
        secretsSeen.add(SA_PASSWORD);

        rotor = new RotorProcess(home, Map.of("ROTOR_MASTER_KEY", masterKey, "ROTOR_ADMIN_TOKEN", adminToken));
        int port;
        port = TestPorts.free();
        base = "http://127.0.0.1:" + port;
        log = home.resolve("serve.log");
        server = rotor.startLogged(List.of(), log, "serve", "--port", String.valueOf(port), "--config", config.toString());
        awaitUp();

        // the CLI next to the running server (the H2 vault allows a second process)
        RotorProcess.Result created = rotor.run("token", "create", "--name", "api-it-auditor", "--role", "auditor",
                "--config", config.toString());
        assertThat(created.exitCode()).as(created.all()).isZero();
        auditorToken = created.stdout().trim();
        secretsSeen.add(auditorToken);
        RotorProcess.Result sa = rotor.run((SA_PASSWORD + "\n").getBytes(StandardCharsets.UTF_8), "service-account", "create",
                "--username", "api-it-ops", "--role", "operator", "--config", config.toString());
        assertThat(sa.exitCode()).as(sa.all()).isZero();
    }

    @AfterAll
    static void stopServer() throws Exception {
        try {
            if (server != null) {
                server.destroy();
                assertThat(server.waitFor(60, TimeUnit.SECONDS)).as("rotor stops on SIGTERM").isTrue();
                String serverLog = Files.readString(log);
                String cli = rotor.transcript();
                for (String secret : secretsSeen) {
                    assertThat(serverLog).as("no secret in the server's output").doesNotContain(secret);
                    if (!secret.equals(auditorToken)) {
                        assertThat(cli).as("no secret in the CLI's output").doesNotContain(secret);
                    }
                }
                // `rotor token create` prints its token exactly once, and nothing else ever does
                assertThat(cli.split(java.util.regex.Pattern.quote(auditorToken), -1)).hasSize(2);
                assertThat(serverLog + cli).doesNotContain("\tat ");
            }
        } finally {
            if (targets != null) {
                targets.pgDropRole(USER);
            }
            TestDirs.delete(home);
        }
    }

    private static void awaitUp() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
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
        throw new AssertionError("rotor serve did not answer within 90 s");
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

    private static String auditor() {
        return "Bearer " + auditorToken;
    }

    private static String operator() {
        return "Basic " + Base64.getEncoder().encodeToString(("api-it-ops:" + SA_PASSWORD).getBytes(StandardCharsets.UTF_8));
    }

    private static JsonNode json(HttpResponse<String> response) throws Exception {
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
        return JSON.readTree(response.body());
    }

    private static void assertError(HttpResponse<String> response, int status, String code) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(json(response).get("code").asText()).isEqualTo(code);
        assertThat(response.body()).doesNotContain("\tat ");
    }

    private static String current() {
        try (VaultReader vault = new VaultReader(dataDir, masterKey)) {
            String value = vault.secret("api-pg", Slot.CURRENT).map(String::new).orElse(null);
            if (value != null) {
                secretsSeen.add(value);
            }
            return value;
        }
    }

    /** What a refused request must not change: the account, its credentials and the target inventory. */
    private static String state() throws Exception {
        StringBuilder s = new StringBuilder();
        try (VaultReader vault = new VaultReader(dataDir, masterKey)) {
            s.append(vault.vault().targets().listTargets()).append('\n');
            for (Account a : vault.vault().accounts().listAccounts(null)) {
                s.append(a).append(' ');
                for (Slot slot : Slot.values()) {
                    vault.secret(a.id(), slot).ifPresent(v -> s.append(slot).append('=').append(new String(v).hashCode()).append(' '));
                }
            }
            s.append('\n').append(vault.vault().accounts().checkouts());
        }
        return s.toString();
    }

    @Test
    @Order(1)
    void theAdminTokenFromTheEnvironmentCreatesATargetAndAnAccount() throws Exception {
        HttpResponse<String> target = call("POST", "/api/v1/targets", admin(), """
                {"id": "pg", "type": "postgresql", "host": "127.0.0.1", "port": %d, "database": "%s", "tls": "disable"}
                """.formatted(targets.pgPort(), targets.pgDatabase()));
        assertThat(target.statusCode()).as(target.body()).isEqualTo(201);

        HttpResponse<String> account = call("POST", "/api/v1/accounts", admin(),
                "{\"id\": \"api-pg\", \"target\": \"pg\", \"username\": \"" + USER + "\"}");
        assertThat(account.statusCode()).as(account.body()).isEqualTo(201);
        assertThat(json(account).get("status").asText()).isEqualTo("UNVERIFIED");

        JsonNode listed = json(call("GET", "/api/v1/accounts", auditor(), null));
        assertThat(listed).hasSize(1);
        assertThat(listed.get(0).get("username").asText()).isEqualTo(USER);
    }

    @Test
    @Order(2)
    void setTheCurrentPasswordInTheVaultThenRotateOnTheRealTarget() throws Exception {
        HttpResponse<String> set = call("POST", "/api/v1/accounts/api-pg/set", admin(),
                JSON.writeValueAsString(Map.of("value", new String(INITIAL), "vaultOnly", true)));
        assertThat(set.statusCode()).as(set.body()).isEqualTo(200);
        assertThat(json(set).get("status").asText()).isEqualTo("UNVERIFIED");
        assertThat(set.body()).doesNotContain(new String(INITIAL));
        assertThat(current()).isEqualTo(new String(INITIAL));

        HttpResponse<String> verify = call("POST", "/api/v1/accounts/api-pg/verify", operator(), null);
        assertThat(verify.statusCode()).as(verify.body()).isEqualTo(200);
        assertThat(json(verify).get("status").asText()).isEqualTo("IN_SYNC");

        HttpResponse<String> rotate = call("POST", "/api/v1/accounts/api-pg/rotate", operator(), null);
        assertThat(rotate.statusCode()).as(rotate.body()).isEqualTo(200);
        assertThat(json(rotate).get("outcome").asText()).isEqualTo("SUCCEEDED");
        String now = current();
        assertThat(now).isNotEqualTo(new String(INITIAL));
        assertThat(rotate.body()).doesNotContain(now);
        assertThat(targets.pgLogin(USER, now.toCharArray())).as("the new password logs in").isTrue();
        assertThat(targets.pgLogin(USER, INITIAL)).as("the old password is refused").isFalse();
    }

    @Test
    @Order(3)
    void refusedRequestsChangeNothing() throws Exception {
        String before = state();
        String live = current();

        HttpResponse<String> anonymous = call("POST", "/api/v1/accounts/api-pg/rotate", null, null);
        assertError(anonymous, 401, "UNAUTHENTICATED");
        assertThat(anonymous.headers().firstValue("WWW-Authenticate")).hasValue("Basic realm=\"rotor\", Bearer");
        assertError(call("GET", "/api/v1/accounts", "Bearer " + adminToken + "x", null), 401, "UNAUTHENTICATED");
        assertError(call("POST", "/api/v1/accounts/api-pg/rotate", auditor(), null), 403, "FORBIDDEN");
        HttpResponse<String> checkout = call("POST", "/api/v1/accounts/api-pg/checkout", auditor(), null);
        assertError(checkout, 403, "FORBIDDEN");
        assertThat(checkout.body()).doesNotContain(live);
        assertError(call("POST", "/api/v1/accounts", admin(), "{\"id\": \"x\", \"target\": \"pg\", "), 400, "MALFORMED_JSON");
        assertError(call("POST", "/api/v1/accounts/api-pg/set", admin(), "{\"value\": \"abc"), 400, "MALFORMED_JSON");
        String tenMegabytes = "{\"id\": \"big\", \"type\": \"postgresql\", \"host\": \"" + "h".repeat(10 * 1024 * 1024) + "\"}";
        assertError(call("POST", "/api/v1/targets", admin(), tenMegabytes), 413, "BODY_TOO_LARGE");

        assertThat(state()).isEqualTo(before);
        assertThat(current()).isEqualTo(live);
        assertThat(targets.pgLogin(USER, live.toCharArray())).as("the target still has the same password").isTrue();
        JsonNode trail = json(call("GET", "/api/v1/audit?limit=50", auditor(), null));
        assertThat(trail.findValuesAsText("operation")).contains("API_LOGIN", "API_DENIED");
        assertThat(trail.toString()).doesNotContain(live).doesNotContain(adminToken);
    }

    @Test
    @Order(4)
    void checkoutRevealsTheCurrentPasswordAndCheckinRotatesItAway() throws Exception {
        HttpResponse<String> out = call("POST", "/api/v1/accounts/api-pg/checkout", operator(), null);
        assertThat(out.statusCode()).as(out.body()).isEqualTo(200);
        String revealed = json(out).get("value").asText();
        secretsSeen.add(revealed);
        assertThat(revealed).isEqualTo(current());
        assertThat(targets.pgLogin(USER, revealed.toCharArray())).isTrue();
        assertError(call("POST", "/api/v1/accounts/api-pg/rotate", admin(), null), 409, "CHECKED_OUT");

        HttpResponse<String> in = call("POST", "/api/v1/accounts/api-pg/checkin", operator(), null);

        assertThat(in.statusCode()).as(in.body()).isEqualTo(200);
        assertThat(json(in).get("outcome").asText()).isEqualTo("SUCCEEDED");
        String now = current();
        assertThat(now).isNotEqualTo(revealed);
        assertThat(targets.pgLogin(USER, now.toCharArray())).as("the rotated password logs in").isTrue();
        assertThat(targets.pgLogin(USER, revealed.toCharArray())).as("the checked-out password no longer works").isFalse();
        JsonNode trail = json(call("GET", "/api/v1/audit?account=api-pg&limit=100", admin(), null));
        assertThat(trail.findValuesAsText("operation")).contains("REVEAL", "CHECKIN", "ROTATE");
        assertThat(trail.toString()).doesNotContain(revealed).doesNotContain(now);
    }
}
