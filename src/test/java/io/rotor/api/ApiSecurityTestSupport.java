package io.rotor.api;

import io.rotor.connector.ConnectorRegistry;
import io.rotor.domain.CredentialType;
import io.rotor.domain.PasswordGenerator;
import io.rotor.domain.Role;
import io.rotor.domain.Secret;
import io.rotor.domain.Target;
import io.rotor.domain.TlsMode;
import io.rotor.vault.MasterKey;
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

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Properties;

/**
 * The real REST API (Camel Main, platform-http, the shipped routes and configuration, the real vault) in front of
 * the in-memory {@link FakeTarget}, with one operator token and one operator service account, for the tests that
 * try an attack on it.
 */
abstract class ApiSecurityTestSupport extends CamelMainTestSupport {
    static final String INITIAL = "initial-Passw0rd";
    static final String SERVICE_ACCOUNT = "deployer";
    static final String SERVICE_PASSWORD = "deployer-Passw0rd-long";

    final int port = io.rotor.it.TestPorts.free();
    final Path config = configOnPort(port);
    final HttpClient http = HttpClient.newHttpClient();
    final FakeTarget target = new FakeTarget();
    Path dataDir;
    Vault vault;
    AuthStore auth;
    RotationService rotation;
    String operatorToken;

    @Override
    protected void configure(MainConfigurationProperties configuration) {
        configuration.withRoutesIncludePattern("file:routes/*.camel.yaml");
        configuration.addRoutesBuilder(new ApiRoutes());
    }

    private static Path configOnPort(int port) {
        try {
            String shipped = Files.readString(Path.of("config", "application.properties"));
            String adjusted = shipped.replaceFirst("(?m)^camel\\.server\\.port\\s*=.*$", "camel.server.port = " + port);
            Path file = Files.createTempFile("rotor-sec-test-", ".properties");
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

    /** The authenticator under test; a subclass may give it a clock or limits of its own. */
    Authenticator authenticator(AuthStore store, Vault vault) {
        return new Authenticator(store, vault.audit());
    }

    @Override
    protected void bindToRegistry(Registry registry) throws Exception {
        dataDir = Files.createTempDirectory("rotor-sec-");
        vault = Vault.open(null, null, null, dataDir, MasterKey.load(null, dataDir.resolve("master.key")), 4);
        auth = new AuthStore(vault.tokens());
        ConnectorRegistry connectors = new ConnectorRegistry();
        connectors.attach(io.rotor.connector.ConnectorContext.NONE);
        connectors.register(target);
        rotation = new RotationService(vault, connectors, new PasswordGenerator(), new RotorMetrics(),
                Duration.ofMinutes(5), 3);
        registry.bind("rotationService", rotation);
        registry.bind("recoveryService", new RecoveryService(vault.accounts(), rotation));
        registry.bind("accountQueries", new AccountQueries(vault.accounts(), vault.targets()));
        registry.bind("failureResults", new FailureResults(new RotorMetrics()));
        registry.bind("tallies", new io.rotor.workflow.Tallies());
        registry.bind("rotationDue", new io.rotor.schedule.RotationDue(vault.accounts(), vault.policies(), java.time.ZoneOffset.UTC,
                io.rotor.domain.RotationSchedule.none(), java.time.Clock.systemUTC()));
        registry.bind("apiAuthenticator", authenticator(auth, vault));
        registry.bind("apiInventory", new InventoryApi(vault));
        registry.bind("apiAccounts", new AccountApi(vault));
        io.rotor.workflow.WorkflowBeans.bind(registry, vault, rotation, dataDir);

        operatorToken = Credentials.newToken();
        auth.createToken("operator-1", Role.OPERATOR, Credentials.tokenHash(operatorToken), "test");
        auth.createServiceAccount(SERVICE_ACCOUNT, Role.OPERATOR, Credentials.hashPassword(SERVICE_PASSWORD.toCharArray()), "test");

        vault.targets().upsertTarget(new Target("fleet", "fake", "localhost", 1, null, TlsMode.DISABLE, null, null, Map.of()));
        addAccount("bob");
    }

    /** An account on the fake target whose password, on the target and in the vault, is {@link #INITIAL}. */
    void addAccount(String id) {
        vault.accounts().upsertAccount(id, "fleet", id, CredentialType.PASSWORD, null);
        target.passwords.put(id, INITIAL);
        rotation.set(id, Secret.fromUtf8(INITIAL.getBytes(StandardCharsets.UTF_8)), true, "test");
    }

    @AfterEach
    void closeVault() throws Exception {
        if (vault != null) {
            vault.close();
        }
        io.rotor.it.TestDirs.delete(dataDir);
        Files.deleteIfExists(config);
    }

    static String basic(String username, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /** One request; {@code headers} are name, value pairs. */
    HttpResponse<String> send(String method, String path, String body, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(60))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i + 1 < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Operations in the audit trail other than logins, oldest first. */
    java.util.List<String> changesInAudit() {
        java.util.List<String> ops = new java.util.ArrayList<>();
        vault.audit().trail(null, 10_000).stream().filter(a -> !a.operation().startsWith("API_"))
                .forEach(a -> ops.add(0, a.operation() + " " + a.accountId() + " " + a.outcome()));
        return ops;
    }
}
