package io.rotor.schedule;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.apache.camel.CamelContext;
import org.apache.camel.component.quartz.QuartzComponent;
import org.quartz.SchedulerException;
import org.quartz.utils.ConnectionProvider;
import org.quartz.utils.DBConnectionManager;

/**
 * The {@code quartz} component Rotor's schedule routes use: a Quartz scheduler named {@value #SCHEDULER_NAME}
 * whose JDBC job store (JobStoreTX, not clustered) lives in the vault database, in the QRTZ_ tables of
 * migration V5, so that triggers and their fire times survive a restart.
 *
 * <p>The scheduler is never started by Camel ({@code autoStartScheduler=false}): {@code rotor serve} starts it
 * with {@link #startScheduler} after start-up recovery, and one-shot commands never start it, so a command run
 * beside the server never fires (or recovers) the server's triggers.
 */
public final class QuartzSetup {
    public static final String SCHEDULER_NAME = "rotor";
    private static final AtomicInteger SEQUENCE = new AtomicInteger();
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(QuartzSetup.class);

    private QuartzSetup() {
    }

    /** A quartz component whose job store is {@code vault}, the vault's pooled DataSource. */
    public static QuartzComponent component(DataSource vault) {
        return component(vault, false, 0);
    }

    /**
     * As {@link #component(DataSource)}; {@code clustered}: Quartz's clustered JDBC job store (docs/architecture.md,
     * "Cluster"): every node's scheduler shares the QRTZ_ tables, takes a trigger under a database row lock (so each
     * firing runs on exactly one node), checks in every {@code checkinMillis} and recovers a silent node's triggers.
     */
    public static QuartzComponent component(DataSource vault, boolean clustered, long checkinMillis) {
        // Quartz finds data sources by name in a JVM-wide registry: a unique name per vault keeps tests apart
        String dataSourceName = "rotorVault" + SEQUENCE.incrementAndGet();
        DBConnectionManager.getInstance().addConnectionProvider(dataSourceName, new ConnectionProvider() {
            @Override
            public Connection getConnection() throws SQLException {
                return vault.getConnection();
            }

            @Override
            public void shutdown() {
                // the vault owns the pool
            }

            @Override
            public void initialize() {
            }
        });
        Map<String, Object> properties = new HashMap<>();
        properties.put("org.quartz.scheduler.instanceName", SCHEDULER_NAME);
        properties.put("org.quartz.scheduler.instanceId", clustered ? "AUTO" : "NON_CLUSTERED");
        properties.put("org.quartz.scheduler.skipUpdateCheck", "true");
        properties.put("org.quartz.threadPool.class", "org.quartz.simpl.SimpleThreadPool");
        properties.put("org.quartz.threadPool.threadCount", "2");
        properties.put("org.quartz.jobStore.class", "org.quartz.impl.jdbcjobstore.JobStoreTX");
        properties.put("org.quartz.jobStore.driverDelegateClass", delegateFor(vault));
        properties.put("org.quartz.jobStore.dataSource", dataSourceName);
        properties.put("org.quartz.jobStore.tablePrefix", "QRTZ_");
        properties.put("org.quartz.jobStore.isClustered", Boolean.toString(clustered));
        if (clustered) {
            properties.put("org.quartz.jobStore.clusterCheckinInterval", Long.toString(checkinMillis));
            // trigger acquisition under the TRIGGER_ACCESS row lock: no two nodes take the same firing
            properties.put("org.quartz.jobStore.acquireTriggersWithinLock", "true");
        }
        properties.put("org.quartz.jobStore.misfireThreshold", "60000");
        QuartzComponent quartz = new QuartzComponent();
        quartz.setProperties(properties);
        quartz.setPrefixInstanceName(false);
        quartz.setAutoStartScheduler(false);
        return quartz;
    }

    /**
     * The quartz component of one-shot commands: an in-memory store that is never started, so that a command
     * run beside the server never adds, pauses or fires the server's stored triggers.
     */
    public static QuartzComponent inertComponent() {
        Map<String, Object> properties = new HashMap<>();
        properties.put("org.quartz.scheduler.instanceName", SCHEDULER_NAME + "-command-" + SEQUENCE.incrementAndGet());
        properties.put("org.quartz.scheduler.skipUpdateCheck", "true");
        properties.put("org.quartz.threadPool.threadCount", "1");
        properties.put("org.quartz.jobStore.class", "org.quartz.simpl.RAMJobStore");
        QuartzComponent quartz = new QuartzComponent();
        quartz.setProperties(properties);
        quartz.setPrefixInstanceName(false);
        quartz.setAutoStartScheduler(false);
        return quartz;
    }

    /** StdJDBCDelegate for H2, PostgreSQLDelegate for PostgreSQL (the two vault databases). */
    static String delegateFor(DataSource vault) {
        try (Connection c = vault.getConnection()) {
            String product = c.getMetaData().getDatabaseProductName().toLowerCase(Locale.ROOT);
            return product.contains("postgres") ? "org.quartz.impl.jdbcjobstore.PostgreSQLDelegate"
                    : "org.quartz.impl.jdbcjobstore.StdJDBCDelegate";
        } catch (SQLException e) {
            throw new IllegalStateException("cannot reach the vault database for the schedules: " + e.getMessage(), e);
        }
    }

    /** Starts the scheduler of the context's quartz component (the one bound as "quartz"). */
    public static void startScheduler(CamelContext context) {
        QuartzComponent quartz = context.getComponent("quartz", QuartzComponent.class);
        try {
            org.quartz.Scheduler scheduler = quartz.getScheduler();
            if (scheduler == null) {
                throw new IllegalStateException("the quartz component has no scheduler");
            }
            // camel-quartz pauses a stored trigger when its route stops (deleteJob=false); serving resumes them all
            scheduler.resumeAll();
            if (scheduler.isInStandbyMode() || !scheduler.isStarted()) {
                scheduler.start();
            }
            LOG.info("Quartz scheduler {} started (job store in the vault)", scheduler.getSchedulerName());
        } catch (SchedulerException e) {
            throw new IllegalStateException("cannot start the schedules: " + e.getMessage(), e);
        }
    }
}
