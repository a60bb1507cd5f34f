package io.rotor.health;

import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

import java.util.Map;
import java.util.Optional;

/**
 * One target's state as {@link TargetMonitor} last saw it: the check reads the monitor's answer and never opens a
 * connection. It is neither a liveness nor a readiness check: an unreachable target is DOWN here and in the detailed
 * view, but Rotor itself stays ready (it serves the other targets). A target whose transport has TLS but runs with
 * {@code tls: disable} is flagged (detail {@code target.tls.warning} and the message): its passwords cross the
 * network in clear. The check holds no address and no error text: those are in the authenticated
 * {@code GET /api/v1/health/targets}.
 */
public class TargetHealthCheck extends AbstractHealthCheck {
    public static final String CLEAR_TEXT_WARNING = "tls: disable - passwords cross the network in clear";
    private final String targetId;
    private final TargetMonitor monitor;

    public TargetHealthCheck(String targetId, TargetMonitor monitor) {
        super("rotor", "target-" + targetId);
        this.targetId = targetId;
        this.monitor = monitor;
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    public boolean isReadiness() {
        // one unreachable target must not take the whole server out of a load balancer
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        Optional<TargetMonitor.TargetStatus> last = monitor.status(targetId);
        if (last.isEmpty()) {
            builder.message("not checked yet").unknown();
            return;
        }
        TargetMonitor.TargetStatus status = last.get();
        builder.detail("target.type", status.type()).detail("target.tls", status.tls());
        if (status.tlsWarning() != null) {
            builder.detail("target.tls.warning", status.tlsWarning());
        }
        if (status.state() == TargetMonitor.State.UP) {
            if (status.tlsWarning() != null) {
                builder.message(status.tlsWarning());
            }
            builder.up();
        } else {
            builder.message("unreachable (the reason: GET /api/v1/health/targets)").down();
        }
    }
}
