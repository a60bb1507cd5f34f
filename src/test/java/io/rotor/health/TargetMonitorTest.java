package io.rotor.health;

import io.rotor.domain.Target;
import io.rotor.domain.TlsMode;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.impl.health.AbstractHealthCheck;
import org.junit.jupiter.api.Test;

import java.net.ConnectException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Target health runs on a schedule and is cached: a health request never opens a connection to a target, so a client
 * cannot make Rotor knock on every target at will; one unreachable target is DOWN without making Rotor unready.
 */
class TargetMonitorTest {

    private static Target target(String id, String host, int port) {
        return new Target(id, "postgresql", host, port, null, TlsMode.VERIFY_FULL, null, null, Map.of());
    }

    @Test
    void manyHealthReadsOpenNoConnectionToTheTarget() throws Exception {
        try (CountingListener listener = new CountingListener(); DefaultCamelContext context = new DefaultCamelContext()) {
            Target local = target("local", "127.0.0.1", listener.port());
            TargetMonitor monitor = new TargetMonitor(() -> List.of(local), TargetMonitor.TCP, Duration.ofHours(1),
                    Duration.ofSeconds(2), Clock.systemUTC());
            monitor.probeAll();
            assertThat(listener.settledCount()).as("one scheduled check, one connection").isEqualTo(1);

            TargetHealthCheck check = new TargetHealthCheck("local", monitor);
            check.setCamelContext(context);
            for (int i = 0; i < 200; i++) {
                assertThat(check.call().getState()).isEqualTo(HealthCheck.State.UP);
                assertThat(monitor.statuses()).hasSize(1);
                assertThat(PublicHealth.answer(List.of(check.call()), PublicHealth.Kind.ALL).status()).isEqualTo(200);
            }
            assertThat(listener.settledCount()).as("health reads add no connection").isEqualTo(1);
        }
    }

    @Test
    void theScheduleChecksAgainOnItsOwnAndEachCheckIsBoundedByTheTimeout() throws Exception {
        CountDownLatch rounds = new CountDownLatch(3);
        AtomicInteger calls = new AtomicInteger();
        TargetMonitor.Probe probe = (t, timeout) -> {
            calls.incrementAndGet();
            if (t.id().equals("hangs")) {
                Thread.sleep(60_000); // a target that never answers; the monitor gives up after the timeout
            }
            rounds.countDown();
        };
        try (TargetMonitor monitor = new TargetMonitor(() -> List.of(target("ok", "a", 1), target("hangs", "b", 2)), probe,
                Duration.ofMillis(100), Duration.ofMillis(200), Clock.systemUTC())) {
            monitor.start();
            assertThat(rounds.await(30, TimeUnit.SECONDS)).as("three rounds ran without any request").isTrue();
            assertThat(monitor.status("ok").orElseThrow().state()).isEqualTo(TargetMonitor.State.UP);
            TargetMonitor.TargetStatus hung = monitor.status("hangs").orElseThrow();
            assertThat(hung.state()).isEqualTo(TargetMonitor.State.DOWN);
            assertThat(hung.reason()).isEqualTo("no answer within 200 ms");
        }
        int afterClose = calls.get();
        assertThat(afterClose).isGreaterThanOrEqualTo(4);
    }

    @Test
    void oneUnreachableTargetIsDownButRotorStaysReadyWhileAVaultDownMakesItUnready() throws Exception {
        TargetMonitor.Probe probe = (t, timeout) -> {
            if (t.id().equals("gone")) {
                throw new ConnectException("Connection refused to " + t.host());
            }
        };
        TargetMonitor monitor = new TargetMonitor(() -> List.of(target("gone", "gone.example", 5432),
                target("here", "here.example", 5432)), probe, Duration.ofMinutes(1), Duration.ofSeconds(1), Clock.systemUTC());
        monitor.probeAll();
        assertThat(monitor.statuses()).extracting(TargetMonitor.TargetStatus::targetId, TargetMonitor.TargetStatus::state)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("gone", TargetMonitor.State.DOWN),
                        org.assertj.core.groups.Tuple.tuple("here", TargetMonitor.State.UP));
        assertThat(monitor.status("gone").orElseThrow().reason()).isEqualTo("ConnectException: Connection refused to gone.example");

        try (DefaultCamelContext context = new DefaultCamelContext()) {
            org.apache.camel.health.HealthCheckRegistry registry = org.apache.camel.health.HealthCheckRegistry.get(context);
            Switch vault = new Switch("vault");
            registry.register(vault);
            registry.register(new TargetHealthCheck("gone", monitor));
            registry.register(new TargetHealthCheck("here", monitor));
            context.start();

            PublicHealth.Answer ready = PublicHealth.answer(context, PublicHealth.Kind.READY);
            PublicHealth.Answer all = PublicHealth.answer(context, PublicHealth.Kind.ALL);
            assertThat(ready.status()).isEqualTo(200);
            assertThat(ready.json()).contains("\"status\":\"UP\"").doesNotContain("target-");
            assertThat(all.status()).isEqualTo(200);
            assertThat(all.json()).contains("{\"name\":\"target-gone\",\"status\":\"DOWN\"}")
                    .contains("{\"name\":\"target-here\",\"status\":\"UP\"}").doesNotContain("gone.example")
                    .doesNotContain("refused");

            vault.up = false;
            assertThat(PublicHealth.answer(context, PublicHealth.Kind.READY).status()).as("vault down: not ready").isEqualTo(503);
            assertThat(PublicHealth.answer(context, PublicHealth.Kind.ALL).json()).startsWith("{\"status\":\"DOWN\"");
        }
    }

    @Test
    void aTargetNotCheckedYetIsUnknownAndATargetRemovedFromTheInventoryIsForgotten() {
        List<Target> inventory = new java.util.ArrayList<>(List.of(target("a", "h", 1), target("b", "h", 2)));
        TargetMonitor monitor = new TargetMonitor(() -> List.copyOf(inventory), (t, timeout) -> { }, Duration.ofMinutes(1),
                Duration.ofSeconds(1), Clock.systemUTC());
        TargetHealthCheck check = new TargetHealthCheck("a", monitor);
        check.setCamelContext(new DefaultCamelContext());
        assertThat(check.call().getState()).isEqualTo(HealthCheck.State.UNKNOWN);
        monitor.probeAll();
        assertThat(check.call().getState()).isEqualTo(HealthCheck.State.UP);
        inventory.remove(1);
        monitor.probeAll();
        assertThat(monitor.statuses()).extracting(TargetMonitor.TargetStatus::targetId).containsExactly("a");
    }

    @Test
    void badSettingsAreRefusedByName() {
        Properties settings = new Properties();
        settings.setProperty(TargetMonitor.INTERVAL_SETTING, "0");
        assertThatThrownBy(() -> TargetMonitor.fromSettings(settings, List::of))
                .hasMessageContaining(TargetMonitor.INTERVAL_SETTING).hasMessageContaining("'0'");
        settings.setProperty(TargetMonitor.INTERVAL_SETTING, "15");
        settings.setProperty(TargetMonitor.TIMEOUT_SETTING, "soon");
        assertThatThrownBy(() -> TargetMonitor.fromSettings(settings, List::of)).hasMessageContaining(TargetMonitor.TIMEOUT_SETTING);
        settings.setProperty(TargetMonitor.TIMEOUT_SETTING, "3");
        TargetMonitor monitor = TargetMonitor.fromSettings(settings, List::of);
        assertThat(monitor.interval()).isEqualTo(Duration.ofSeconds(15));
        assertThat(monitor.timeout()).isEqualTo(Duration.ofSeconds(3));
    }

    /** A readiness and liveness check whose state the test sets (the vault's, here). */
    static final class Switch extends AbstractHealthCheck {
        volatile boolean up = true;

        Switch(String id) {
            super("rotor", id);
        }

        @Override
        protected void doCall(org.apache.camel.health.HealthCheckResultBuilder builder, Map<String, Object> options) {
            if (up) {
                builder.up();
            } else {
                builder.message("vault database unreachable: jdbc:postgresql://vault-db.internal:5432").down();
            }
        }
    }
}
