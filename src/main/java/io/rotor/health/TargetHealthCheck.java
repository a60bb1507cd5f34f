package io.rotor.health;

import io.rotor.domain.Target;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Map;

/**
 * DOWN when the target's port does not accept a TCP connection. It deliberately does not log in: a health
 * probe every few seconds must not count against an account's lockout limit or fill the audit trail.
 */
public class TargetHealthCheck extends AbstractHealthCheck {
    private static final int TIMEOUT_MILLIS = 2_000;
    private final Target target;

    public TargetHealthCheck(Target target) {
        super("rotor", "target-" + target.id());
        this.target = target;
    }

    @Override
    public boolean isLiveness() {
        // an unreachable target does not make Rotor itself unhealthy; it only makes it not ready for that target
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        builder.detail("target.type", target.type()).detail("target.address", target.host() + ":" + target.port());
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(target.host(), target.port()), TIMEOUT_MILLIS);
            builder.up();
        } catch (Exception e) {
            builder.message("cannot reach " + target.host() + ":" + target.port() + ": " + e.getMessage()).down();
        }
    }
}
