package io.rotor.workflow;

import io.rotor.connector.ConnectorRegistry;
import io.rotor.domain.CredentialType;
import io.rotor.domain.PasswordGenerator;
import io.rotor.domain.Secret;
import io.rotor.domain.Target;
import io.rotor.domain.TlsMode;
import io.rotor.vault.MasterKey;
import io.rotor.vault.Vault;
import io.rotor.workflow.OperationResult.Outcome;
import org.apache.camel.builder.NotifyBuilder;
import org.apache.camel.main.MainConfigurationProperties;
import org.apache.camel.spi.Registry;
import org.apache.camel.test.main.junit5.CamelMainTestSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The workflow routes exactly as shipped in {@code routes/*.camel.yaml}, loaded by Camel Main, with the real
 * vault and protocol behind them and an in-memory target double in place of a database.
 */
class WorkflowRoutesTest extends CamelMainTestSupport {
    private static final int ACCOUNTS = 50;

    private Path dataDir;
    private Vault vault;
    private final FakeTarget target = new FakeTarget();

    @Override
    protected void configure(MainConfigurationProperties configuration) {
        configuration.withRoutesIncludePattern("file:routes/*.camel.yaml");
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
        dataDir = Files.createTempDirectory("rotor-routes-");
        vault = Vault.open(null, null, null, dataDir, MasterKey.load(null, dataDir.resolve("master.key")), 4);
        ConnectorRegistry connectors = new ConnectorRegistry();
        connectors.register(target);
        RotationService rotation = new RotationService(vault, connectors, new PasswordGenerator(), new RotorMetrics(),
                Duration.ofMinutes(5), 3);
        registry.bind("rotationService", rotation);
        registry.bind("recoveryService", new RecoveryService(vault.accounts(), rotation));
        registry.bind("accountQueries", new AccountQueries(vault.accounts(), vault.targets()));
        registry.bind("failureResults", new FailureResults(new RotorMetrics()));
        registry.bind("tallies", new Tallies());
        registry.bind("rotationDue", new io.rotor.schedule.RotationDue(vault.accounts(), vault.policies(), java.time.ZoneOffset.UTC,
                io.rotor.domain.RotationSchedule.none(), java.time.Clock.systemUTC()));
        io.rotor.workflow.WorkflowBeans.bind(registry, vault, rotation, dataDir);

        vault.targets().upsertTarget(new Target("fleet", "fake", "localhost", 1, null, TlsMode.DISABLE, null, null, Map.of()));
        for (int i = 0; i < ACCOUNTS; i++) {
            String id = "acct-%02d".formatted(i);
            vault.accounts().upsertAccount(id, "fleet", id, CredentialType.PASSWORD, null);
            target.passwords.put(id, "initial-" + i);
            rotation.set(id, Secret.fromUtf8(("initial-" + i).getBytes(StandardCharsets.UTF_8)), true, "test");
        }
    }

    @AfterEach
    void closeVault() {
        if (vault != null) {
            vault.close();
        }
        io.rotor.it.TestDirs.delete(dataDir);
    }

    @Test
    void rotateTargetRotatesEveryAccountInParallelAndTalliesThem() {
        NotifyBuilder done = new NotifyBuilder(context).fromRoute("rotate-target").whenCompleted(1).create();

        OperationTally tally = template.requestBodyAndHeaders("direct:rotate-target", null,
                Map.of("targetId", "fleet", "actor", "test"), OperationTally.class);

        assertThat(done.matches(30, TimeUnit.SECONDS)).isTrue();
        assertThat(tally.results()).hasSize(ACCOUNTS);
        assertThat(tally.counts()).containsEntry(Outcome.SUCCEEDED, ACCOUNTS);
        for (int i = 0; i < ACCOUNTS; i++) {
            assertThat(target.passwords.get("acct-%02d".formatted(i))).isNotEqualTo("initial-" + i);
        }
    }

    @Test
    void theTargetsAdminAccountIsRotatedLastAndAlone() {
        vault.targets().upsertTarget(new Target("fleet", "fake", "localhost", 1, null, TlsMode.DISABLE, "acct-00", null, Map.of()));

        OperationTally tally = template.requestBodyAndHeaders("direct:rotate-target", null,
                Map.of("targetId", "fleet", "actor", "test"), OperationTally.class);

        assertThat(tally.results()).hasSize(ACCOUNTS);
        assertThat(tally.counts()).containsEntry(Outcome.SUCCEEDED, ACCOUNTS);
        assertThat(tally.results().get(ACCOUNTS - 1).accountId()).isEqualTo("acct-00");
        assertThat(target.offered.get(target.offered.size() - 1)).isEqualTo(target.passwords.get("acct-00"));
    }

    @Test
    void oneFailingAccountNeverStopsTheOthers() {
        // acct-07 names a password policy that does not exist: its rotation fails with a reason
        vault.accounts().upsertAccount("acct-07", "fleet", "acct-07", CredentialType.PASSWORD, "no-such-policy");

        OperationTally tally = template.requestBodyAndHeaders("direct:rotate-target", null,
                Map.of("targetId", "fleet", "actor", "test"), OperationTally.class);

        assertThat(tally.results()).hasSize(ACCOUNTS);
        assertThat(tally.succeeded()).isEqualTo(ACCOUNTS - 1);
        OperationResult failed = tally.results().stream().filter(r -> !r.success()).findFirst().orElseThrow();
        assertThat(failed.accountId()).isEqualTo("acct-07");
        assertThat(failed.outcome()).isEqualTo(Outcome.FAILED);
        assertThat(failed.detail()).contains("no-such-policy");
        assertThat(target.passwords.get("acct-07")).isEqualTo("initial-7");
    }

    @Test
    void anUnknownAccountBecomesAFailedResultThatNamesIt() {
        OperationResult result = template.requestBodyAndHeaders("direct:rotate-account", null,
                Map.of("accountId", "ghost", "actor", "test"), OperationResult.class);

        assertThat(result.outcome()).isEqualTo(Outcome.FAILED);
        assertThat(result.detail()).isEqualTo("unknown account id 'ghost'");
    }

    @Test
    void anUnknownTargetIsNamed() {
        Object reply = template.requestBodyAndHeaders("direct:rotate-target", null,
                Map.of("targetId", "nowhere", "actor", "test"));

        assertThat(reply).isInstanceOf(OperationResult.class);
        assertThat(((OperationResult) reply).detail()).isEqualTo("unknown target id 'nowhere'");
    }

    @Test
    void verifyAndSetRoutesReachTheProtocol() {
        OperationResult verify = template.requestBodyAndHeaders("direct:verify-account", null,
                Map.of("accountId", "acct-01", "actor", "test"), OperationResult.class);
        assertThat(verify.outcome()).isEqualTo(Outcome.SUCCEEDED);

        OperationResult set = template.requestBodyAndHeaders("direct:set-credential",
                Secret.fromUtf8("typed-by-operator".getBytes(StandardCharsets.UTF_8)),
                Map.of("accountId", "acct-01", "actor", "test", "vaultOnly", false), OperationResult.class);
        assertThat(set.outcome()).isEqualTo(Outcome.SUCCEEDED);
        assertThat(target.passwords.get("acct-01")).isEqualTo("typed-by-operator");
    }
}
