package io.rotor.health;

import io.rotor.config.Inventory;
import io.rotor.config.InventoryLoader;
import io.rotor.domain.Target;
import io.rotor.domain.TlsMode;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Attack: read a password off the wire, or stand in for the target, because nobody asked for TLS. A new target
 * whose transport has TLS defaults to {@code verify-full}; {@code tls: disable} stays possible and is flagged in
 * the health report.
 */
class TargetTlsSecurityTest {

    @Test
    void aTargetThatDoesNotSayGetsVerifyFullWhereItsTransportHasTls() {
        Inventory inventory = InventoryLoader.parse("inventory.yaml", """
                targets:
                  - { id: pg, type: postgresql, host: db.example }
                  - { id: my, type: mariadb, host: db.example }
                  - { id: mysql, type: mysql, host: db.example }
                  - { id: dir, type: ldap, host: ldap.example }
                  - { id: ad, type: activedirectory, host: dc.example }
                  - { id: box, type: linux, host: box.example }
                  - { id: old, type: postgresql, host: db.example, tls: disable }
                  - { id: enc, type: postgresql, host: db.example, tls: require }
                """);

        assertThat(inventory.targets()).extracting(Target::id, Target::tlsMode).containsExactly(
                org.assertj.core.groups.Tuple.tuple("pg", TlsMode.VERIFY_FULL),
                org.assertj.core.groups.Tuple.tuple("my", TlsMode.VERIFY_FULL),
                org.assertj.core.groups.Tuple.tuple("mysql", TlsMode.VERIFY_FULL),
                org.assertj.core.groups.Tuple.tuple("dir", TlsMode.VERIFY_FULL),
                org.assertj.core.groups.Tuple.tuple("ad", TlsMode.VERIFY_FULL),
                org.assertj.core.groups.Tuple.tuple("box", TlsMode.DISABLE),
                org.assertj.core.groups.Tuple.tuple("old", TlsMode.DISABLE),
                org.assertj.core.groups.Tuple.tuple("enc", TlsMode.REQUIRE));
    }

    @Test
    void healthFlagsATargetRunWithoutTlsAndOnlyThatOne() throws Exception {
        try (ServerSocket listening = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
             DefaultCamelContext context = new DefaultCamelContext()) {
            int port = listening.getLocalPort();
            HealthCheck.Result clear = check(context, new Target("old", "postgresql", "127.0.0.1", port, null,
                    TlsMode.DISABLE, null, null, Map.of()));
            HealthCheck.Result verified = check(context, new Target("pg", "postgresql", "127.0.0.1", port, null,
                    TlsMode.VERIFY_FULL, null, null, Map.of()));
            HealthCheck.Result ssh = check(context, new Target("box", "linux", "127.0.0.1", port, null,
                    TlsMode.DISABLE, null, null, Map.of()));

            assertThat(clear.getState()).isEqualTo(HealthCheck.State.UP);
            assertThat(clear.getMessage()).contains(TargetHealthCheck.CLEAR_TEXT_WARNING);
            assertThat(clear.getDetails()).containsEntry("target.tls", "disable")
                    .containsEntry("target.tls.warning", TargetHealthCheck.CLEAR_TEXT_WARNING);
            assertThat(verified.getDetails()).containsEntry("target.tls", "verify-full").doesNotContainKey("target.tls.warning");
            assertThat(verified.getMessage()).isEmpty();
            assertThat(ssh.getDetails()).doesNotContainKey("target.tls.warning");
        }
    }

    /** One scheduled round of the target's check, then the health check reads its answer. */
    private static HealthCheck.Result check(DefaultCamelContext context, Target target) {
        TargetMonitor monitor = new TargetMonitor(() -> java.util.List.of(target), TargetMonitor.TCP,
                java.time.Duration.ofSeconds(30), java.time.Duration.ofSeconds(2), java.time.Clock.systemUTC());
        monitor.probeAll();
        TargetHealthCheck check = new TargetHealthCheck(target.id(), monitor);
        check.setCamelContext(context);
        return check.call();
    }
}
