package io.rotor.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rotor.cluster.agent.PinnedTls;
import io.rotor.domain.Slot;
import io.rotor.security.HttpTransport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * An agent in a network namespace (docs/architecture.md, "Agents"), built by {@code scripts/netns-agent.sh} (root):
 * PostgreSQL lives in a namespace only the agent's namespace reaches; {@code rotor serve} runs in the root namespace
 * and cannot reach it. Rotations go through the agent and are proven by logins from the agent's side; the agent
 * listens on no port; a {@code kill -9} of the agent in the middle of a change is settled when it comes back; a
 * revoked agent is refused.
 */
class AgentNetnsIT {
    private static final String SCRIPT = Path.of("scripts/netns-agent.sh").toAbsolutePath().toString();
    private static final String AGENT_NS = "rotoragt_a";
    private static final String TARGET_HOST = "10.231.72.2";
    private static final int TARGET_PORT = 55499;
    private static final String SERVER_HOST = "10.231.71.1";
    private static final String USER = "rotor_it_agt_u1";
    private static final String STORE_PASSWORD = "Agt-store-pass-1";
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Path work;
    private static Path state;
    private static Path home;
    private static Path agentHome;
    private static String masterKey;
    private static String adminToken;
    private static String initialPassword;
    private static Process server;
    private static Process agent;
    private static HttpClient https;
    private static String base;
    private static final List<Path> secretFiles = new ArrayList<>();

    @BeforeAll
    static void network() throws Exception {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "needs root for ip netns");
        work = Files.createTempDirectory("rotor-it-agt-");
        // PostgreSQL runs as postgres: its state is in a directory that user can traverse (work is 0700)
        state = Files.createTempDirectory("rotor-it-agt-net-");
        Files.setPosixFilePermissions(state, PosixFilePermissions.fromString("rwxr-xr-x"));
        home = work.resolve("home");
        agentHome = work.resolve("agent-home");
        Files.createDirectories(home.resolve("config"));
        byte[] key = new byte[32];
        new java.security.SecureRandom().nextBytes(key);
        masterKey = Base64.getEncoder().encodeToString(key);
        adminToken = random();
        String adminPassword = "Adm-" + random();
        initialPassword = "Usr-" + random();
        run(List.of(SCRIPT, "down", state.toString()));
        run(List.of(SCRIPT, "up", state.toString(), String.valueOf(TARGET_PORT), secretFile(adminPassword).toString()));
        run(List.of(SCRIPT, "role", state.toString(), String.valueOf(TARGET_PORT), USER, secretFile(initialPassword).toString()));

        Path keyStore = home.resolve("config/http.p12");
        keytool(keyStore);
        int port = TestPorts.free();
        base = "https://" + SERVER_HOST + ":" + port;
        Files.writeString(home.resolve("config/application.properties"), String.join("\n",
                HttpTransport.KEY_STORE_SETTING + " = config/http.p12",
                "camel.server.host = " + SERVER_HOST,
                "rotor.inventory = " + home.resolve("inventory.yaml"),
                "rotor.rotation.call-timeout-seconds = 10",
                "rotor.rotation.unknown-quiet-seconds = 5",
                "rotor.recovery.retry-period-seconds = 3",
                "rotor.agent.poll-seconds = 5",
                "rotor.agent.hand-out-seconds = 4", ""));
        Files.writeString(home.resolve("inventory.yaml"), """
                policies:
                  - id: agt
                    minLength: 24
                    maxLength: 24
                    symbols: "-_"
                targets:
                  - id: agt-pg
                    type: postgresql
                    host: %s
                    port: %d
                    database: postgres
                    tls: disable
                    policy: agt
                    site: dmz1
                    adminAccount: agt-admin
                accounts:
                  - id: agt-admin
                    target: agt-pg
                    username: rotor_it_agt_admin
                    initialSecretEnv: ROTOR_IT_AGT_ADMIN
                  - id: agt-u1
                    target: agt-pg
                    username: %s
                    initialSecretEnv: ROTOR_IT_AGT_U1
                """.formatted(TARGET_HOST, TARGET_PORT, USER));
        Map<String, String> env = new HashMap<>(Map.of("ROTOR_MASTER_KEY", masterKey, "ROTOR_ADMIN_TOKEN", adminToken,
                HttpTransport.PASSWORD_ENV, STORE_PASSWORD, "ROTOR_IT_AGT_ADMIN", adminPassword, "ROTOR_IT_AGT_U1", initialPassword));
        server = new RotorProcess(home, env).startLogged(List.of(), home.resolve("serve.log"), "serve", "--port", String.valueOf(port));
        https = HttpClient.newBuilder().sslContext(PinnedTls.context(PinnedTls.pinOf(keyStore, STORE_PASSWORD.toCharArray())))
                .connectTimeout(Duration.ofSeconds(10)).build();
        ServeProcesses.awaitUp(https, server, base + "/observe/health");
    }

    @AfterAll
    static void cleanUp() throws Exception {
        if (agent != null) {
            agent.destroyForcibly().waitFor(20, TimeUnit.SECONDS);
        }
        ServeProcesses.stop(server);
        if (state != null) {
            run(List.of(SCRIPT, "down", state.toString()));
        }
        if (work != null) {
            // the logs stay for a look after a failure (they hold no secret: the test checks it)
            Path logs = Path.of("target/agent-netns-logs");
            Files.createDirectories(logs);
            for (Path log : List.of(home.resolve("serve.log"), work.resolve("agent.log"), work.resolve("agent-paused.log"))) {
                if (Files.exists(log)) {
                    Files.copy(log, logs.resolve(log.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
            TestDirs.delete(work);
        }
    }

    @Test
    void rotationsGoThroughTheAgentWhichListensOnNoPortAndSurvivesAKillMidChange() throws Exception {
        // the server's namespace cannot reach the target at all
        assertThatThrownBy(() -> {
            try (Socket direct = new Socket()) {
                direct.connect(new InetSocketAddress(TARGET_HOST, TARGET_PORT), 3000);
            }
        }).isInstanceOf(java.io.IOException.class);
        // and Rotor never tries: without an agent, the rotation is refused with nothing sent
        JsonNode noAgent = post("/api/v1/accounts/agt-u1/rotate");
        assertThat(noAgent.path("success").asBoolean()).as(noAgent.toString()).isFalse();
        assertThat(noAgent.toString()).contains("no agent of site 'dmz1'");
        assertThat(canLogIn(initialPassword)).isTrue();

        // enrollment: a one-time token (admin, on the server) and the server's key pin
        RotorProcess cli = new RotorProcess(home, Map.of("ROTOR_MASTER_KEY", masterKey, HttpTransport.PASSWORD_ENV, STORE_PASSWORD));
        RotorProcess.Result created = cli.run("agent-token", "create", "--site", "dmz1", "--name", "dmz1-a");
        assertThat(created.exitCode()).as(created.all()).isZero();
        String token = created.stdout().trim();
        String pin = created.stderr().replaceAll("(?s).*server pin: (sha256/\\S+).*", "$1");
        assertThat(pin).startsWith("sha256/");

        agent = startAgent(token, pin, List.of());
        awaitConnected(true);
        String listening = output(List.of("ip", "netns", "exec", AGENT_NS, "ss", "-ltnuH"));
        assertThat(listening).as("sockets listening in the agent's namespace").isBlank();
        // a token works once
        RotorProcess.Result again = new RotorProcess(work, Map.of("ROTOR_AGENT_ENROLL_TOKEN", token)).run("agent",
                "--server", base, "--site", "dmz1", "--home", work.resolve("second-home").toString(), "--server-pin", pin);
        assertThat(again.exitCode()).isNotZero();
        assertThat(again.stderr()).contains("enrollment refused");

        // a rotation through the agent, proven from the agent's side
        JsonNode rotated = post("/api/v1/accounts/agt-u1/rotate");
        assertThat(rotated.path("success").asBoolean()).as(rotated.toString()).isTrue();
        String current = current();
        assertThat(current).isNotEqualTo(initialPassword);
        assertThat(canLogIn(current)).isTrue();
        assertThat(canLogIn(initialPassword)).isFalse();

        // kill -9 the agent after it applied a change and before it reported it; restarted, it settles the account
        agent.destroy();
        agent.waitFor(30, TimeUnit.SECONDS);
        Path pausedLog = work.resolve("agent-paused.log");
        agent = startAgent(null, null, List.of("-Drotor.test.agent-pause-after-change-seconds=120"), pausedLog);
        // the vault still remembers the previous process's contact: wait for this one to poll
        awaitLogLine(pausedLog, "listening on no port");
        Thread.sleep(1500);
        CompletableFuture<JsonNode> interrupted = CompletableFuture.supplyAsync(() -> {
            try {
                return post("/api/v1/accounts/agt-u1/rotate");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        awaitLogLine(pausedLog, "test pause");
        new ProcessBuilder("kill", "-9", String.valueOf(agent.pid())).start().waitFor();
        agent.waitFor(30, TimeUnit.SECONDS);
        agent = startAgent(null, null, List.of());
        JsonNode outcome = interrupted.get(90, TimeUnit.SECONDS);
        String settled = awaitStatus("IN_SYNC");
        String after = current();
        // whether the dead agent's change reached the server before the kill depends on timing; either way the
        // account settles on the version that logs in, and a version it moved away from is refused
        assertThat(canLogIn(after)).as("the vault's CURRENT logs in after the agent's restart (" + outcome + ")").isTrue();
        if (!after.equals(current)) {
            assertThat(canLogIn(current)).isFalse();
        }
        assertThat(settled).isEqualTo("IN_SYNC");
        try (VaultReader vault = new VaultReader(home.resolve("data"), masterKey)) {
            assertThat(vault.secret("agt-u1", Slot.PENDING)).isEmpty();
        }

        // the agents' list shows the site and the last contact; the agent's home holds no secret of a target
        JsonNode agents = get("/api/v1/agents");
        assertThat(agents.get(0).path("name").asText()).isEqualTo("dmz1-a");
        assertThat(agents.get(0).path("site").asText()).isEqualTo("dmz1");
        assertThat(agents.get(0).path("lastContactAt").isNull()).isFalse();
        assertThat(agents.get(0).path("connected").asBoolean()).isTrue();
        try (var files = Files.list(agentHome)) {
            assertThat(files.map(p -> p.getFileName().toString()).sorted().toList())
                    .containsExactly("agent.credential", "agent.properties");
        }
        for (Path f : List.of(agentHome.resolve("agent.properties"), agentHome.resolve("agent.credential"), pausedLog,
                work.resolve("agent.log"), home.resolve("serve.log"))) {
            assertThat(Files.readString(f)).doesNotContain(initialPassword).doesNotContain(current).doesNotContain(after);
        }

        // revoked, the agent is refused at its next poll and stops
        RotorProcess.Result revoked = cli.run("agent-token", "revoke", "--name", "dmz1-a");
        assertThat(revoked.exitCode()).as(revoked.all()).isZero();
        assertThat(agent.waitFor(60, TimeUnit.SECONDS)).as("the revoked agent stops").isTrue();
        assertThat(agent.exitValue()).isEqualTo(1);
        assertThat(Files.readString(work.resolve("agent.log"))).contains("refused this agent's credential");
    }

    // ------------------------------------------------------------------ helpers

    private static Process startAgent(String token, String pin, List<String> jvm) throws Exception {
        return startAgent(token, pin, jvm, work.resolve("agent.log"));
    }

    /** {@code rotor agent} inside the agent's namespace ({@code ip netns exec} execs java: the pid is the agent's). */
    private static Process startAgent(String token, String pin, List<String> jvm, Path log) throws Exception {
        List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", AGENT_NS));
        List<String> args = new ArrayList<>(List.of("agent", "--server", base, "--site", "dmz1", "--home", agentHome.toString(),
                "--workers", "2"));
        if (pin != null) {
            args.addAll(List.of("--server-pin", pin));
        }
        command.addAll(new RotorProcess(work, Map.of()).command(jvm, args.toArray(String[]::new)));
        ProcessBuilder builder = new ProcessBuilder(command).directory(work.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        if (token != null) {
            builder.environment().put("ROTOR_AGENT_ENROLL_TOKEN", token);
        }
        return builder.start();
    }

    private static void awaitConnected(boolean connected) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            JsonNode agents = get("/api/v1/agents");
            if (agents.size() > 0 && agents.get(0).path("connected").asBoolean() == connected
                    && agents.get(0).path("lastContactAt").asText().compareTo("") > 0) {
                // connected means it polled; give the poll a moment to be waiting
                Thread.sleep(500);
                return;
            }
            assertThat(agent.isAlive()).as("the agent runs (see agent.log)").isTrue();
            Thread.sleep(300);
        }
        throw new AssertionError("the agent did not connect within 60 s: " + Files.readString(work.resolve("agent.log")));
    }

    private static void awaitLogLine(Path log, String text) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (Files.exists(log) && Files.readString(log).contains(text)) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("no '" + text + "' in " + log);
    }

    private static String awaitStatus(String status) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        String seen = null;
        while (System.nanoTime() < deadline) {
            seen = get("/api/v1/accounts/agt-u1").path("status").asText();
            if (status.equals(seen)) {
                return seen;
            }
            Thread.sleep(500);
        }
        return seen;
    }

    private static String current() {
        try (VaultReader vault = new VaultReader(home.resolve("data"), masterKey)) {
            return new String(vault.secret("agt-u1", Slot.CURRENT).orElseThrow());
        }
    }

    private static boolean canLogIn(String password) throws Exception {
        return run(List.of(SCRIPT, "login", state.toString(), String.valueOf(TARGET_PORT), USER, secretFile(password).toString()),
                false) == 0;
    }

    private static JsonNode post(String path) throws Exception {
        HttpResponse<String> r = https.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(120))
                .header("Authorization", "Bearer " + adminToken).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(r.body());
    }

    private static JsonNode get(String path) throws Exception {
        HttpResponse<String> r = https.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + adminToken).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    private static Path secretFile(String secret) throws Exception {
        Path file = Files.createTempFile(work, "secret", "", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, secret);
        secretFiles.add(file);
        return file;
    }

    private static void keytool(Path file) throws Exception {
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        ProcessBuilder builder = new ProcessBuilder(List.of(keytool.toString(), "-genkeypair", "-alias", "rotor-http",
                "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=rotor", "-ext", "SAN=ip:" + SERVER_HOST,
                "-validity", "2", "-storetype", "PKCS12", "-keystore", file.toString(), "-storepass:env", "TEST_STORE_PASSWORD"))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        builder.environment().put("TEST_STORE_PASSWORD", STORE_PASSWORD);
        assertThat(builder.start().waitFor()).isZero();
    }

    private static String random() {
        byte[] b = new byte[32];
        new java.security.SecureRandom().nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b).replace("-", "x").replace("_", "y");
    }

    private static void run(List<String> command) throws Exception {
        int code = run(command, true);
        assertThat(code).as(String.join(" ", command)).isZero();
    }

    private static int run(List<String> command, boolean show) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(show ? ProcessBuilder.Redirect.INHERIT : ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(command.get(0) + " " + command.get(1) + " did not finish");
        }
        return p.exitValue();
    }

    private static String output(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor(30, TimeUnit.SECONDS);
        return out;
    }
}
