package io.rotor.workflow;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.camel.CamelContext;

import java.time.Duration;
import java.util.Set;

/**
 * Rotor's own meters, published with Camel's on {@code /observe/metrics}: {@code rotor_operations_total} by
 * operation and outcome (rotations by outcome are {@code operation="rotate"}) and
 * {@code rotor_target_latency_seconds} per target and call.
 */
public class RotorMetrics {
    private volatile MeterRegistry registry = new SimpleMeterRegistry();

    /** Publishes to the engine's registry (the Prometheus one when camel.metrics.enabled=true). */
    public void attach(CamelContext camelContext) {
        Set<MeterRegistry> found = camelContext.getRegistry().findByType(MeterRegistry.class);
        found.stream().filter(r -> r.getClass().getSimpleName().contains("Prometheus")).findFirst()
                .or(() -> found.stream().findFirst())
                .ifPresent(r -> registry = r);
    }

    public void operation(String operation, String outcome) {
        registry.counter("rotor.operations", "operation", operation, "outcome", outcome).increment();
    }

    public void targetLatency(String targetId, String call, Duration duration) {
        Timer.builder("rotor.target.latency").tag("target", targetId).tag("call", call)
                .register(registry).record(duration);
    }

    public MeterRegistry registry() {
        return registry;
    }
}
