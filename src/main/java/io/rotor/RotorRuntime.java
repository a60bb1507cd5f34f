package io.rotor;

import io.rotor.api.AccountApi;
import io.rotor.api.AuthStore;
import io.rotor.api.Authenticator;
import io.rotor.api.Credentials;
import io.rotor.api.InventoryApi;
import io.rotor.config.Inventory;
import io.rotor.config.InventoryApplier;
import io.rotor.config.InventoryLoader;
import io.rotor.config.RotorSettings;
import io.rotor.connector.ConnectorRegistry;
import io.rotor.domain.PasswordGenerator;
import io.rotor.vault.MasterKey;
import io.rotor.vault.Vault;
import io.rotor.vault.VaultModel;
import io.rotor.domain.RotationSchedule;
import io.rotor.schedule.QuartzSetup;
import io.rotor.schedule.RotationDue;
import io.rotor.api.JobApi;
import io.rotor.workflow.AccountQueries;
import io.rotor.workflow.BatchPlanner;
import io.rotor.workflow.BatchResultsStrategy;
import io.rotor.workflow.JobStore;
import io.rotor.workflow.MassOnboard;
import io.rotor.workflow.MassPasswordReset;
import io.rotor.workflow.PerTargetLimiter;
import io.rotor.workflow.ProtocolTiming;
import io.rotor.workflow.SingleUserOffboard;
import io.rotor.workflow.VaultSync;
import io.rotor.workflow.WorkflowJobs;
import io.rotor.workflow.report.JobReportWriter;
import io.rotor.workflow.FailureResults;
import io.rotor.workflow.RecoveryService;
import io.rotor.workflow.RotationService;
import io.rotor.workflow.RotorMetrics;
import io.rotor.workflow.Tallies;
import io.rotor.health.TargetHealthCheck;
import io.rotor.health.VaultHealthCheck;
import org.apache.camel.CamelContext;
import org.apache.camel.health.HealthCheckRegistry;

import java.time.Duration;
import java.util.Map;

/**
 * Rotor's composition root: opens the vault, loads the inventory and wires the services the routes call.
 * Everything that can fail on bad configuration fails here, before the Camel engine starts, with a message
 * that names the problem.
 */
public final class RotorRuntime implements AutoCloseable {
    private final RotorSettings settings;
    private final Vault vault;
    private final ConnectorRegistry connectors;
    private final RotorMetrics metrics;
    private final RotationService rotation;
    private final RecoveryService recovery;
    private final RotationDue rotationDue;
    private org.apache.camel.component.quartz.QuartzComponent quartz;
    private final AuthStore auth;
    private final io.rotor.connector.ssh.ChangerCatalog changers;
    private final JobStore jobs;
    private final JobReportWriter reports;
    private final WorkflowJobs workflowJobs;
    private final io.rotor.health.TargetMonitor targetMonitor;
    private final io.rotor.cluster.agent.AgentDispatcher agentDispatcher;
    private final io.rotor.cluster.agent.AgentService agentService;
    private final io.rotor.cluster.ClusterNode clusterNode;

    private RotorRuntime(RotorSettings settings, Vault vault, ConnectorRegistry connectors, RotorMetrics metrics) {
        this.settings = settings;
        this.vault = vault;
        this.connectors = connectors;
        this.metrics = metrics;
        this.rotation = new RotationService(vault, connectors, new PasswordGenerator(), metrics, new ProtocolTiming(
                Duration.ofSeconds(settings.getInt("rotor.rotation.lock-lifetime-seconds", 60)),
                Duration.ofSeconds(settings.getInt("rotor.rotation.call-timeout-seconds", 40)),
                Duration.ofSeconds(settings.getInt("rotor.rotation.max-hold-seconds", 900)),
                Duration.ofSeconds(settings.getInt("rotor.rotation.unknown-quiet-seconds", 60))),
                settings.getInt("rotor.rotation.max-attempts", 3), automaticWorkGate(settings, vault));
        this.recovery = new RecoveryService(vault.accounts(), rotation);
        this.auth = new AuthStore(vault.tokens());
        this.changers = new io.rotor.connector.ssh.ChangerCatalog(vault.changers());
        this.jobs = new JobStore(vault.jobs(), vault.jobResults());
        this.reports = new JobReportWriter(jobs, settings.dataDir());
        this.workflowJobs = new WorkflowJobs(jobs, reports);
        // a target with a site is reached only through its agents: the server does not check it (docs/architecture.md, "Agents")
        this.targetMonitor = io.rotor.health.TargetMonitor.fromSettings(settings.asProperties(), () -> vault.targets()
                .listTargets().stream().filter(t -> !VaultModel.isVaultView(t.type()) && t.site() == null).toList());
        Duration callTimeout = Duration.ofSeconds(settings.getInt("rotor.rotation.call-timeout-seconds", 40));
        Duration pollWait = Duration.ofSeconds(settings.getInt("rotor.agent.poll-seconds", 20));
        Duration handOut = Duration.ofSeconds(settings.getInt("rotor.agent.hand-out-seconds", (int) callTimeout.toSeconds()));
        this.agentDispatcher = new io.rotor.cluster.agent.AgentDispatcher(pollWait.plusSeconds(15), java.time.Clock.systemUTC());
        this.agentService = new io.rotor.cluster.agent.AgentService(vault.agents(), agentDispatcher, pollWait);
        connectors.useSites(t -> new io.rotor.cluster.agent.AgentConnector(t, agentDispatcher, handOut, callTimeout));
        this.clusterNode = new io.rotor.cluster.ClusterNode(io.rotor.cluster.ClusterSettings.from(settings), vault.cluster());
        this.rotationDue = new RotationDue(vault.accounts(), vault.policies(), scheduleZone(settings), defaultSchedule(settings),
                java.time.Clock.systemUTC());
    }

    /** The no-lockout rules (docs/architecture.md, "Automatic work") with their rotor.protocol.* settings. */
    private static io.rotor.workflow.AutomaticWorkGate automaticWorkGate(RotorSettings settings, Vault vault) {
        return new io.rotor.workflow.AutomaticWorkGate(vault.accounts(), vault.targets(),
                settings.getInt("rotor.protocol.disable-after", io.rotor.workflow.AutomaticWorkGate.DEFAULT_DISABLE_AFTER),
                Duration.ofMinutes(settings.getInt("rotor.protocol.failure-window-minutes", 1440)),
                Duration.ofMinutes(settings.getInt("rotor.protocol.admin-login-pause-minutes", 60)),
                java.time.Clock.systemUTC());
    }

    /**
     * The heartbeat's planner: its period is the interval of {@code rotor.heartbeat.cron} (between its next two fire
     * times), its cap {@code rotor.heartbeat.rate-per-target} verifies per second per target.
     */
    static io.rotor.workflow.HeartbeatPlanner heartbeatPlanner(RotorSettings settings) {
        String cron = settings.get("rotor.heartbeat.cron", "0 */15 * * * ?");
        String rate = settings.get("rotor.heartbeat.rate-per-target", "10").trim();
        double perSecond;
        try {
            perSecond = Double.parseDouble(rate);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("rotor.heartbeat.rate-per-target must be a number of verifies per second, not '"
                    + rate + "'");
        }
        return new io.rotor.workflow.HeartbeatPlanner(cronPeriod(cron, scheduleZone(settings)), perSecond);
    }

    /** The interval between the next two fire times of a Quartz cron expression. */
    static Duration cronPeriod(String cron, java.time.ZoneId zone) {
        try {
            org.quartz.CronExpression expression = new org.quartz.CronExpression(cron);
            expression.setTimeZone(java.util.TimeZone.getTimeZone(zone));
            java.util.Date first = expression.getNextValidTimeAfter(new java.util.Date());
            java.util.Date second = first == null ? null : expression.getNextValidTimeAfter(first);
            if (second == null) {
                throw new IllegalArgumentException("rotor.heartbeat.cron '" + cron + "' does not fire repeatedly");
            }
            return Duration.ofMillis(second.getTime() - first.getTime());
        } catch (java.text.ParseException e) {
            throw new IllegalArgumentException("rotor.heartbeat.cron: invalid cron expression: " + e.getMessage(), e);
        }
    }

    private static java.time.ZoneId scheduleZone(RotorSettings settings) {
        String zone = settings.get("rotor.schedules.time-zone", "");
        try {
            return zone == null || zone.isBlank() ? java.time.ZoneId.systemDefault() : java.time.ZoneId.of(zone.trim());
        } catch (java.time.DateTimeException e) {
            throw new IllegalArgumentException("rotor.schedules.time-zone: unknown time zone '" + zone + "'");
        }
    }

    private static RotationSchedule defaultSchedule(RotorSettings settings) {
        String interval = settings.get("rotor.schedules.default-interval", "");
        if (interval == null || interval.isBlank()) {
            return RotationSchedule.none();
        }
        java.util.List<String[]> problems = new java.util.ArrayList<>();
        RotationSchedule schedule = RotationSchedule.parse(interval, null, null, false, problems);
        if (schedule == null) {
            throw new IllegalArgumentException("rotor.schedules.default-interval: " + problems.get(0)[1]);
        }
        return schedule;
    }

    /**
     * Opens the vault and wires the services. It does not apply the inventory: only {@code serve} (at start) and
     * {@code rotor inventory apply} do, through {@link #applyInventory}.
     */
    public static RotorRuntime open(RotorSettings settings, Map<String, String> environment) {
        MasterKey masterKey = MasterKey.load(environment.get(MasterKey.ENV_VARIABLE), settings.masterKeyFile());
        Vault vault = Vault.open(settings.vaultUrl(), settings.vaultUsername(), environment.get("ROTOR_VAULT_PASSWORD"),
                settings.dataDir(), masterKey, settings.getInt("rotor.vault.pool-size", 10),
                settings.getInt("rotor.vault.compact-on-close-ms", 10000));
        try {
            bootstrapAdminToken(new AuthStore(vault.tokens()), environment.get(ADMIN_TOKEN_ENV));
            ConnectorRegistry connectors = new ConnectorRegistry();
            return new RotorRuntime(settings, vault, connectors, new RotorMetrics());
        } catch (RuntimeException e) {
            vault.close();
            throw e;
        }
    }

    /**
     * Validates the inventory file ({@code rotor.inventory}, under the home) and writes it into the vault, with one
     * audit record of the outcome. A file that does not exist applies nothing unless {@code required}.
     *
     * @param actor who asked: {@code serve} at start, {@code cli:<user>} for {@code rotor inventory apply}
     * @return what was applied, or null when there was no file
     */
    public InventoryApplier.Summary applyInventory(Map<String, String> environment, String actor, boolean required) {
        return applyInventory(environment, actor, required, false);
    }

    /** The inventory whose initial credentials wait for start-up recovery ({@link #storeDeferredInitialSecrets}). */
    private volatile Map.Entry<Inventory, Map<String, String>> deferredInitialSecrets;

    /**
     * As {@link #applyInventory(Map, String, boolean)}; with {@code deferInitialSecrets} the {@code initialSecretEnv}
     * credentials are stored only by {@link #storeDeferredInitialSecrets}, which {@code serve} calls after start-up
     * recovery, so an initial value never lands on an account whose crash leftovers recovery has yet to settle.
     */
    public InventoryApplier.Summary applyInventory(Map<String, String> environment, String actor, boolean required,
                                                   boolean deferInitialSecrets) {
        java.nio.file.Path file = settings.inventoryFile();
        if (!required && java.nio.file.Files.notExists(file)) {
            return null;
        }
        try {
            Inventory inventory = InventoryLoader.load(file);
            InventoryApplier.Summary summary = new InventoryApplier(vault, environment).apply(inventory, !deferInitialSecrets);
            if (deferInitialSecrets) {
                deferredInitialSecrets = Map.entry(inventory, environment);
            }
            java.util.List<String> clearText = inventory.targets().stream()
                    .filter(t -> t.tlsMode() == io.rotor.domain.TlsMode.DISABLE && io.rotor.domain.TlsMode.supported(t.type()))
                    .map(io.rotor.domain.Target::id).toList();
            vault.audit().record(io.rotor.vault.AuditRecord.of(actor, INVENTORY_APPLY, null, null, null, "SUCCEEDED",
                    file + ": " + summary.describe() + (clearText.isEmpty() ? "" : "; tls: disable on " + String.join(", ", clearText))));
            return summary;
        } catch (RuntimeException e) {
            vault.audit().record(io.rotor.vault.AuditRecord.of(actor, INVENTORY_APPLY, null, null, null, "FAILED",
                    file + ": " + e.getMessage()));
            throw e;
        }
    }

    /** Stores the initial credentials an earlier {@code applyInventory(..., true)} deferred; returns how many. */
    public int storeDeferredInitialSecrets() {
        Map.Entry<Inventory, Map<String, String>> deferred = deferredInitialSecrets;
        deferredInitialSecrets = null;
        return deferred == null ? 0 : new InventoryApplier(vault, deferred.getValue()).storeInitialSecrets(deferred.getKey());
    }

    /** The audit operation of an inventory apply. */
    public static final String INVENTORY_APPLY = "INVENTORY_APPLY";

    /** Environment variable whose value becomes the first admin API token (stored hashed) when none exists yet. */
    public static final String ADMIN_TOKEN_ENV = "ROTOR_ADMIN_TOKEN";

    /** ROTOR_ADMIN_TOKEN, when set and no admin token has ever existed, becomes the admin token {@code bootstrap-admin}. */
    static boolean bootstrapAdminToken(AuthStore auth, String token) {
        if (token == null || token.isEmpty()) {
            return false;
        }
        Credentials.checkSuppliedToken(token, ADMIN_TOKEN_ENV);
        return auth.bootstrapAdminToken(Credentials.tokenHash(token));
    }

    /** Gives the connectors Rotor's services (plain Java), and the started engine the metrics registry and health checks. */
    public void attach(CamelContext camelContext) {
        // route connectors reach the engine's routes only through this narrow door (docs/architecture.md, "The Camel boundary")
        connectors.attach(new io.rotor.connector.ConnectorContext(changers).with(io.rotor.camel.route.RouteCalls.class,
                new io.rotor.camel.route.CamelRouteCalls(camelContext)));
        metrics.attach(camelContext);
        HealthCheckRegistry health = HealthCheckRegistry.get(camelContext);
        if (health != null) {
            health.register(new VaultHealthCheck(vault.probe()));
            vault.targets().listTargets().stream().filter(t -> !VaultModel.isVaultView(t.type()) && t.site() == null)
                    .forEach(t -> health.register(new TargetHealthCheck(t.id(), targetMonitor)));
        }
    }

    /** {@code serve} only: the targets' health checks start running on their schedule (health requests read the answers). */
    public void startTargetMonitor() {
        targetMonitor.start();
    }

    /**
     * The {@code quartz} component: for {@code serve}, Quartz with its job store in the vault (started by
     * {@link Engine} after start-up recovery); for a one-shot command, an inert in-memory one.
     */
    public synchronized org.apache.camel.component.quartz.QuartzComponent quartz(boolean serve) {
        if (!serve) {
            return QuartzSetup.inertComponent();
        }
        if (quartz == null) {
            quartz = QuartzSetup.component(vault.dataSource(), clusterNode.clustered(),
                    clusterNode.settings().checkinMillis());
        }
        return quartz;
    }

    private io.rotor.workflow.passwords.PasswordManagement passwordManagement;

    /** The SailPoint-shaped password self-service (made on first use). */
    public synchronized io.rotor.workflow.passwords.PasswordManagement passwordManagement() {
        if (passwordManagement == null) {
            passwordManagement = PasswordManagementSetup.service(settings, vault, rotation);
        }
        return passwordManagement;
    }

    /** The beans the routes refer to by name. */
    public Map<String, Object> beans() {
        PerTargetLimiter limiter = PerTargetLimiter.fromProperties(settings.asProperties());
        VaultSync vaultSync = new VaultSync(vault.credentials(), vault.attributes());
        io.rotor.api.DirectoryApi directoryApi = new io.rotor.api.DirectoryApi(vault.accounts(), vault.targets(),
                vault.users(), vault.groups(), vault.attributes(), vault.access(), vault.templates());
        JobApi jobApi = new JobApi(vault.targets(), vault.users(), vault.templates(), jobs, reports);
        io.rotor.api.PdrApi pdrApi = new io.rotor.api.PdrApi(vault.pdrs(), jobs, jobApi);
        Authenticator authenticator = new Authenticator(auth, vault.audit(),
                io.rotor.api.LoginThrottle.fromProperties(settings.asProperties(), java.time.Clock.systemUTC()));
        InventoryApi inventoryApi = new InventoryApi(vault, directoryApi, rotation::verificationKind);
        AccountApi accountApi = new AccountApi(vault);
        io.rotor.console.ConsoleSessions consoleSessions = io.rotor.console.ConsoleSessions.fromProperties(
                settings.asProperties(), java.time.Clock.systemUTC());
        Map<String, Object> beans = new java.util.HashMap<>(Map.ofEntries(
                Map.entry("rotationDue", rotationDue),
                Map.entry("rotationService", rotation),
                Map.entry("recoveryService", recovery),
                Map.entry("accountQueries", new AccountQueries(vault.accounts(), vault.targets())),
                Map.entry("failureResults", new FailureResults(metrics)),
                Map.entry("tallies", new Tallies()),
                Map.entry("rotorMetrics", metrics),
                Map.entry("targetMonitor", targetMonitor),
                Map.entry("agentService", agentService),
                Map.entry("apiAuthenticator", authenticator),
                Map.entry("apiInventory", inventoryApi),
                Map.entry("apiDirectory", directoryApi),
                Map.entry("apiAccounts", accountApi),
                Map.entry("apiPasswordChangers", new io.rotor.api.PasswordChangerApi(changers, vault.accounts(), vault.targets())),
                Map.entry("jobStore", jobs),
                Map.entry("workflowJobs", workflowJobs),
                Map.entry("batchResultsStrategy", new BatchResultsStrategy(jobs)),
                Map.entry("perTargetLimiter", limiter),
                Map.entry("heartbeat", new io.rotor.workflow.Heartbeat(vault.accounts(), heartbeatPlanner(settings), limiter, rotation)),
                Map.entry("vaultSync", vaultSync),
                Map.entry("massOnboard", new MassOnboard(workflowJobs, vault, rotation, vaultSync)),
                Map.entry("massPasswordReset", new MassPasswordReset(workflowJobs,
                        new BatchPlanner(vault.jobs()), vault.accounts(), vault.attributes(), vault.targets(), vaultSync)),
                Map.entry("jobRotations", new io.rotor.workflow.JobRotations(vault.accounts(), limiter, rotation)),
                Map.entry("singleUserOffboard", new SingleUserOffboard(workflowJobs, vault.groups(), vault.attributes(),
                        vault.access())),
                Map.entry("apiPasswordManagement", PasswordManagementSetup.api(settings, vault, passwordManagement())),
                // the rotor component's checkout/checkin and the route connectors' body renderer
                Map.entry("rotorCheckouts", new io.rotor.workflow.Checkouts(vault.accounts(), vault.credentials())),
                Map.entry("rotorRouteBodies", new io.rotor.camel.route.RouteBodies()),
                Map.entry("rotorHttpHeaders", new io.rotor.camel.route.RouteHttpHeaders()),
                Map.entry("apiJobs", jobApi),
                Map.entry("apiPdrs", pdrApi),
                Map.entry("console", new io.rotor.console.Console(authenticator, consoleSessions, inventoryApi,
                        accountApi, jobApi, pdrApi, targetMonitor, vault.audit())),
                Map.entry("apiAutomaticWork", new io.rotor.api.AutomaticWorkApi(drift(vaultSync), vault.accounts(), vault.targets()))));
        beans.put("clusterNode", clusterNode);
        beans.put("apiCluster", new io.rotor.api.ClusterApi(clusterNode));
        if (clusterNode.clustered()) {
            // docs/architecture.md, "Cluster": batches through the broker, the last one ends the job
            io.rotor.cluster.ClusterBatches batches = new io.rotor.cluster.ClusterBatches(clusterNode, vault.cluster(),
                    workflowJobs, vaultSync, Duration.ofSeconds(settings.getInt("rotor.rotation.lock-lifetime-seconds", 60) + 10));
            beans.put("clusterBatches", batches);
            beans.put("batchDispatch", batches);
            beans.put("rotorRabbit", io.rotor.cluster.Broker.connectionFactory(clusterNode.settings(),
                    System.getenv("ROTOR_RABBITMQ_PASSWORD")));
        } else {
            beans.put("batchDispatch", new io.rotor.workflow.BatchDispatch.Local(workflowJobs));
        }
        return beans;
    }

    public WorkflowJobs workflowJobs() {
        return workflowJobs;
    }

    public io.rotor.cluster.ClusterNode clusterNode() {
        return clusterNode;
    }

    /** The drift report and its repair (docs/architecture.md, "Automatic work"). */
    public io.rotor.workflow.DriftService drift(VaultSync vaultSync) {
        return new io.rotor.workflow.DriftService(vault.accounts(), vault.targets(), vault.credentials(), vaultSync,
                vault.audit(), java.time.Clock.systemUTC());
    }

    /** The drift report over this runtime's vault, for the command line. */
    public io.rotor.workflow.DriftService drift() {
        return drift(new VaultSync(vault.credentials(), vault.attributes()));
    }

    public RotorSettings settings() {
        return settings;
    }

    public Vault vault() {
        return vault;
    }

    public RotationService rotation() {
        return rotation;
    }

    public RecoveryService recovery() {
        return recovery;
    }

    public JobStore jobs() {
        return jobs;
    }

    public AuthStore auth() {
        return auth;
    }

    public ConnectorRegistry connectors() {
        return connectors;
    }

    @Override
    public void close() {
        clusterNode.close();
        targetMonitor.close();
        connectors.close();
        vault.close();
    }
}
