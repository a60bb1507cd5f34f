package io.rotor.workflow;

import static org.assertj.core.api.Assertions.assertThat;

import io.rotor.connector.ConnectorRegistry;
import io.rotor.domain.CredentialType;
import io.rotor.domain.PasswordGenerator;
import io.rotor.domain.PasswordPolicy;
import io.rotor.domain.RotationSchedule;
import io.rotor.domain.Secret;
import io.rotor.domain.Target;
import io.rotor.domain.TlsMode;
import io.rotor.schedule.QuartzSetup;
import io.rotor.schedule.RotationDue;
import io.rotor.vault.MasterKey;
import io.rotor.vault.Vault;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.camel.builder.NotifyBuilder;
import org.apache.camel.main.MainConfigurationProperties;
import org.apache.camel.spi.Registry;
import org.apache.camel.test.main.junit5.CamelMainTestSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The schedule routes as shipped in {@code routes/}, with Quartz's JDBC job store in a real (H2) vault: the
 * rotation schedule rotates a due account and leaves a manual-only one alone; the heartbeat verifies every
 * account. The Quartz triggers fire every second; RotationDue's clock runs a day ahead, so an hourly policy is
 * due without waiting.
 */
class ScheduleRoutesTest extends CamelMainTestSupport {
    private Path dataDir;
    private Vault vault;
    private RotationDue rotationDue;
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
        overrides.setProperty("rotor.schedules.rotation-check-cron", "* * * * * ?");
        overrides.setProperty("rotor.heartbeat.cron", "* * * * * ?");
        return overrides;
    }

    @Override
    protected void bindToRegistry(Registry registry) throws Exception {
        dataDir = Files.createTempDirectory("rotor-schedules-");
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
        registry.bind("quartz", QuartzSetup.component(vault.dataSource()));
        rotationDue = new RotationDue(vault.accounts(), vault.policies(), ZoneOffset.UTC, RotationSchedule.none(),
                Clock.offset(Clock.systemUTC(), Duration.ofDays(1)));
        registry.bind("rotationDue", rotationDue);
        WorkflowBeans.bind(registry, vault, rotation, dataDir);

        vault.policies().upsertPolicy(new PasswordPolicy("hourly", 24, 32, 1, 1, 1, 1, PasswordPolicy.DEFAULT_SYMBOLS, "", true));
        vault.policies().setRotationSchedule("hourly", RotationSchedule.of("PT1H", null, null, false));
        vault.policies().upsertPolicy(new PasswordPolicy("break-glass", 24, 32, 1, 1, 1, 1, PasswordPolicy.DEFAULT_SYMBOLS, "", true));
        vault.policies().setRotationSchedule("break-glass", RotationSchedule.manual());
        vault.targets().upsertTarget(new Target("fleet", "fake", "localhost", 1, null, TlsMode.DISABLE, null, null, Map.of()));
        account(rotation, "due-1", "hourly");
        account(rotation, "due-2", "hourly");
        account(rotation, "manual-1", "break-glass");
        account(rotation, "unscheduled-1", null);
    }

    private void account(RotationService rotation, String id, String policy) {
        vault.accounts().upsertAccount(id, "fleet", id, CredentialType.PASSWORD, policy);
        target.passwords.put(id, "initial-" + id);
        rotation.set(id, Secret.fromUtf8(("initial-" + id).getBytes(StandardCharsets.UTF_8)), true, "test");
    }

    @AfterEach
    void closeVault() {
        // Quartz's job store is in the vault: stop the engine before the vault's pool closes
        context.stop();
        if (vault != null) {
            vault.close();
        }
        io.rotor.it.TestDirs.delete(dataDir);
    }

    @Test
    void theRotationScheduleRotatesDueAccountsAndNeverAManualOnlyOne() throws Exception {
        assertThat(rotationDue.dueAccounts()).containsExactly("due-1", "due-2");
        assertThat(rotationDue.dueAdminAccounts()).isEmpty();
        NotifyBuilder rotated = new NotifyBuilder(context).fromRoute("schedule-rotation").whenCompleted(2).create();

        context.getRouteController().startRoute("schedule-rotation");
        QuartzSetup.startScheduler(context);

        assertThat(rotated.matches(30, TimeUnit.SECONDS)).isTrue();
        // the trigger fires every second: stop it (waits for the run in flight) before looking
        context.getRouteController().stopRoute("schedule-rotation");
        assertThat(target.passwords.get("due-1")).as(() -> "due-1 audit: " + vault.audit().trail("due-1", 10))
                .isNotEqualTo("initial-due-1");
        assertThat(target.passwords.get("due-2")).as(() -> "due-2 audit: " + vault.audit().trail("due-2", 10))
                .isNotEqualTo("initial-due-2");
        assertThat(target.passwords.get("manual-1")).isEqualTo("initial-manual-1");
        assertThat(target.passwords.get("unscheduled-1")).isEqualTo("initial-unscheduled-1");
        assertThat(vault.audit().trail("due-1", 10)).anySatisfy(a -> {
            assertThat(a.operation()).isEqualTo("ROTATE");
            assertThat(a.actor()).isEqualTo("schedule");
        });
        assertThat(vault.audit().trail("manual-1", 10)).noneSatisfy(a -> assertThat(a.operation()).isEqualTo("ROTATE"));
        // the trigger is in Quartz's tables in the vault, not in memory
        assertThat(triggers()).contains("rotation-check");
    }

    @Test
    void theHeartbeatVerifiesEveryAccount() throws Exception {
        NotifyBuilder verified = new NotifyBuilder(context).fromRoute("schedule-heartbeat").whenCompleted(1).create();

        context.getRouteController().startRoute("schedule-heartbeat");
        QuartzSetup.startScheduler(context);

        assertThat(verified.matches(30, TimeUnit.SECONDS)).isTrue();
        // stop the every-second trigger (waits for the run in flight): a verify of a locked account is refused
        context.getRouteController().stopRoute("schedule-heartbeat");
        OperationTally tally = template.requestBodyAndHeader("direct:verify-all", null, "actor", "test",
                OperationTally.class);
        assertThat(tally.results()).hasSize(4);
        assertThat(tally.succeeded()).isEqualTo(4);
        assertThat(vault.audit().trail("manual-1", 10)).anySatisfy(a -> assertThat(a.actor()).isEqualTo("heartbeat"));
        assertThat(triggers()).contains("heartbeat");
    }

    @Test
    void nothingDueGivesAnEmptyTally() {
        vault.policies().setRotationSchedule("hourly", RotationSchedule.manual());

        OperationTally tally = template.requestBodyAndHeader("direct:rotate-due", null, "actor", "test",
                OperationTally.class);

        assertThat(tally.results()).isEmpty();
    }

    private String triggers() throws Exception {
        StringBuilder names = new StringBuilder();
        try (Connection c = vault.dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT SCHED_NAME, TRIGGER_NAME FROM QRTZ_TRIGGERS")) {
            while (r.next()) {
                assertThat(r.getString(1)).isEqualTo(QuartzSetup.SCHEDULER_NAME);
                names.append(r.getString(2)).append(' ');
            }
        }
        return names.toString();
    }
}
