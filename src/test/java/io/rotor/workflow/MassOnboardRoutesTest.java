package io.rotor.workflow;

import io.rotor.connector.ConnectorRegistry;
import io.rotor.domain.Account;
import io.rotor.domain.CredentialType;
import io.rotor.domain.Job;
import io.rotor.domain.JobResult;
import io.rotor.domain.JobStatus;
import io.rotor.domain.JobStep;
import io.rotor.domain.NewJob;
import io.rotor.domain.PasswordGenerator;
import io.rotor.domain.Secret;
import io.rotor.domain.Slot;
import io.rotor.domain.Target;
import io.rotor.domain.TlsMode;
import io.rotor.domain.VaultTemplate;
import io.rotor.domain.VaultUser;
import io.rotor.vault.MasterKey;
import io.rotor.vault.StoredCredential;
import io.rotor.vault.Vault;
import io.rotor.workflow.report.JobReportWriter;
import org.apache.camel.BeanInject;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.NotifyBuilder;
import org.apache.camel.main.MainConfigurationProperties;
import org.apache.camel.spi.Registry;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.apache.camel.test.main.junit5.Configure;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The mass-onboard routes as shipped ({@code routes/mass-onboard*.camel.yaml}, {@code run-job}), loaded by Camel
 * Main with the real vault, directory, job store and rotation protocol, and an in-memory target double that
 * discovery lists: the six steps, a username discovery refuses, a second run that changes nothing, the dry run.
 */
@CamelMainTest(propertyPlaceholderLocations = "file:config/application.properties",
        properties = {"camel.server.enabled=false", "camel.management.enabled=false", "camel.metrics.enabled=false"})
class MassOnboardRoutesTest {
    private static final int DISCOVERED = 70;
    private static final String LINK = "backing_account";
    private static final String OWNERS = "owners";
    private static final String GROUPS = "groups";

    private Path dataDir;
    private Vault vault;
    private JobStore jobs;
    private final FakeTarget target = new FakeTarget();

    @BeanInject
    CamelContext context;
    private ProducerTemplate template;

    /** The shipped YAML routes, and the beans they call bound before they start. */
    @Configure
    void configure(MainConfigurationProperties configuration) {
        configuration.withRoutesIncludePattern("file:routes/*.camel.yaml");
        configuration.addConfiguration(new org.apache.camel.CamelConfiguration() {
            @Override
            public void configure(CamelContext camelContext) throws Exception {
                bindToRegistry(camelContext, camelContext.getRegistry());
            }
        });
    }

    private void bindToRegistry(CamelContext context, Registry registry) throws Exception {
        dataDir = Files.createTempDirectory("rotor-onboard-");
        vault = Vault.open(null, null, null, dataDir, MasterKey.load(null, dataDir.resolve("master.key")), 8);
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
        jobs = WorkflowBeans.bind(registry, vault, rotation, dataDir);

        // the target with its admin account (the only account the vault knows there before onboarding)
        vault.targets().upsertTarget(new Target("fleet", "fake", "localhost", 1, null, TlsMode.DISABLE, "fleet-admin", null,
                Map.of(MassOnboard.DISCOVERY_FILTER, "app%")));
        vault.accounts().upsertAccount("fleet-admin", "fleet", "root", CredentialType.PASSWORD, null);
        rotation.set("fleet-admin", secret("admin-secret"), true, "test");
        target.passwords.put("root", "admin-secret");
        for (int i = 0; i < DISCOVERED; i++) {
            target.passwords.put("app%02d".formatted(i), "unknown-" + i);
        }
        target.passwords.put("bad;name", "x"); // a name Rotor refuses: discovery skips it and says why
        // one account already in the vault, not yet onboarded, with its own group and owner
        vault.accounts().upsertAccount("fleet.dba", "fleet", "dba", CredentialType.PASSWORD, null);
        target.passwords.put("dba", "dba-old");
        vault.templates().ensureVaultTarget("test", "vault");
        vault.users().ensureUserTarget("test", "staff");
        vault.users().upsertUser("test", new VaultUser("alice", "staff", "alice", "Alice", false));
        vault.users().upsertUser("test", new VaultUser("bob", "staff", "bob", "Bob", false));
        vault.attributes().setAttribute("test", "fleet.dba", GROUPS, List.of("dba"));
        vault.attributes().setAttribute("test", "fleet.dba", OWNERS, List.of("bob"));
        vault.templates().upsertTemplate("test", new VaultTemplate("tpl", "vault", "{target}-{username}",
                Map.of(GROUPS, List.of("ops"), OWNERS, List.of("alice"))));
    }

    private static Secret secret(String value) {
        return Secret.fromUtf8(value.getBytes(StandardCharsets.UTF_8));
    }

    private ProducerTemplate template() {
        if (template == null) {
            template = context.createProducerTemplate();
        }
        return template;
    }

    @AfterEach
    void closeVault() {
        if (vault != null) {
            vault.close();
        }
        io.rotor.it.TestDirs.delete(dataDir);
    }

    private Job newJob(boolean dryRun) {
        return newJob(dryRun, Map.of());
    }

    private Job newJob(boolean dryRun, Map<String, Object> extra) {
        Map<String, Object> parameters = new LinkedHashMap<>();
        parameters.put("target", List.of("fleet"));
        parameters.put("vaultUserTarget", "staff");
        parameters.put("vaultTarget", "vault");
        parameters.put("vaultAssociationAttribute", OWNERS);
        parameters.put("vaultGroupAttribute", GROUPS);
        parameters.put("vaultLinkAttribute", LINK);
        parameters.put("vaultTemplateId", "tpl");
        parameters.put("batchSize", 32);
        parameters.putAll(extra);
        return jobs.create(new NewJob(MassOnboard.WORKFLOW, parameters, dryRun, false, "api:token:test"));
    }

    private Job run(Job job) {
        return template().requestBodyAndHeader("direct:mass-onboard", null, "jobId", job.id(), Job.class);
    }

    private String current(String accountId) {
        try (StoredCredential c = vault.credentials().read(accountId, Slot.CURRENT).orElseThrow()) {
            return c.secret().reveal();
        }
    }

    @Test
    void theSixStepsOnboardEveryDiscoveredAccountWithAVaultAccountThatHoldsItsNewPassword() {
        Job job = run(newJob(false));

        // groups ops (template) and dba (the account's own): 2 + 2 results; discovery: 1 target + 1 resync;
        // 71 accounts x 2; the final resync
        assertThat(job.status()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(job.total()).isEqualTo(4 + 2 + 2L * (DISCOVERED + 1) + 1);
        assertThat(job.done()).isEqualTo(job.total());
        assertThat(jobs.steps(job.id())).extracting(JobStep::name).containsExactlyElementsOf(MassOnboard.STEPS);

        // steps 1 and 2: both groups exist on the user target; alice (the template's owner) is in the template's
        // group ops
        assertThat(vault.groups().listGroups("staff")).extracting(g -> g.id()).containsExactly("dba", "ops");
        assertThat(vault.groups().members("ops")).extracting(VaultUser::id).containsExactly("alice");
        // an account's own owners join only its own groups: bob gets no way into the template's group ops
        assertThat(vault.groups().members("dba")).extracting(VaultUser::id).containsExactly("bob");
        // step 3: discovery added the 70 new accounts, not the admin, not the refused name
        assertThat(vault.accounts().listAccounts("fleet")).hasSize(DISCOVERED + 2);
        assertThat(vault.accounts().listAccounts("fleet")).extracting(Account::username).doesNotContain("bad;name");
        assertThat(jobs.results(job.id(), 0, 1000)).filteredOn(r -> r.step().equals(MassOnboard.STEP_DISCOVERY))
                .extracting(JobResult::reason).anySatisfy(reason -> assertThat(reason)
                        .startsWith("found 73 login account(s) on 'fleet' matching 'app%': 70 added to the vault, 2 already there, 1 skipped: bad;name")
                        .contains("semicolon"));
        // steps 4-6: every account has a new password on the target, its CURRENT, and a linked vault account
        for (int i = 0; i < DISCOVERED; i++) {
            String username = "app%02d".formatted(i);
            String id = "fleet." + username;
            assertThat(target.passwords.get(username)).isNotEqualTo("unknown-" + i).isEqualTo(current(id));
            String vaultId = "fleet-" + username;
            assertThat(current(vaultId)).isEqualTo(current(id));
            assertThat(vault.attributes().attribute(vaultId, LINK)).containsExactly(id);
            assertThat(vault.attributes().attribute(vaultId, GROUPS)).containsExactly("ops");
            assertThat(vault.attributes().attribute(vaultId, OWNERS)).containsExactly("alice");
        }
        assertThat(target.passwords.get("dba")).isNotEqualTo("dba-old").isEqualTo(current("fleet-dba"));
        assertThat(vault.attributes().attribute("fleet-dba", GROUPS)).containsExactly("dba", "ops");
        assertThat(vault.attributes().attribute("fleet-dba", OWNERS)).containsExactly("alice", "bob");
        // the admin account was neither reset nor given a vault account
        assertThat(target.passwords.get("root")).isEqualTo("admin-secret");
        assertThat(vault.attributes().linkedVaultAccounts("vault", LINK, "fleet-admin")).isEmpty();
        // the final resync: access reflects the new accounts
        assertThat(vault.access().accessibleAccounts("alice")).hasSize(DISCOVERED + 1);
        assertThat(vault.access().accessibleAccounts("bob")).extracting(Account::id).containsExactly("fleet-dba");
        assertThat(vault.accounts().accountsWithPending()).isEmpty();
    }

    @Test
    void aSecondRunFindsNothingToOnboardAndChangesNoPassword() {
        run(newJob(false));
        Map<String, String> after = new HashMap<>(target.passwords);

        Job again = run(newJob(false));

        assertThat(again.status()).isEqualTo(JobStatus.SUCCEEDED);
        // nothing left to onboard: only the template's group ops is wanted, then discovery, resync and the last resync
        assertThat(again.total()).isEqualTo(2 + 2 + 1);
        assertThat(target.passwords).isEqualTo(after);
        assertThat(jobs.results(again.id(), 0, 100)).filteredOn(r -> r.step().equals(MassOnboard.STEP_GROUPS))
                .extracting(JobResult::reason).containsExactly("group ops already exists");
    }

    @Test
    void aFailedPasswordSetCreatesNoVaultAccountAndMakesTheJobPartial() {
        vault.accounts().upsertAccount("fleet.ghost", "fleet", "ghost", CredentialType.PASSWORD, "no-such-policy");

        Job job = run(newJob(false));

        assertThat(job.status()).isEqualTo(JobStatus.PARTIAL);
        assertThat(jobs.results(job.id(), 0, 1000)).filteredOn(r -> !r.success())
                .extracting(JobResult::accountId, JobResult::step)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("fleet.ghost", MassOnboard.STEP_PASSWORDS),
                        org.assertj.core.groups.Tuple.tuple("fleet.ghost", MassOnboard.STEP_VAULT_ACCOUNTS));
        assertThat(vault.attributes().linkedVaultAccounts("vault", LINK, "fleet.ghost")).isEmpty();
        assertThat(vault.accounts().accountsWithPending()).isEmpty();
    }

    @Test
    void aDryRunNamesEveryLoginItWouldOnboardAndTouchesNothing() {
        Map<String, String> before = new HashMap<>(target.passwords);

        Job job = run(newJob(true));

        assertThat(job.status()).isEqualTo(JobStatus.SUCCEEDED);
        List<JobResult> results = jobs.results(job.id(), 0, 1000);
        assertThat(job.total()).isEqualTo(job.done()).isEqualTo(results.size());
        assertThat(results).extracting(JobResult::outcome).containsOnly("PLANNED");
        // groups, members; discovery: one row per login it would add, the target's summary, the resync; then the
        // one account already in the vault: its password, its vault account; the final resync
        List<String> expectedSteps = new java.util.ArrayList<>(List.of(MassOnboard.STEP_GROUPS, MassOnboard.STEP_GROUPS,
                MassOnboard.STEP_MEMBERS, MassOnboard.STEP_MEMBERS));
        for (int i = 0; i < DISCOVERED + 2; i++) {
            expectedSteps.add(MassOnboard.STEP_DISCOVERY);
        }
        expectedSteps.addAll(List.of(MassOnboard.STEP_PASSWORDS, MassOnboard.STEP_VAULT_ACCOUNTS, MassOnboard.STEP_VAULT_ACCOUNTS));
        assertThat(results).extracting(JobResult::step).containsExactlyElementsOf(expectedSteps);
        assertThat(results).filteredOn(r -> r.step().equals(MassOnboard.STEP_DISCOVERY) && r.accountId() != null)
                .extracting(JobResult::accountId).hasSize(DISCOVERED).contains("fleet.app00", "fleet.app69");
        assertThat(results).extracting(JobResult::reason).anySatisfy(reason -> assertThat(reason)
                .startsWith("would list 73 login account(s) on 'fleet' matching 'app%': 70 would be added to the vault,"
                        + " 2 already there, 1 skipped: bad;name"));
        assertThat(vault.groups().listGroups("staff")).isEmpty();
        assertThat(vault.accounts().listAccounts("fleet")).hasSize(2);
        assertThat(vault.accounts().listAccounts("vault")).isEmpty();
        assertThat(target.passwords).isEqualTo(before);
    }

    @Test
    void privilegedAndSystemLoginsThatTheFilterMatchesAreRefusedWithTheirReasonInTheDryRunAndNeverTouched() {
        target.passwords.put("app_su", "su-secret");
        target.facts.put("app_su", io.rotor.connector.LoginFacts.privileges(java.util.Set.of("SUPERUSER")));
        target.passwords.put("app_sys", "sys-secret");
        target.facts.put("app_sys", io.rotor.connector.LoginFacts.uid(0));
        // an account put into the vault earlier under the admin's login name (in other case)
        vault.accounts().upsertAccount("fleet.root-copy", "fleet", "ROOT", CredentialType.PASSWORD, null);
        target.passwords.put("ROOT", "root-secret");

        Job dry = run(newJob(true));

        List<JobResult> planned = jobs.results(dry.id(), 0, 1000);
        assertThat(planned).filteredOn(r -> r.outcome().equals(MassOnboard.REFUSED))
                .extracting(JobResult::accountId, JobResult::step)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("fleet.app_su", MassOnboard.STEP_DISCOVERY),
                        org.assertj.core.groups.Tuple.tuple("fleet.app_sys", MassOnboard.STEP_DISCOVERY),
                        org.assertj.core.groups.Tuple.tuple("fleet.root-copy", MassOnboard.STEP_DISCOVERY));
        assertThat(planned).filteredOn(r -> "fleet.app_su".equals(r.accountId())).singleElement()
                .extracting(JobResult::reason).asString()
                .isEqualTo("login 'app_su' is not onboarded: privileged on the target: SUPERUSER (an admin may allow it"
                        + " with target setting onboarding.allow)");
        assertThat(planned).filteredOn(r -> "fleet.app_sys".equals(r.accountId())).singleElement()
                .extracting(JobResult::reason).asString().contains("uid 0 (superuser)");
        assertThat(planned).filteredOn(r -> "fleet.root-copy".equals(r.accountId())).singleElement()
                .extracting(JobResult::reason).asString().contains("the target's own admin or login account");
        assertThat(planned).filteredOn(r -> r.step().equals(MassOnboard.STEP_PASSWORDS)).extracting(JobResult::accountId)
                .containsExactly("fleet.dba");

        Job job = run(newJob(false));

        assertThat(job.status()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(vault.accounts().findAccount("fleet.app_su")).isEmpty();
        assertThat(vault.accounts().findAccount("fleet.app_sys")).isEmpty();
        assertThat(target.passwords).containsEntry("app_su", "su-secret").containsEntry("app_sys", "sys-secret")
                .containsEntry("ROOT", "root-secret");
        assertThat(vault.attributes().linkedVaultAccounts("vault", LINK, "fleet.root-copy")).isEmpty();
        assertThat(jobs.results(job.id(), 0, 1000)).filteredOn(r -> r.outcome().equals(MassOnboard.REFUSED))
                .extracting(JobResult::accountId).containsExactlyInAnyOrder("fleet.app_su", "fleet.app_sys", "fleet.root-copy");
        assertThat(target.passwords.get("app00")).isNotEqualTo("unknown-0");
    }

    @Test
    void anAdminMayAllowARefusedLoginOnOneTargetAndTheResultSaysWhichRuleWasOverridden() {
        target.passwords.put("app_su", "su-secret");
        target.facts.put("app_su", io.rotor.connector.LoginFacts.privileges(java.util.Set.of("SUPERUSER")));
        vault.targets().upsertTarget(new Target("fleet", "fake", "localhost", 1, null, TlsMode.DISABLE, "fleet-admin", null,
                Map.of(MassOnboard.DISCOVERY_FILTER, "app%", OnboardDenyList.ALLOW_SETTING, "app_su")));

        Job job = run(newJob(false));

        assertThat(job.status()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(target.passwords.get("app_su")).isNotEqualTo("su-secret").isEqualTo(current("fleet.app_su"));
        assertThat(jobs.results(job.id(), 0, 1000)).filteredOn(r -> "fleet.app_su".equals(r.accountId())
                        && r.step().equals(MassOnboard.STEP_DISCOVERY)).singleElement().extracting(JobResult::reason)
                .asString().isEqualTo("login 'app_su' added to the vault: allowed by target setting onboarding.allow"
                        + " despite: privileged on the target: SUPERUSER");
    }

    @Test
    void withoutAnyDiscoveryFilterTheJobFailsBeforeItsFirstStepAndChangesNothing() {
        vault.targets().upsertTarget(new Target("fleet", "fake", "localhost", 1, null, TlsMode.DISABLE, "fleet-admin", null,
                Map.of()));
        Map<String, String> before = new HashMap<>(target.passwords);

        Job job = run(newJob(false));

        assertThat(job.status()).isEqualTo(JobStatus.FAILED);
        assertThat(job.reason()).contains("target 'fleet' has no discovery.filter setting and the request gives no"
                + " discoveryFilter");
        assertThat(jobs.resultCount(job.id())).isZero();
        assertThat(target.lastDiscoverFilter).isNull();
        assertThat(target.passwords).isEqualTo(before);
        assertThat(vault.accounts().listAccounts("fleet")).hasSize(2);
        assertThat(vault.groups().listGroups("staff")).isEmpty();
    }

    @Test
    void theRequestsFilterIsTheOneDiscoveryUses() {
        run(newJob(true, Map.of(MassOnboard.DISCOVERY_FILTER_FIELD, "app0%")));

        assertThat(target.lastDiscoverFilter).isEqualTo("app0%");
    }

    @Test
    void aJobQueuedOnSedaRunsThroughRunJob() {
        NotifyBuilder done = new NotifyBuilder(context).fromRoute("run-job")
                .filter(e -> e.getProperty(org.apache.camel.Exchange.SPLIT_INDEX) == null).whenDone(1).create();
        Job job = newJob(false);

        template().sendBodyAndHeaders("seda:run-job", null, Map.of("jobId", job.id(), "workflow", MassOnboard.WORKFLOW));

        assertThat(done.matches(60, TimeUnit.SECONDS)).isTrue();
        assertThat(jobs.find(job.id()).orElseThrow().status()).isEqualTo(JobStatus.SUCCEEDED);
    }
}
