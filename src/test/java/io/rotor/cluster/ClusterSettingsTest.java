package io.rotor.cluster;

import io.rotor.config.RotorHome;
import io.rotor.config.RotorSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** rotor.cluster.*: off by default; when on, a clear error naming the setting for each missing or bad piece. */
class ClusterSettingsTest {
    @TempDir
    Path home;

    private ClusterSettings settings(Map<String, String> overrides) {
        return ClusterSettings.from(RotorSettings.load(RotorHome.of(home), null, overrides));
    }

    private Map<String, String> cluster() {
        Map<String, String> on = new HashMap<>();
        on.put("rotor.cluster.enabled", "true");
        on.put("rotor.cluster.node-id", "node-1");
        on.put("rotor.cluster.rabbitmq-url", "amqp://rotor@mq:5672/rotor");
        on.put("rotor.vault.url", "jdbc:postgresql://db:5432/rotor");
        return on;
    }

    @Test
    void offByDefaultAsStandalone() {
        ClusterSettings off = settings(Map.of());
        assertThat(off.enabled()).isFalse();
        assertThat(off.role()).isEqualTo("standalone");
    }

    @Test
    void aClusterMemberNamesItsQueuesFromThePrefix() {
        Map<String, String> on = cluster();
        on.put("rotor.cluster.queue-prefix", "rotor_it_clu_x");
        ClusterSettings s = settings(on);
        assertThat(s.role()).isEqualTo("cluster-member");
        assertThat(s.queue()).isEqualTo("rotor_it_clu_x.job-batches");
        assertThat(s.deadLetterQueue()).isEqualTo("rotor_it_clu_x.job-batches.dead");
        assertThat(s.nodeId()).isEqualTo("node-1");
    }

    @Test
    void aClusterNeedsThePostgresVault() {
        Map<String, String> on = cluster();
        on.remove("rotor.vault.url");
        assertThatThrownBy(() -> settings(on)).hasMessageContaining("rotor.vault.url");
    }

    @Test
    void aClusterNeedsTheBrokerUrlWithoutAPassword() {
        Map<String, String> on = cluster();
        on.remove("rotor.cluster.rabbitmq-url");
        assertThatThrownBy(() -> settings(on)).hasMessageContaining("rotor.cluster.rabbitmq-url");
        on.put("rotor.cluster.rabbitmq-url", "amqp://rotor:s3cret@mq:5672/");
        assertThatThrownBy(() -> settings(on)).hasMessageContaining("ROTOR_RABBITMQ_PASSWORD").hasMessageNotContaining("s3cret");
    }

    @Test
    void badNodeIdsAndTimingsAreRefusedByName() {
        Map<String, String> on = cluster();
        on.put("rotor.cluster.node-id", "node 1;drop");
        assertThatThrownBy(() -> settings(on)).hasMessageContaining("rotor.cluster.node-id");
        Map<String, String> timing = cluster();
        timing.put("rotor.cluster.heartbeat-seconds", "10");
        timing.put("rotor.cluster.node-timeout-seconds", "20");
        assertThatThrownBy(() -> settings(timing)).hasMessageContaining("rotor.cluster.node-timeout-seconds");
    }

    @Test
    void aBrokerUserOtherThanGuestNeedsItsPasswordFromTheEnvironment() {
        ClusterSettings s = settings(cluster());
        assertThatThrownBy(() -> Broker.connectionFactory(s, null)).hasMessageContaining("ROTOR_RABBITMQ_PASSWORD");
        assertThat(Broker.connectionFactory(s, "pw").getVirtualHost()).isEqualTo("rotor");
    }
}
