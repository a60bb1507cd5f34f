package io.rotor;

import io.rotor.config.RotorSettings;
import io.rotor.health.StartupRecoveryCheck;
import io.rotor.security.HttpTransport;
import io.rotor.security.RouteFiles;
import org.apache.camel.CamelContext;
import org.apache.camel.health.HealthCheckRegistry;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.Route;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.Main;
import org.apache.camel.main.MainListenerSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

/**
 * Starts the Camel engine around a {@link RotorRuntime}: configuration from the home's
 * {@code config/application.properties}; workflow routes from the home's {@code routes/} folder (editable without
 * rebuilding) for {@code serve} only, after a permission check, and otherwise the defaults in the jar. A one-shot
 * command never compiles or loads route files from disk. With {@code serve}, start-up recovery runs before the
 * "schedules" route group starts.
 */
public final class Engine implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Engine.class);
    public static final String SCHEDULES_GROUP = "schedules";

    private final Main main;
    private final RotorRuntime runtime;
    private final StartupRecoveryCheck recovered = new StartupRecoveryCheck();

    private Engine(Main main, RotorRuntime runtime) {
        this.main = main;
        this.runtime = runtime;
    }

    /** {@code serve=false}: an engine for one command-line operation, without HTTP and with the jar's routes. */
    public static Engine create(RotorRuntime runtime, boolean serve) {
        return create(runtime, serve, serve ? HttpTransport.decide(runtime.settings(), System.getenv(), false)
                : HttpTransport.none());
    }

    /** @param transport plain HTTP or HTTPS for {@code serve}, decided (and refused when unsafe) before start */
    public static Engine create(RotorRuntime runtime, boolean serve, HttpTransport transport) {
        Main main = new Main();
        RotorSettings settings = runtime.settings();
        main.setPropertyPlaceholderLocations(placeholderLocations(settings.configFile()));
        Properties overrides = settings.asProperties();
        overrides.setProperty("camel.main.routes-include-pattern", serve ? routesPattern(settings.home().routes()) : BUILT_IN_ROUTES);
        if (serve) {
            transport.applyTo(overrides);
            // Camel's own health endpoint lets any client ask for full detail (?exposureLevel=full&data=true):
            // it stays off and HealthRoutes serves the same paths with names and states only
            overrides.setProperty("camel.management.health-check-enabled", "false");
        } else {
            overrides.setProperty("camel.server.enabled", "false");
            overrides.setProperty("camel.metrics.enabled", "false");
            // a one-shot command must not take the server's port for health and metrics
            overrides.setProperty("camel.management.enabled", "false");
        }
        io.rotor.cluster.ClusterSettings cluster = runtime.clusterNode().settings();
        boolean clustered = serve && cluster.enabled();
        if (clustered) {
            // docs/architecture.md, "Cluster": batches through the broker, singletons on clustered Quartz triggers
            overrides.setProperty("rotor.jobs.batch-endpoint", "direct:cluster-publish-batch");
            overrides.setProperty("rotor.recovery.retry-endpoint", "quartz://rotor/reconcile-retry?trigger.repeatInterval="
                    + Math.max(1, settings.getInt("rotor.recovery.retry-period-seconds", 60)) * 1000L
                    + "&trigger.repeatCount=-1&stateful=true&deleteJob=false");
        }
        main.setOverrideProperties(overrides);
        runtime.beans().forEach(main::bind);
        if (!clustered) {
            // a one-shot command runs its batches in-process even on a cluster's vault
            main.bind("batchDispatch", new io.rotor.workflow.BatchDispatch.Local(runtime.workflowJobs()));
        }
        main.bind("quartz", runtime.quartz(serve));
        Engine engine = new Engine(main, runtime);
        if (serve) {
            // the REST API (Java DSL) only where HTTP is served; it hands off to the workflows' direct: routes
            main.configure().addRoutesBuilder(new io.rotor.api.ApiRoutes());
            main.configure().addRoutesBuilder(new io.rotor.api.DirectoryApiRoutes());
            main.configure().addRoutesBuilder(new io.rotor.api.ApiV2Routes());
            main.configure().addRoutesBuilder(new io.rotor.api.HealthApiRoutes());
            main.configure().addRoutesBuilder(new io.rotor.health.HealthRoutes());
            main.configure().addRoutesBuilder(new io.rotor.api.V3Routes());
            main.configure().addRoutesBuilder(new io.rotor.api.AgentApiRoutes());
            main.configure().addRoutesBuilder(new io.rotor.api.PdrApiRoutes());
            if (clustered) {
                main.configure().addRoutesBuilder(new io.rotor.cluster.ClusterRoutes(cluster));
            }
            main.addMainListener(new MainListenerSupport() {
                @Override
                public void beforeConfigure(BaseMainSupport support) {
                    transport.applyTo(support.getCamelContext());
                    // the console (docs/architecture.md, "Console") on the same server, once it has started
                    io.rotor.console.ConsoleServer.installWhenStarted(support.getCamelContext(), transport.secure());
                }

                @Override
                public void afterConfigure(BaseMainSupport support) {
                    // readiness is DOWN from the first request until start-up recovery has run
                    HealthCheckRegistry health = HealthCheckRegistry.get(support.getCamelContext());
                    if (health != null) {
                        health.register(engine.recovered);
                    }
                }

                @Override
                public void afterStart(BaseMainSupport support) {
                    engine.afterStart(support.getCamelContext(), transport);
                }
            });
        }
        return engine;
    }

    private void afterStart(CamelContext context, HttpTransport transport) {
        runtime.attach(context);
        runtime.startTargetMonitor();
        // jobs whose process died (QUEUED or RUNNING) end FAILED "interrupted by a restart"; their accounts'
        // PENDING credentials are settled by the rotation recovery just below
        io.rotor.cluster.ClusterNode node = runtime.clusterNode();
        java.util.List<String> interrupted = node.clustered() ? recoverInterruptedOnCluster(node)
                : runtime.jobs().recoverInterrupted();
        if (!interrupted.isEmpty()) {
            LOG.warn("{} job(s) interrupted by a restart were failed: {}", interrupted.size(), interrupted);
        }
        HealthCheckRegistry health = HealthCheckRegistry.get(context);
        if (health != null && health.getCheck(recovered.getId()).isEmpty()) {
            health.register(recovered);
        }
        // recovery settles every crash leftover before any schedule can fire; on a cluster only the first node sweeps
        // (the others' leftovers are settled by the clustered reconcile-retry, on one node at a time)
        if (node.joinAndClaimStartupSweep()) {
            Object tally = context.createProducerTemplate().requestBody("direct:recover-all", (Object) null);
            LOG.info("start-up recovery done: {}", tally instanceof io.rotor.workflow.OperationTally t ? t.summary() : tally);
        } else {
            LOG.info("cluster node {} joins live nodes: the start-up sweep is left to the clustered reconcile-retry", node.nodeId());
        }
        node.start();
        // the inventory's initial credentials only after recovery, and never on an account holding PENDING
        int initial = runtime.storeDeferredInitialSecrets();
        if (initial > 0) {
            LOG.info("stored {} initial credential(s) from the inventory", initial);
        }
        // set-password requests a dead process left IN_PROGRESS end now, from what recovery found on each account
        int settled = runtime.passwordManagement().settleInterrupted("system:startup");
        if (settled > 0) {
            LOG.warn("{} password change request(s) interrupted by a restart were settled", settled);
        }
        if (runtime.passwordManagement().interruptedRequestsWaiting()) {
            settleInterruptedLater(runtime);
        }
        recovered.markDone();
        for (Route route : context.getRoutes()) {
            if (SCHEDULES_GROUP.equals(route.getGroup())) {
                try {
                    context.getRouteController().startRoute(route.getRouteId());
                } catch (Exception e) {
                    throw new IllegalStateException("cannot start scheduled route " + route.getRouteId() + ": " + e.getMessage(), e);
                }
            }
        }
        // the Quartz scheduler (persistent triggers, possibly overdue) starts only now, after recovery
        io.rotor.schedule.QuartzSetup.startScheduler(context);
        LOG.info("schedules started");
        LOG.info("Rotor is serving on port {} ({})", context.resolvePropertyPlaceholders("{{camel.server.port}}"), transport);
    }

    /**
     * On a cluster, a job ends "interrupted" only when its owner process is gone (by the node table's heartbeats and,
     * on this host, by its pid) and it is not a job whose batches live on the broker: those go on on the other nodes.
     */
    private java.util.List<String> recoverInterruptedOnCluster(io.rotor.cluster.ClusterNode node) {
        java.util.Set<String> live = runtime.vault().cluster().liveProcesses(node.settings().nodeTimeoutSeconds());
        return runtime.jobs().recoverInterrupted(owner -> !live.contains(owner) && io.rotor.vault.ProcessIdentity.isDeadLocalOwner(owner),
                jobId -> runtime.vault().cluster().findJob(jobId).isPresent());
    }

    static String placeholderLocations(Path configFile) {
        String locations = "classpath:" + RotorSettings.DEFAULTS_RESOURCE + ";optional=true";
        if (configFile != null && Files.isRegularFile(configFile)) {
            locations += ",file:" + configFile.toAbsolutePath() + ";optional=true";
        }
        return locations;
    }

    /** The workflow routes built into the jar: what every one-shot command runs. */
    static final String BUILT_IN_ROUTES = "classpath:routes/*.camel.yaml";

    /**
     * The workflow routes of {@code serve}: {@code routes/*.camel.yaml} and {@code routes/*.java} (Java DSL route
     * builders, compiled when the engine starts) when the home's {@code routes} folder exists and only its owner
     * can change it (see {@link RouteFiles}), otherwise the YAML set in the jar.
     */
    static String routesPattern(Path routes) {
        if (!Files.isDirectory(routes)) {
            return BUILT_IN_ROUTES;
        }
        RouteFiles.checkSafe(routes);
        String dir = "file:" + routes.toAbsolutePath();
        return dir + "/" + RouteFiles.YAML_GLOB + "," + dir + "/" + RouteFiles.JAVA_GLOB;
    }

    /**
     * Runs until the process is asked to stop (SIGTERM / Ctrl-C). The signals are taken here rather than left to
     * the JVM's shutdown: shutdown hooks run all at once, so H2's hook would close the vault while Camel is still
     * stopping the Quartz scheduler and the routes that write to it (AUTO_SERVER rules out DB_CLOSE_ON_EXIT=FALSE).
     * Handled here, Camel stops first and the caller then closes the vault.
     */
    public void run() throws Exception {
        stopOnSignal("TERM");
        stopOnSignal("INT");
        main.run();
    }

    private void stopOnSignal(String name) {
        try {
            sun.misc.Signal.handle(new sun.misc.Signal(name), signal -> {
                LOG.info("received SIG{}: stopping", name);
                main.completed();
            });
        } catch (IllegalArgumentException unavailable) {
            // signal reserved by the JVM (-Xrs); Camel's own shutdown hook still stops the engine
            LOG.debug("cannot handle SIG{}: {}", name, unavailable.getMessage());
        }
    }

    /** Starts without blocking, for one command-line operation. */
    public Engine start() throws Exception {
        main.start();
        // Main's listeners only fire from run(); an embedded engine attaches the runtime itself
        runtime.attach(camelContext());
        return this;
    }

    public CamelContext camelContext() {
        return main.getCamelContext();
    }

    public <T> T request(String endpoint, Map<String, Object> headers, Object body, Class<T> type) {
        try (ProducerTemplate template = camelContext().createProducerTemplate()) {
            return template.requestBodyAndHeaders(endpoint, body, headers, type);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            main.stop();
        } catch (Exception e) {
            LOG.warn("engine did not stop cleanly: {}", e.getMessage());
        }
    }
    /**
     * Interrupted set-password requests whose accounts are still under a dead process's lease: settled on the
     * recovery retry period, once recovery (reconcile-retry) has settled those accounts.
     */
    private static void settleInterruptedLater(RotorRuntime runtime) {
        long period = Math.max(1, runtime.settings().getInt("rotor.recovery.retry-period-seconds", 60));
        java.util.concurrent.ScheduledExecutorService timer = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "rotor-settle-interrupted");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(() -> {
            try {
                int later = runtime.passwordManagement().settleInterruptedRequests("system:recovery");
                if (later > 0) {
                    LOG.warn("{} password change request(s) interrupted by a restart were settled", later);
                }
                if (!runtime.passwordManagement().interruptedRequestsWaiting()) {
                    timer.shutdown();
                }
            } catch (RuntimeException e) {
                LOG.warn("settling interrupted password change requests failed: {}", e.getMessage());
            }
        }, period, period, java.util.concurrent.TimeUnit.SECONDS);
    }
}
