package io.rotor.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rotor.connector.ConnectorContext;
import io.rotor.connector.ConnectorRegistry;
import io.rotor.connector.ssh.ChangerCatalog;
import io.rotor.connector.ssh.SshLogins;
import io.rotor.domain.PasswordGenerator;
import io.rotor.domain.Role;
import io.rotor.domain.Slot;
import io.rotor.it.RealTargets;
import io.rotor.vault.MasterKey;
import io.rotor.vault.StoredCredential;
import io.rotor.vault.Vault;
import io.rotor.workflow.AccountQueries;
import io.rotor.workflow.FailureResults;
import io.rotor.workflow.RecoveryService;
import io.rotor.workflow.RotationService;
import io.rotor.workflow.RotorMetrics;
import org.apache.camel.main.MainConfigurationProperties;
import org.apache.camel.spi.Registry;
import org.apache.camel.test.main.junit5.CamelMainTestSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Fudo-shaped API v2 against the real sshd of scripts/targets.sh: a user-defined Unix self-change changer is
 * POSTed through {@code /api/v2/password_changer}, a target naming it ({@code passwordChanger}) and an account are
 * created through {@code /api/v1}, and {@code trigger_password_changer} (with the seed's bare-token header) rotates
 * the account through the protocol. A plain MINA login proves the new password works and the old one fails. A
 * changer whose prompt never comes ends in an error answer carrying the redacted transcript, and the old password
 * still works.
 */
class FudoApiIT extends CamelMainTestSupport {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final int port = freePort();
    private final Path config = configOnPort(port);
    private final HttpClient http = HttpClient.newHttpClient();
    private final RealTargets.Ssh ssh = RealTargets.load().ssh();
    private Path dataDir;
    private Vault vault;
    private ConnectorRegistry connectors;
    private String adminToken;
    private String operatorToken;

    private static int freePort() {
        return io.rotor.it.TestPorts.free();
    }

    private static Path configOnPort(int port) {
        try {
            String shipped = Files.readString(Path.of("config", "application.properties"));
            Path file = Files.createTempFile("rotor-fudo-it-", ".properties");
            Files.writeString(file, shipped.replaceFirst("(?m)^camel\\.server\\.port\\s*=.*$", "camel.server.port = " + port));
            return file;
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    protected void configure(MainConfigurationProperties configuration) {
        configuration.withRoutesIncludePattern("file:routes/*.camel.yaml");
        configuration.addRoutesBuilder(new ApiRoutes());
        configuration.addRoutesBuilder(new ApiV2Routes());
    }

    @Override
    protected String getPropertyPlaceholderLocations() {
        return "file:" + config;
    }

    @Override
    protected Properties useOverridePropertiesWithPropertiesComponent() {
        Properties overrides = new Properties();
        overrides.setProperty("camel.management.enabled", "false");
        overrides.setProperty("camel.metrics.enabled", "false");
        return overrides;
    }

    @Override
    protected void bindToRegistry(Registry registry) throws Exception {
        dataDir = Files.createTempDirectory("rotor-fudo-it-");
        vault = Vault.open(null, null, null, dataDir, MasterKey.load(null, dataDir.resolve("master.key")), 4);
        AuthStore auth = new AuthStore(vault.tokens());
        connectors = new ConnectorRegistry();   // the shipped factories, ssh among them
        RotationService rotation = new RotationService(vault, connectors, new PasswordGenerator(), new RotorMetrics(),
                Duration.ofMinutes(5), 3);
        ChangerCatalog catalog = new ChangerCatalog(vault.changers());
        connectors.attach(new ConnectorContext(catalog));   // user-defined changers reach the connectors
        registry.bind("rotationService", rotation);
        registry.bind("recoveryService", new RecoveryService(vault.accounts(), rotation));
        registry.bind("accountQueries", new AccountQueries(vault.accounts(), vault.targets()));
        registry.bind("failureResults", new FailureResults(new RotorMetrics()));
        registry.bind("tallies", new io.rotor.workflow.Tallies());
        registry.bind("apiAuthenticator", new Authenticator(auth, vault.audit()));
        registry.bind("apiInventory", new InventoryApi(vault));
        registry.bind("apiAccounts", new AccountApi(vault));
        registry.bind("apiPasswordChangers", new PasswordChangerApi(catalog, vault.accounts(), vault.targets()));
        registry.bind("rotationDue", new io.rotor.schedule.RotationDue(vault.accounts(), vault.policies(), java.time.ZoneOffset.UTC,
                io.rotor.domain.RotationSchedule.none(), java.time.Clock.systemUTC()));
        io.rotor.workflow.WorkflowBeans.bind(registry, vault, rotation, dataDir);
        adminToken = Credentials.newToken();
        auth.createToken("admin-1", Role.ADMIN, Credentials.tokenHash(adminToken), "test");
        operatorToken = Credentials.newToken();
        auth.createToken("operator-1", Role.OPERATOR, Credentials.tokenHash(operatorToken), "test");
    }

    @AfterEach
    void close() throws Exception {
        if (connectors != null) {
            connectors.close();
        }
        if (vault != null) {
            vault.close();
        }
        io.rotor.it.TestDirs.delete(dataDir);
        Files.deleteIfExists(config);
    }

    private HttpResponse<String> call(String method, String path, String authorization, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(120))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        request.header("Authorization", authorization);
        if (body != null || !method.equals("GET")) { // state-changing requests must be JSON (browser safety)
            request.header("Content-Type", "application/json");
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode ok(HttpResponse<String> response, int status) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        return JSON.readTree(response.body());
    }

    private String current(String account) {
        try (StoredCredential c = vault.credentials().read(account, Slot.CURRENT).orElseThrow()) {
            return c.secret().reveal();
        }
    }

    /** A user-defined Unix self-change: passwd's prompts answered from the account's secrets. */
    private static String selfChanger(String name, String firstPrompt) throws Exception {
        var changer = JSON.createObjectNode();
        changer.put("name", name).put("type", "change").put("transport", "SSH").put("timeout", 60);
        var commands = changer.putArray("commands");
        commands.addObject().put("type", "input").put("value", "LC_ALL=C passwd; echo my-passwd-rc=$?").put("description", "start passwd");
        commands.addObject().put("type", "expected").put("value", firstPrompt);
        commands.addObject().put("type", "input").put("value", "%%account_secret%%");
        commands.addObject().put("type", "expected").put("value", "(?i)new password: ?");
        commands.addObject().put("type", "input").put("value", "%%account_new_secret%%");
        commands.addObject().put("type", "expected").put("value", "(?i)retype new password: ?");
        commands.addObject().put("type", "input").put("value", "%%account_new_secret%%");
        commands.addObject().put("type", "expected").put("value", "my-passwd-rc=0\\b");
        return JSON.writeValueAsString(changer);
    }

    private String setUp(String user, String changerName, char[] old) throws Exception {
        var target = JSON.createObjectNode();
        target.put("id", "fudo-ssh").put("type", "ssh").put("host", ssh.host()).put("port", ssh.port());
        target.putObject("settings").put("knownHosts", ssh.knownHosts().toString())
                .put("stepTimeoutSeconds", "3").put("passwordChanger", changerName);
        ok(call("POST", "/api/v1/targets", "Bearer " + adminToken, JSON.writeValueAsString(target)), 201);
        ok(call("POST", "/api/v1/accounts", "Bearer " + adminToken,
                "{\"id\": \"fudo-acct\", \"target\": \"fudo-ssh\", \"username\": \"" + user + "\"}"), 201);
        var set = JSON.createObjectNode().put("value", new String(old)).put("vaultOnly", true);
        ok(call("POST", "/api/v1/accounts/fudo-acct/set", "Bearer " + adminToken, JSON.writeValueAsString(set)), 200);
        return "fudo-acct";
    }

    @Test
    void aChangerDefinedThroughApiV2RotatesARealUnixAccount() throws Exception {
        String user = ssh.users().get(5);
        char[] old = ("Old-" + HexFormat.of().formatHex(java.security.SecureRandom.getSeed(8))).toCharArray();
        ssh.setPassword(user, old);
        try (SshLogins logins = new SshLogins(ssh.host(), ssh.port(), ssh.knownHosts())) {
            assertThat(logins.login(user, old)).as("the old password works before").isTrue();

            // the seed's curl: -H 'Authorization: <token>' (bare)
            JsonNode created = ok(call("POST", "/api/v2/password_changer", adminToken,
                    selfChanger("My Unix self-change", "(?i)(current|old) password: ?")), 200);
            assertThat(created.get("result").asText()).isEqualTo("success");
            String account = setUp(user, "my unix SELF-change", old);

            JsonNode triggered = ok(call("POST", "/api/v2/account/" + account + "/trigger_password_changer", operatorToken, null), 200);
            assertThat(triggered.toString()).isEqualTo("{\"result\":\"success\"}");

            String next = current(account);
            assertThat(next).isNotEqualTo(new String(old));
            assertThat(logins.login(user, next.toCharArray())).as("the new password logs in").isTrue();
            assertThat(logins.login(user, old)).as("the old password is refused").isFalse();
        }
    }

    @Test
    void aPromptThatNeverComesEndsInAnErrorWithTheRedactedTranscriptAndTheOldPasswordStillWorks() throws Exception {
        String user = ssh.users().get(5);
        char[] old = ("Old-" + HexFormat.of().formatHex(java.security.SecureRandom.getSeed(8))).toCharArray();
        ssh.setPassword(user, old);
        try (SshLogins logins = new SshLogins(ssh.host(), ssh.port(), ssh.knownHosts())) {
            ok(call("POST", "/api/v2/password_changer", adminToken, selfChanger("Broken self-change", "never-shown-prompt")), 200);
            String account = setUp(user, "Broken self-change", old);

            HttpResponse<String> failed = call("POST", "/api/v2/account/" + account + "/trigger_password_changer", operatorToken, null);
            JsonNode error = JSON.readTree(failed.body());
            assertThat(failed.statusCode()).as(failed.body()).isIn(409, 422);
            assertThat(error.get("result").asText()).isEqualTo("error");
            assertThat(error.get("message").asText()).contains("step 2");
            assertThat(error.get("changer").asText()).isEqualTo("Broken self-change");
            assertThat(error.get("transcript").asText()).contains("> LC_ALL=C passwd; echo my-passwd-rc=$?");
            assertThat(failed.body()).doesNotContain(new String(old));
            assertThat(current(account)).isEqualTo(new String(old));
            assertThat(vault.audit().trail(null, 100).stream().filter(a -> a.operation().equals("CHANGER_FAILED")).toList())
                    .isNotEmpty().allSatisfy(a -> assertThat(a.detail()).doesNotContain(new String(old)));
            assertThat(logins.login(user, old)).as("the old password still works").isTrue();
        }
    }
}
