package io.rotor.cluster;

import io.rotor.vault.ClusterRepository;
import io.rotor.vault.ProcessIdentity;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * This node in the cluster (docs/architecture.md, "Cluster"): its row in the vault's node table, written every
 * {@code heartbeat-seconds} with the database's clock, with its role and what it runs now (the job batches in hand and
 * the last singletons it ran). On the embedded default ({@code rotor.cluster.enabled=false}) it writes nothing: the
 * role is {@code standalone} and {@link #scheduleFired} does nothing.
 */
public class ClusterNode implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterNode.class);

    /** The cluster view of {@code GET /api/v1/cluster}. */
    public record View(String self, String role, boolean clustered, List<NodeView> nodes) {
    }

    public record NodeView(String nodeId, String role, String process, String startedAt, String lastHeartbeat,
                           long secondsSinceHeartbeat, boolean alive, String running) {
    }

    private final ClusterSettings settings;
    private final ClusterRepository repository;
    private final Set<String> batchesInHand = ConcurrentHashMap.newKeySet();
    private final Map<String, Instant> singletonsRun = new ConcurrentHashMap<>();
    private ScheduledExecutorService timer;

    public ClusterNode(ClusterSettings settings, ClusterRepository repository) {
        this.settings = settings;
        this.repository = repository;
    }

    public ClusterSettings settings() {
        return settings;
    }

    public String nodeId() {
        return settings.nodeId();
    }

    public String role() {
        return settings.role();
    }

    public boolean clustered() {
        return settings.enabled();
    }

    /**
     * Joins the cluster (writes this node's row) and answers whether this node runs the start-up recovery sweep: only
     * the first node of a cluster does; a node joining live nodes leaves crash leftovers to the clustered
     * reconcile retry. The embedded default always sweeps.
     */
    public boolean joinAndClaimStartupSweep() {
        if (!clustered()) {
            return true;
        }
        boolean sweep = repository.joinAndClaimStartupSweep(nodeId(), ProcessIdentity.self(), role(), settings.nodeTimeoutSeconds());
        if (sweep) {
            ranSingleton("startup-recovery");
        }
        return sweep;
    }

    /** Starts the heartbeat (cluster only). */
    public synchronized void start() {
        if (!clustered() || timer != null) {
            return;
        }
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "rotor-cluster-heartbeat");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::heartbeat, 0, settings.heartbeatSeconds(), TimeUnit.SECONDS);
        LOG.info("cluster node {} joined ({} s heartbeat)", nodeId(), settings.heartbeatSeconds());
    }

    void heartbeat() {
        try {
            repository.heartbeat(nodeId(), ProcessIdentity.self(), role(), running());
        } catch (RuntimeException e) {
            LOG.warn("cluster heartbeat of node {} failed: {}", nodeId(), e.getMessage());
        }
    }

    /** What this node runs: the batches in hand and the singletons it ran last, e.g. {@code batches: j1#3; singletons: ...}. */
    public String running() {
        StringBuilder text = new StringBuilder("batches: ").append(batchesInHand.isEmpty() ? "none" : String.join(", ", new java.util.TreeSet<>(batchesInHand)));
        if (!singletonsRun.isEmpty()) {
            text.append("; singletons: ");
            new java.util.TreeMap<>(singletonsRun).forEach((name, at) -> text.append(name).append('@').append(at).append(' '));
        }
        return text.toString().trim();
    }

    void batchTaken(String key) {
        batchesInHand.add(key);
    }

    void batchReleased(String key) {
        batchesInHand.remove(key);
    }

    void ranSingleton(String name) {
        singletonsRun.put(name, Instant.now());
    }

    /**
     * A clustered schedule fired on this node: records the firing (trigger, scheduled time, node) so that the cluster
     * view and the tests can show it fired once per period. Reads camel-quartz's headers; nothing on one node.
     */
    public void scheduleFired(Exchange exchange) {
        if (!clustered()) {
            return;
        }
        String trigger = exchange.getIn().getHeader("triggerName", String.class);
        Object scheduled = exchange.getIn().getHeader("scheduledFireTime");
        Instant at = scheduled instanceof Date d ? d.toInstant() : Instant.now();
        String name = trigger == null ? exchange.getFromRouteId() : trigger;
        ranSingleton(name);
        try {
            repository.recordFire(name, at, nodeId());
        } catch (RuntimeException e) {
            LOG.warn("could not record the firing of {}: {}", name, e.getMessage());
        }
    }

    /** The cluster as the vault knows it. */
    public View view() {
        if (!clustered()) {
            return new View(nodeId(), role(), false, List.of(new NodeView(nodeId(), role(), ProcessIdentity.self(), null,
                    null, 0, true, running())));
        }
        List<NodeView> nodes = repository.nodes().stream().map(n -> new NodeView(n.nodeId(), n.role(), n.process(),
                n.startedAt().toString(), n.lastHeartbeat().toString(), n.secondsSinceHeartbeat(),
                n.secondsSinceHeartbeat() < settings.nodeTimeoutSeconds(), n.running())).toList();
        return new View(nodeId(), role(), true, nodes);
    }

    @Override
    public synchronized void close() {
        if (timer != null) {
            timer.shutdownNow();
            timer = null;
        }
    }
}
