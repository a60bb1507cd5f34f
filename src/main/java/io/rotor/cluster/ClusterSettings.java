package io.rotor.cluster;

import io.rotor.config.RotorSettings;

import java.util.regex.Pattern;

/**
 * The {@code rotor.cluster.*} settings (README, "Cluster"). Off by default: one node, in-process queue, Quartz not
 * clustered. When on, every node runs the same jar against one PostgreSQL vault and one RabbitMQ broker.
 *
 * @param enabled           {@code rotor.cluster.enabled}
 * @param nodeId            {@code rotor.cluster.node-id}: unique per node, shown in {@code GET /api/v1/cluster}
 * @param rabbitmqUrl       {@code rotor.cluster.rabbitmq-url} ({@code amqp://host:5672/vhost}); the password comes from
 *                          {@code ROTOR_RABBITMQ_PASSWORD}, never from a file or the URL
 * @param queuePrefix       {@code rotor.cluster.queue-prefix}: exchange and queue names start with it
 * @param prefetch          {@code rotor.cluster.prefetch}: unacknowledged batches a node holds at most
 * @param consumers         {@code rotor.cluster.consumers}: batches a node runs at once
 * @param heartbeatSeconds  {@code rotor.cluster.heartbeat-seconds}: how often a node writes its row
 * @param nodeTimeoutSeconds {@code rotor.cluster.node-timeout-seconds}: a node silent this long counts as gone
 * @param checkinMillis     {@code rotor.cluster.quartz-checkin-millis}: Quartz's cluster check-in interval
 */
public record ClusterSettings(boolean enabled, String nodeId, String rabbitmqUrl, String queuePrefix, int prefetch,
                              int consumers, int heartbeatSeconds, int nodeTimeoutSeconds, long checkinMillis) {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,100}");

    /** The embedded default: one node, nothing shared. */
    public static ClusterSettings standalone() {
        return new ClusterSettings(false, "standalone", null, "rotor", 2, 2, 5, 30, 5000);
    }

    public static ClusterSettings from(RotorSettings settings) {
        boolean enabled = Boolean.parseBoolean(settings.get("rotor.cluster.enabled", "false").trim());
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            host = "node";
        }
        String nodeId = settings.get("rotor.cluster.node-id", "");
        nodeId = nodeId == null || nodeId.isBlank() ? host : nodeId.trim();
        ClusterSettings cluster = new ClusterSettings(enabled, nodeId,
                blankToNull(settings.get("rotor.cluster.rabbitmq-url", "")),
                settings.get("rotor.cluster.queue-prefix", "rotor").trim(),
                settings.getInt("rotor.cluster.prefetch", 2), settings.getInt("rotor.cluster.consumers", 2),
                settings.getInt("rotor.cluster.heartbeat-seconds", 5), settings.getInt("rotor.cluster.node-timeout-seconds", 30),
                settings.getInt("rotor.cluster.quartz-checkin-millis", 5000));
        return enabled ? cluster.validated(settings) : cluster;
    }

    private ClusterSettings validated(RotorSettings settings) {
        if (!NAME.matcher(nodeId).matches()) {
            throw new IllegalArgumentException("rotor.cluster.node-id: 1 to 100 letters, digits, '.', '_' or '-' (got '" + nodeId + "')");
        }
        if (!NAME.matcher(queuePrefix).matches()) {
            throw new IllegalArgumentException("rotor.cluster.queue-prefix: 1 to 100 letters, digits, '.', '_' or '-'");
        }
        if (rabbitmqUrl == null || !(rabbitmqUrl.startsWith("amqp://") || rabbitmqUrl.startsWith("amqps://"))) {
            throw new IllegalArgumentException("rotor.cluster.rabbitmq-url: an amqp:// or amqps:// URL is needed when rotor.cluster.enabled=true");
        }
        if (java.net.URI.create(rabbitmqUrl).getUserInfo() != null && java.net.URI.create(rabbitmqUrl).getUserInfo().contains(":")) {
            throw new IllegalArgumentException("rotor.cluster.rabbitmq-url: put no password in the URL; set ROTOR_RABBITMQ_PASSWORD");
        }
        String vault = settings.vaultUrl();
        if (vault == null || !vault.startsWith("jdbc:postgresql:")) {
            throw new IllegalArgumentException("rotor.cluster.enabled=true needs the vault on PostgreSQL (rotor.vault.url = jdbc:postgresql://...)");
        }
        requireRange("rotor.cluster.prefetch", prefetch, 1, 100);
        requireRange("rotor.cluster.consumers", consumers, 1, 64);
        requireRange("rotor.cluster.heartbeat-seconds", heartbeatSeconds, 1, 600);
        if (nodeTimeoutSeconds < 3 * heartbeatSeconds) {
            throw new IllegalArgumentException("rotor.cluster.node-timeout-seconds must be at least three heartbeats ("
                    + 3 * heartbeatSeconds + ")");
        }
        return this;
    }

    public String exchange() {
        return queuePrefix + ".jobs";
    }

    public String queue() {
        return queuePrefix + ".job-batches";
    }

    public String deadLetterQueue() {
        return queuePrefix + ".job-batches.dead";
    }

    /** The role health and the cluster view show. */
    public String role() {
        return enabled ? "cluster-member" : "standalone";
    }

    private static void requireRange(String key, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(key + " must be " + min + " to " + max + " (got " + value + ")");
        }
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.trim();
    }
}
