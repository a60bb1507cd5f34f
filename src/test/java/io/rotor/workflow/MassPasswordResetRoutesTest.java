package io.rotor.workflow;

import io.rotor.connector.ConnectorRegistry;
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
import io.rotor.vault.MasterKey;
import io.rotor.vault.StoredCredential;
import io.rotor.vault.Vault;
import io.rotor.workflow.report.JobReportWriter;
import org.apache.camel.Exchange;
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
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The mass-password-reset routes as shipped ({@code routes/mass-password-reset*.camel.yaml}, {@code run-job}),
 * loaded by Camel Main with the real vault, job store and rotation protocol, and an in-memory target double:
 * batching, vault synchronisation, one failing account (PARTIAL), cancel, dry run, the seda hand-off and the report.
 */
class MassPasswordResetRoutesTest extends CamelMainTestSupport {
    private static final int ACCOUNTS = 100;
    private static final String LINK = "backing_account";

    private Path dataDir;
    private Vault vault;
    private JobStore jobs;
    private final FakeTarget target = new FakeTarget();
    private RotationService rotation;
    /** A job id to cancel as soon as its first batch is recorded (the cancel test). */
    private final AtomicReference<String> cancelAfterFirstBatch = new AtomicReference<>();

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
        dataDir = Files.createTempDirectory("rotor-mpr-");
        vault = Vault.open(null, null, null, dataDir, MasterKey.load(null, dataDir.resolve("master.key")), 8);
        jobs = new JobStore(vault.jobs(), vault.jobResults());
        ConnectorRegistry connectors = new ConnectorRegistry();
        connectors.register(target);
        rotation = new RotationService(vault, connectors, new PasswordGenerator(), new RotorMetrics(),
                Duration.ofMinutes(5), 3);
        WorkflowJobs workflowJobs = new WorkflowJobs(jobs, new JobReportWriter(jobs, dataDir));
        registry.bind("rotationService", rotation);
        registry.bind("recoveryService", new RecoveryService(vault.accounts(), rotation));
        registry.bind("accountQueries", new AccountQueries(vault.accounts(), vault.targets()));
        registry.bind("failureResults", new FailureResults(new RotorMetrics()));
        registry.bind("tallies", new Tallies());
        registry.bind("rotationDue", new io.rotor.schedule.RotationDue(vault.accounts(), vault.policies(), java.time.ZoneOffset.UTC,
                io.rotor.domain.RotationSchedule.none(), java.time.Clock.systemUTC()));
        registry.bind("jobStore", jobs);
        registry.bind("workflowJobs", workflowJobs);
        registry.bind("batchDispatch", new BatchDispatch.Local(workflowJobs));
        registry.bind("clusterNode", new io.rotor.cluster.ClusterNode(io.rotor.cluster.ClusterSettings.standalone(), vault.cluster()));
        PerTargetLimiter limiter = new PerTargetLimiter(2, Map.of());
        registry.bind("perTargetLimiter", limiter);
        registry.bind("jobRotations", new JobRotations(vault.accounts(), limiter, rotation));
        registry.bind("heartbeat", new Heartbeat(vault.accounts(), new HeartbeatPlanner(java.time.Duration.ofSeconds(1), 100), limiter, rotation));
        VaultSync vaultSync = new VaultSync(vault.credentials(), vault.attributes());
        registry.bind("vaultSync", vaultSync);
        registry.bind("massOnboard", new MassOnboard(workflowJobs, vault, rotation, vaultSync));
        registry.bind("massPasswordReset", new MassPasswordReset(workflowJobs, new BatchPlanner(vault.jobs()),
                vault.accounts(), vault.attributes(), vault.targets(), vaultSync));
        registry.bind("singleUserOffboard", new SingleUserOffboard(workflowJobs, vault.groups(), vault.attributes(),
                vault.access()));
        registry.bind("batchResultsStrategy", new BatchResultsStrategy(jobs) {
            @Override
            public void onCompletion(Exchange exchange, Exchange inputExchange) {
                super.onCompletion(exchange, inputExchange);
                String jobId = cancelAfterFirstBatch.getAndSet(null);
                if (jobId != null) {
                    jobs.requestCancel(jobId, "the-test");
                }
            }
        });

        vault.targets().upsertTarget(new Target("fleet", "fake", "localhost", 1, null, TlsMode.DISABLE, null, null, Map.of()));
        vault.templates().ensureVaultTarget("test", "vault");
        for (int i = 0; i < ACCOUNTS; i++) {
            String id = "acct-%03d".formatted(i);
            vault.accounts().upsertAccount(id, "fleet", id, CredentialType.PASSWORD, null);
            target.passwords.put(id, "initial-" + i);
            rotation.set(id, secret("initial-" + i), true, "test");
            if (i % 10 != 9) { // every tenth account has no vault account
                String vaultId = "v-" + id;
                vault.accounts().upsertAccount(vaultId, "vault", id, CredentialType.PASSWORD, null);
                rotation.set(vaultId, secret("initial-" + i), true, "test");
                vault.attributes().setAttribute("test", vaultId, LINK, List.of(id));
            }
        }
    }

    private static Secret secret(String value) {
        return Secret.fromUtf8(value.getBytes(StandardCharsets.UTF_8));
    }

    @AfterEach
    void closeVault() {
        if (vault != null) {
            vault.close();
        }
        io.rotor.it.TestDirs.delete(dataDir);
    }

    private Job newJob(int batchSize, boolean dryRun, boolean report) {
        return newJob(batchSize, dryRun, report, Map.of());
    }

    private Job newJob(int batchSize, boolean dryRun, boolean report, Map<String, Object> extra) {
        Map<String, Object> parameters = new LinkedHashMap<>();
        parameters.put("target", List.of("fleet"));
        parameters.put("vaultTarget", "vault");
        parameters.put("vaultLinkAttribute", LINK);
        parameters.put("batchSize", batchSize);
        parameters.putAll(extra);
        return jobs.create(new NewJob(MassPasswordReset.WORKFLOW, parameters, dryRun, report, "api:token:test"));
    }

    private Job run(Job job) {
        return template.requestBodyAndHeader("direct:mass-password-reset", null, "jobId", job.id(), Job.class);
    }

    private String current(String accountId) {
        try (StoredCredential c = vault.credentials().read(accountId, Slot.CURRENT).orElseThrow()) {
            return c.secret().reveal();
        }
    }

    @Test
    void everyAccountPairGetsANewPasswordOnTheTargetAndInItsLinkedVaultAccount() {
        Map<String, String> before = new HashMap<>(target.passwords);

        Job job = run(newJob(32, false, false));

        assertThat(job.status()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(job.total()).isEqualTo(2L * ACCOUNTS);
        assertThat(job.done()).isEqualTo(2L * ACCOUNTS);
        assertThat(job.succeeded()).isEqualTo(2L * ACCOUNTS);
        for (int i = 0; i < ACCOUNTS; i++) {
            String id = "acct-%03d".formatted(i);
            if (i % 10 != 9) {
                assertThat(target.passwords.get(id)).isNotEqualTo(before.get(id)).isEqualTo(current(id));
                assertThat(current("v-" + id)).isEqualTo(target.passwords.get(id));
            } else {
                // no vault account links to it: not a pair, so not reset, and the result says why
                assertThat(target.passwords.get(id)).isEqualTo(before.get(id)).isEqualTo(current(id));
            }
        }
        assertThat(jobs.steps(job.id())).extracting(JobStep::name, JobStep::status, JobStep::succeeded)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(MassPasswordReset.STEP_UPDATE, JobStatus.SUCCEEDED, (long) ACCOUNTS),
                        org.assertj.core.groups.Tuple.tuple(MassPasswordReset.STEP_SYNC, JobStatus.SUCCEEDED, (long) ACCOUNTS));
        List<JobResult> results = jobs.results(job.id(), 0, 1000);
        assertThat(results).filteredOn(r -> r.step().equals(MassPasswordReset.STEP_SYNC) && r.outcome().equals("SUCCEEDED"))
                // each backing commit already updated its vault account in the same transaction: step 3 finds them in step
                .extracting(JobResult::reason).containsOnly("0 vault account(s) updated, 1 already in sync");
        assertThat(results).filteredOn(r -> r.outcome().equals(MassPasswordReset.SKIPPED) && r.step().equals(MassPasswordReset.STEP_UPDATE))
                .hasSize(ACCOUNTS / 10).allSatisfy(r -> assertThat(r.reason()).isEqualTo("no vault account on 'vault'"
                        + " is linked to it through 'backing_account': not an account pair, so its password is not reset"))
                .extracting(JobResult::accountId).contains("acct-009", "acct-099");
        assertThat(vault.accounts().accountsWithPending()).isEmpty();
    }

    /** Sorts before every acct-nnn, so that id order alone would rotate it first. */
    private static final String ADMIN = "a-fleet-admin";

    /** The target gets an admin account (username root) that every other change goes through. */
    private void giveTheTargetAnAdminAccount() {
        vault.accounts().upsertAccount(ADMIN, "fleet", "root", CredentialType.PASSWORD, null);
        target.passwords.put("root", "admin-initial");
        rotation.set(ADMIN, secret("admin-initial"), true, "test");
        vault.targets().upsertTarget(new Target("fleet", "fake", "localhost", 1, null, TlsMode.DISABLE, ADMIN, null, Map.of()));
    }

    @Test
    void theTargetsAdminAccountIsSkippedWithItsReasonUnlessAskedFor() {
        giveTheTargetAnAdminAccount();
        // even a linked admin account is left alone unless asked for
        vault.accounts().upsertAccount("v-admin", "vault", "root", CredentialType.PASSWORD, null);
        vault.attributes().setAttribute("test", "v-admin", LINK, List.of(ADMIN));

        Job job = run(newJob(32, false, false));

        assertThat(job.status()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(target.passwords.get("root")).isEqualTo("admin-initial");
        assertThat(target.passwords.get("acct-000")).isNotEqualTo("initial-0");
        assertThat(jobs.results(job.id(), 0, 1000)).filteredOn(r -> ADMIN.equals(r.accountId()))
                .extracting(JobResult::outcome).containsOnly(MassPasswordReset.SKIPPED);
        assertThat(jobs.results(job.id(), 0, 1000)).filteredOn(r -> ADMIN.equals(r.accountId())
                        && r.step().equals(MassPasswordReset.STEP_UPDATE)).singleElement().extracting(JobResult::reason)
                .asString().contains("includeAdminAccounts");
    }

    @Test
    void askedForTheAdminAccountIsRotatedLastAfterEveryOtherAccountOfItsTarget() {
        giveTheTargetAnAdminAccount();

        Job dry = run(newJob(32, true, false, Map.of(MassPasswordReset.INCLUDE_ADMIN_ACCOUNTS, true)));
        List<JobResult> plan = jobs.results(dry.id(), 0, 1000);
        assertThat(plan).filteredOn(r -> r.outcome().equals("PLANNED") && r.step().equals(MassPasswordReset.STEP_UPDATE))
                .last().extracting(JobResult::accountId).isEqualTo(ADMIN);

        Job job = run(newJob(32, false, false, Map.of(MassPasswordReset.INCLUDE_ADMIN_ACCOUNTS, true)));

        assertThat(job.status()).as(String.valueOf(job.reason())).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(target.passwords.get("root")).isNotEqualTo("admin-initial").isEqualTo(current(ADMIN));
        // 90 pairs changed through the admin account, then the admin account itself, last
        assertThat(target.changedUsernames).hasSize(ACCOUNTS - ACCOUNTS / 10 + 1).last().isEqualTo("root");
        List<JobResult> updates = jobs.results(job.id(), 0, 1000).stream()
                .filter(r -> r.step().equals(MassPasswordReset.STEP_UPDATE) && !r.outcome().equals(MassPasswordReset.SKIPPED))
                .toList();
        assertThat(updates).last().extracting(JobResult::accountId).isEqualTo(ADMIN);
        assertThat(updates).allMatch(JobResult::success);
    }

    @Test
    void oneFailingAccountMakesThejobPartialWithItsReasonAndTheOthersComplete() {
        vault.accounts().upsertAccount("acct-042", "fleet", "acct-042", CredentialType.PASSWORD, "no-such-policy");

        Job job = run(newJob(32, false, false));

        assertThat(job.status()).isEqualTo(JobStatus.PARTIAL);
        assertThat(job.reason()).isEqualTo("1 of " + 2 * ACCOUNTS + " failed");
        JobResult failed = jobs.results(job.id(), 0, 1000).stream().filter(r -> !r.success()).findFirst().orElseThrow();
        assertThat(failed.accountId()).isEqualTo("acct-042");
        assertThat(failed.reason()).contains("no-such-policy");
        assertThat(target.passwords.get("acct-042")).isEqualTo("initial-42");
        assertThat(current("v-acct-042")).isEqualTo("initial-42");
        assertThat(target.passwords.get("acct-041")).isNotEqualTo("initial-41").isEqualTo(current("v-acct-041"));
    }

    @Test
    void aCancelStopsAfterTheBatchInFlightAndLeavesNothingPending() {
        Job queued = newJob(32, false, false);
        cancelAfterFirstBatch.set(queued.id());

        Job job = run(queued);

        assertThat(job.status()).isEqualTo(JobStatus.CANCELLED);
        assertThat(job.reason()).startsWith("cancelled by the-test after 64 result(s)");
        long changed = target.passwords.entrySet().stream().filter(e -> !e.getValue().startsWith("initial-")).count();
        assertThat(changed).as("the first batch of 32, less its 3 accounts without a vault account").isEqualTo(29);
        assertThat(vault.accounts().accountsWithPending()).isEmpty();
    }

    @Test
    void aJobCancelledWhileQueuedNeverRuns() {
        Job queued = newJob(32, false, false);
        jobs.requestCancel(queued.id(), "the-test");

        run(queued);

        assertThat(jobs.find(queued.id()).orElseThrow().status()).isEqualTo(JobStatus.CANCELLED);
        assertThat(target.passwords.values()).allMatch(p -> p.startsWith("initial-"));
    }

    @Test
    void aDryRunRecordsThePlanInOrderAndTouchesNothing() {
        Job job = run(newJob(32, true, false));

        assertThat(job.status()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(target.passwords.values()).allMatch(p -> p.startsWith("initial-"));
        assertThat(target.logins).isZero();
        assertThat(current("v-acct-000")).isEqualTo("initial-0");
        List<JobResult> all = jobs.results(job.id(), 0, 1000);
        assertThat(all).hasSize(2 * ACCOUNTS);
        // the accounts without a vault account are named as skipped, with the reason
        assertThat(all).filteredOn(r -> r.outcome().equals(MassPasswordReset.SKIPPED)).hasSize(2 * ACCOUNTS / 10);
        List<JobResult> plan = all.stream().filter(r -> r.outcome().equals("PLANNED")).toList();
        assertThat(plan).hasSize(2 * (ACCOUNTS - ACCOUNTS / 10));
        // batch by batch: the batch's updates, then its vault synchronisations (29 pairs in the first batch of 32)
        assertThat(plan.get(0).accountId()).isEqualTo("acct-000");
        assertThat(plan.get(0).step()).isEqualTo(MassPasswordReset.STEP_UPDATE);
        assertThat(plan.get(28).accountId()).isEqualTo("acct-031");
        assertThat(plan.get(29).step()).isEqualTo(MassPasswordReset.STEP_SYNC);
        assertThat(plan.get(29).reason()).isEqualTo("would store the new password in vault account(s) v-acct-000 (vault only)");
        assertThat(plan.get(58).accountId()).isEqualTo("acct-032");
    }

    @Test
    void theSedaHandOffRunsTheJobAndWritesTheReport() {
        NotifyBuilder done = new NotifyBuilder(context).fromRoute("run-job")
                // the split's per-account exchanges come from run-job too; only the job's own exchange counts
                .filter(e -> e.getProperty(Exchange.SPLIT_INDEX) == null).whenDone(1).create();
        Job queued = newJob(256, false, true);

        template.sendBodyAndHeaders("seda:run-job", null, Map.of("jobId", queued.id(), "workflow", MassPasswordReset.WORKFLOW));

        assertThat(done.matches(60, TimeUnit.SECONDS)).isTrue();
        Job job = jobs.find(queued.id()).orElseThrow();
        assertThat(job.status()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(Files.isRegularFile(new JobReportWriter(jobs, dataDir).reportPath(job.id()))).isTrue();
    }

    @Test
    void singleUserOffboardMovesGroupsAndAssociationsSoTheDepartingUserReachesNothing() {
        vault.users().ensureUserTarget("test", "people");
        vault.users().upsertUser("test", new io.rotor.domain.VaultUser("alice", "people", "alice", "Alice", false));
        vault.users().upsertUser("test", new io.rotor.domain.VaultUser("bob", "people", "bob", "Bob", false));
        vault.groups().createGroupIfMissing("test", "people", "dba", "DBAs");
        vault.groups().addMember("test", "dba", "alice");
        vault.attributes().setAttribute("test", "v-acct-000", "owners", List.of("alice"));
        vault.attributes().setAttribute("test", "v-acct-001", "groups", List.of("dba"));
        vault.access().resync("test", "vault", "owners", "groups");
        assertThat(vault.access().accessibleAccounts("alice")).hasSize(2);
        Map<String, Object> parameters = new LinkedHashMap<>();
        parameters.put("userToOffboard", "alice");
        parameters.put("userToInherit", "bob");
        parameters.put("target", List.of("fleet"));
        parameters.put("vaultTarget", "vault");
        parameters.put("vaultAssociationAttribute", "owners");
        parameters.put("vaultLinkAttribute", LINK);

        Job dry = template.requestBodyAndHeader("direct:single-user-offboard", null, "jobId",
                jobs.create(new NewJob(SingleUserOffboard.WORKFLOW, parameters, true, false, "test")).id(), Job.class);
        assertThat(dry.status()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(vault.access().accessibleAccounts("alice")).hasSize(2);
        assertThat(jobs.results(dry.id(), 0, 10)).extracting(JobResult::step).containsExactlyElementsOf(SingleUserOffboard.STEPS);

        Job job = template.requestBodyAndHeader("direct:single-user-offboard", null, "jobId",
                jobs.create(new NewJob(SingleUserOffboard.WORKFLOW, parameters, false, false, "test")).id(), Job.class);

        assertThat(job.status()).as(String.valueOf(job.reason())).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(vault.access().accessibleAccounts("alice")).isEmpty();
        assertThat(vault.access().accessibleAccounts("bob")).extracting(io.rotor.domain.Account::id)
                .containsExactlyInAnyOrder("v-acct-000", "v-acct-001");
        assertThat(vault.groups().groupsOf("alice")).isEmpty();
        assertThat(jobs.steps(job.id())).extracting(JobStep::status).containsOnly(JobStatus.SUCCEEDED);
    }

    @Test
    void singleUserOffboardTouchesOnlyTheAccountsOfTheTargetsItNames() {
        vault.users().ensureUserTarget("test", "people");
        vault.users().upsertUser("test", new io.rotor.domain.VaultUser("alice", "people", "alice", "Alice", false));
        vault.users().upsertUser("test", new io.rotor.domain.VaultUser("bob", "people", "bob", "Bob", false));
        // a second target whose pair alice also owns
        vault.targets().upsertTarget(new Target("other", "fake", "localhost", 2, null, TlsMode.DISABLE, null, null, Map.of()));
        vault.accounts().upsertAccount("other-1", "other", "other-1", CredentialType.PASSWORD, null);
        vault.accounts().upsertAccount("v-other-1", "vault", "other-1", CredentialType.PASSWORD, null);
        vault.attributes().setAttribute("test", "v-other-1", LINK, List.of("other-1"));
        vault.attributes().setAttribute("test", "v-other-1", "owners", List.of("alice"));
        vault.attributes().setAttribute("test", "v-acct-000", "owners", List.of("alice"));
        Map<String, Object> parameters = new LinkedHashMap<>();
        parameters.put("userToOffboard", "alice");
        parameters.put("userToInherit", "bob");
        parameters.put("target", List.of("other"));
        parameters.put("vaultTarget", "vault");
        parameters.put("vaultAssociationAttribute", "owners");
        parameters.put("vaultLinkAttribute", LINK);

        Job dry = template.requestBodyAndHeader("direct:single-user-offboard", null, "jobId",
                jobs.create(new NewJob(SingleUserOffboard.WORKFLOW, parameters, true, false, "test")).id(), Job.class);
        assertThat(jobs.results(dry.id(), 0, 10)).filteredOn(r -> r.step().equals(SingleUserOffboard.STEP_TRANSFER))
                .singleElement().extracting(JobResult::reason).asString()
                .isEqualTo("would move the associations ('owners') of alice to bob on 1 vault account(s) linked to"
                        + " targets [other]; 1 on other targets are left as they are");

        Job job = template.requestBodyAndHeader("direct:single-user-offboard", null, "jobId",
                jobs.create(new NewJob(SingleUserOffboard.WORKFLOW, parameters, false, false, "test")).id(), Job.class);

        assertThat(job.status()).as(String.valueOf(job.reason())).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(vault.attributes().attribute("v-other-1", "owners")).containsExactly("bob");
        assertThat(vault.attributes().attribute("v-acct-000", "owners")).containsExactly("alice");
    }

    @Test
    void anOffboardOfAnUnknownUserFailsWithTheReasonOfEachStep() {
        Map<String, Object> parameters = new LinkedHashMap<>();
        parameters.put("userToOffboard", "ghost");
        parameters.put("userToInherit", "nobody");
        parameters.put("vaultTarget", "vault");
        parameters.put("vaultAssociationAttribute", "owners");

        Job job = template.requestBodyAndHeader("direct:single-user-offboard", null, "jobId",
                jobs.create(new NewJob(SingleUserOffboard.WORKFLOW, parameters, false, false, "test")).id(), Job.class);

        assertThat(job.status()).isIn(JobStatus.FAILED, JobStatus.PARTIAL);
        assertThat(jobs.results(job.id(), 0, 10)).filteredOn(r -> !r.success()).isNotEmpty()
                .allSatisfy(r -> assertThat(r.reason()).startsWith("user ghost: "));
    }
}
