package io.rotor.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rotor.connector.ConnectorRegistry;
import io.rotor.domain.CredentialType;
import io.rotor.domain.Role;
import io.rotor.domain.PasswordGenerator;
import io.rotor.domain.Secret;
import io.rotor.domain.Slot;
import io.rotor.domain.Target;
import io.rotor.domain.TlsMode;
import io.rotor.vault.MasterKey;
import io.rotor.vault.StoredCredential;
import io.rotor.vault.Vault;
import io.rotor.workflow.AccountQueries;
import io.rotor.workflow.FailureResults;
import io.rotor.workflow.FakeTarget;
import io.rotor.workflow.RecoveryService;
import io.rotor.workflow.RotationService;
import io.rotor.workflow.RotorMetrics;
import org.apache.camel.main.MainConfigurationProperties;
import org.apache.camel.spi.Registry;
import org.apache.camel.test.main.junit5.CamelMainTestSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The kill-line attack through the real REST API (Camel Main, platform-http, the shipped routes, the real vault):
 * {@code POST /api/v1/accounts/bob/set {"value":"\u0015root:Pwned1!"}} typed into {@code chpasswd} on a terminal
 * would set root's password. It is refused with 400 naming the problem, never the value, and nothing changes:
 * neither the vault nor the target nor the audit trail.
 */
class SetControlCharacterSecurityTest extends CamelMainTestSupport {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String INITIAL = "initial-Passw0rd";

    private final int port = io.rotor.it.TestPorts.free();
    private final Path config = configOnPort(port);
    private final HttpClient http = HttpClient.newHttpClient();
    private final FakeTarget target = new FakeTarget();
    private Path dataDir;
    private Vault vault;
    private String operatorToken;

    @Override
    protected void configure(MainConfigurationProperties configuration) {
        configuration.withRoutesIncludePattern("file:routes/*.camel.yaml");
        configuration.addRoutesBuilder(new ApiRoutes());
    }

    private static Path configOnPort(int port) {
        try {
            String shipped = Files.readString(Path.of("config", "application.properties"));
            String adjusted = shipped.replaceFirst("(?m)^camel\\.server\\.port\\s*=.*$", "camel.server.port = " + port);
            Path file = Files.createTempFile("rotor-cc-test-", ".properties");
            Files.writeString(file, adjusted);
            return file;
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
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
        dataDir = Files.createTempDirectory("rotor-cc-");
        vault = Vault.open(null, null, null, dataDir, MasterKey.load(null, dataDir.resolve("master.key")), 4);
        AuthStore auth = new AuthStore(vault.tokens());
        ConnectorRegistry connectors = new ConnectorRegistry();
        connectors.attach(io.rotor.connector.ConnectorContext.NONE);
        connectors.register(target);
        RotationService rotation = new RotationService(vault, connectors, new PasswordGenerator(), new RotorMetrics(),
                Duration.ofMinutes(5), 3);
        registry.bind("rotationService", rotation);
        registry.bind("recoveryService", new RecoveryService(vault.accounts(), rotation));
        registry.bind("accountQueries", new AccountQueries(vault.accounts(), vault.targets()));
        registry.bind("failureResults", new FailureResults(new RotorMetrics()));
        registry.bind("tallies", new io.rotor.workflow.Tallies());
        registry.bind("rotationDue", new io.rotor.schedule.RotationDue(vault.accounts(), vault.policies(), java.time.ZoneOffset.UTC,
                io.rotor.domain.RotationSchedule.none(), java.time.Clock.systemUTC()));
        registry.bind("apiAuthenticator", new Authenticator(auth, vault.audit()));
        registry.bind("apiInventory", new InventoryApi(vault));
        registry.bind("apiAccounts", new AccountApi(vault));
        io.rotor.workflow.WorkflowBeans.bind(registry, vault, rotation, dataDir);

        operatorToken = Credentials.newToken();
        auth.createToken("operator-1", Role.OPERATOR, Credentials.tokenHash(operatorToken), "test");

        vault.targets().upsertTarget(new Target("fleet", "fake", "localhost", 1, null, TlsMode.DISABLE, null, null, Map.of()));
        for (String id : new String[]{"bob", "root"}) {
            vault.accounts().upsertAccount(id, "fleet", id, CredentialType.PASSWORD, null);
            target.passwords.put(id, INITIAL);
            rotation.set(id, Secret.fromUtf8(INITIAL.getBytes(StandardCharsets.UTF_8)), true, "test");
        }
    }

    @AfterEach
    void closeVault() throws Exception {
        if (vault != null) {
            vault.close();
        }
        io.rotor.it.TestDirs.delete(dataDir);
        Files.deleteIfExists(config);
    }

    private HttpResponse<String> set(String account, String json) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/accounts/" + account + "/set"))
                .timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + operatorToken)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private String state() {
        StringBuilder s = new StringBuilder();
        for (String id : new String[]{"bob", "root"}) {
            s.append(id).append(' ').append(vault.accounts().findAccount(id).orElseThrow().status()).append(' ');
            for (Slot slot : Slot.values()) {
                vault.credentials().read(id, slot).ifPresent(c -> {
                    try (StoredCredential credential = c) {
                        s.append(slot).append('=').append(credential.version()).append(':')
                                .append(credential.secret().reveal().hashCode()).append(' ');
                    }
                });
            }
            s.append('\n');
        }
        vault.audit().trail(null, 10_000).stream().filter(a -> !a.operation().startsWith("API_"))
                .forEach(a -> s.append(a.operation()).append(' ').append(a.accountId()).append('\n'));
        return s.append(target.passwords).toString();
    }

    @Test
    void theKillLineValueIsRefusedWith400OnEveryVariantAndNothingChanges() throws Exception {
        String before = state();
        // JSON escapes, as a client would send them: ^U, ^W, DEL, ^H, ESC, TAB
        String[] attacks = {"\\u0015root:Pwned1!", "x\\u0017root:Pwned1!", "Pwned\\u007f1!", "Pwned\\b1!",
                "\\u001b[2Kroot:Pwned1!", "Pw\\tned1!"};
        for (String value : attacks) {
            for (String vaultOnly : new String[]{"true", "false"}) {
                HttpResponse<String> response = set("bob", "{\"value\": \"" + value + "\", \"vaultOnly\": " + vaultOnly + "}");
                assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
                JsonNode error = JSON.readTree(response.body());
                assertThat(error.get("code").asText()).isEqualTo("INVALID_FIELD");
                assertThat(error.get("message").asText()).contains("field 'value'").contains("control character")
                        .containsPattern("U\\+00[0-9A-F]{2}").contains("position");
                assertThat(response.body()).doesNotContain("Pwned").doesNotContain("root:");
            }
        }
        assertThat(state()).isEqualTo(before);
        assertThat(target.passwords).containsEntry("root", INITIAL).containsEntry("bob", INITIAL);
        assertThat(target.lastChange).as("no connector was asked to change anything").isNull();
    }

    @Test
    void theSameRequestWithoutTheControlCharacterIsAccepted() throws Exception {
        HttpResponse<String> response = set("bob", "{\"value\": \"root:Pwned1!\", \"vaultOnly\": true}");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    }
}
