package io.rotor.camel;

import io.rotor.connector.ConnectorRegistry;
import io.rotor.domain.CredentialType;
import io.rotor.domain.Job;
import io.rotor.domain.JobStatus;
import io.rotor.domain.PasswordGenerator;
import io.rotor.domain.Secret;
import io.rotor.domain.Target;
import io.rotor.domain.TlsMode;
import io.rotor.vault.MasterKey;
import io.rotor.vault.Vault;
import io.rotor.workflow.AccountQueries;
import io.rotor.workflow.FailureResults;
import io.rotor.workflow.FakeTarget;
import io.rotor.workflow.JobStore;
import io.rotor.workflow.RecoveryService;
import io.rotor.workflow.RotationService;
import io.rotor.workflow.RotorMetrics;
import io.rotor.workflow.Tallies;
import io.rotor.workflow.WorkflowBeans;
import org.apache.camel.spi.Registry;
import org.apache.camel.test.main.junit5.CamelMainTestSupport;
import org.junit.jupiter.api.AfterEach;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The shipped workflow routes with the real vault, job store and protocol behind them (an in-memory target double),
 * plus the routes of a test under {@link #extraRoutes()}, and a vault prepared for a single-user offboard: alice
 * leaves, bob inherits, alice owns two vault accounts linked to accounts of target {@code fleet}.
 */
abstract class OffboardFixture extends CamelMainTestSupport {
    protected static final String LINK = "backing_account";
    protected Path dataDir;
    protected Vault vault;
    protected JobStore jobs;
    protected final FakeTarget target = new FakeTarget();

    protected abstract String extraRoutes();

    @Override
    protected void configure(org.apache.camel.main.MainConfigurationProperties configuration) {
        configuration.withRoutesIncludePattern("file:routes/*.camel.yaml," + extraRoutes());
    }

    @Override
    protected String getPropertyPlaceholderLocations() {
        return "file:config/application.properties";
    }

    @Override
    protected Properties useOverridePropertiesWithPropertiesComponent() {
        Properties overrides = new Properties();
        overrides.setProperty("camel.server.enabled", "false");
        overrides.setProperty("camel.management.enabled", "false");
        overrides.setProperty("camel.metrics.enabled", "false");
        return overrides;
    }

    @Override
    protected void bindToRegistry(Registry registry) throws Exception {
        dataDir = Files.createTempDirectory("rotor_it_route_");
        vault = Vault.open(null, null, null, dataDir, MasterKey.load(null, dataDir.resolve("master.key")), 6);
        ConnectorRegistry connectors = new ConnectorRegistry();
        connectors.register(target);
        RotationService rotation = new RotationService(vault, connectors, new PasswordGenerator(), new RotorMetrics(),
                Duration.ofMinutes(5), 3);
        registry.bind("rotationService", rotation);
        registry.bind("recoveryService", new RecoveryService(vault.accounts(), rotation));
        registry.bind("accountQueries", new AccountQueries(vault.accounts(), vault.targets()));
        registry.bind("failureResults", new FailureResults(new RotorMetrics()));
        registry.bind("tallies", new Tallies());
        registry.bind("rotationDue", new io.rotor.schedule.RotationDue(vault.accounts(), vault.policies(),
                java.time.ZoneOffset.UTC, io.rotor.domain.RotationSchedule.none(), java.time.Clock.systemUTC()));
        jobs = WorkflowBeans.bind(registry, vault, rotation, dataDir);

        vault.targets().upsertTarget(new Target("fleet", "fake", "localhost", 1, null, TlsMode.DISABLE, null, null, Map.of()));
        vault.templates().ensureVaultTarget("test", "vault");
        for (int i = 0; i < 2; i++) {
            String id = "acct-%02d".formatted(i);
            vault.accounts().upsertAccount(id, "fleet", id, CredentialType.PASSWORD, null);
            target.passwords.put(id, "initial-" + i);
            rotation.set(id, secret("initial-" + i), true, "test");
            vault.accounts().upsertAccount("v-" + id, "vault", id, CredentialType.PASSWORD, null);
            vault.attributes().setAttribute("test", "v-" + id, LINK, List.of(id));
            vault.attributes().setAttribute("test", "v-" + id, "owners", List.of("alice"));
        }
        vault.users().ensureUserTarget("test", "people");
        vault.users().upsertUser("test", new io.rotor.domain.VaultUser("alice", "people", "alice", "Alice", false));
        vault.users().upsertUser("test", new io.rotor.domain.VaultUser("bob", "people", "bob", "Bob", false));
        vault.access().resync("test", "vault", "owners", "groups");
    }

    protected static Secret secret(String value) {
        return Secret.fromUtf8(value.getBytes(StandardCharsets.UTF_8));
    }

    /** The request single-user-offboard takes, as POST /api/v1/workflows/single-user-offboard does. */
    protected static Map<String, Object> offboardRequest() {
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("userToOffboard", "alice");
        request.put("userToInherit", "bob");
        request.put("target", List.of("fleet"));
        request.put("vaultTarget", "vault");
        request.put("vaultAssociationAttribute", "owners");
        request.put("vaultLinkAttribute", LINK);
        return request;
    }

    /** Waits for the job to end (the run-job route runs it off the caller's thread). */
    protected Job ended(String jobId, Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline) {
            Job job = jobs.find(jobId).orElseThrow();
            if (job.status() != JobStatus.QUEUED && job.status() != JobStatus.RUNNING) {
                return job;
            }
            Thread.sleep(100);
        }
        return jobs.find(jobId).orElseThrow();
    }

    @AfterEach
    void closeVault() {
        if (vault != null) {
            vault.close();
        }
        io.rotor.it.TestDirs.delete(dataDir);
    }
}
