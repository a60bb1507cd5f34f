package io.rotor.health;

import io.rotor.domain.Target;
import io.rotor.domain.TlsMode;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Map;

/**
 * DOWN when the target's port does not accept a TCP connection. It deliberately does not log in: a health
 * probe every few seconds must not count against an account's lockout limit or fill the audit trail.
 * A target whose transport has TLS but runs with {@code tls: disable} is flagged (detail {@code target.tls.warning}
 * and the message): its passwords cross the network in clear.
 */
public class TargetHealthCheck extends AbstractHealthCheck {
    private static final int TIMEOUT_MILLIS = 2_000;
    public static final String CLEAR_TEXT_WARNING = "tls: disable - passwords cross the network in clear";
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
        builder.detail("target.type", target.type()).detail("target.address", target.host() + ":" + target.port())
                .detail("target.tls", target.tlsMode().configName());
        boolean clearText = target.tlsMode() == TlsMode.DISABLE && TlsMode.supported(target.type());
        if (clearText) {
            builder.detail("target.tls.warning", CLEAR_TEXT_WARNING);
        }
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(target.host(), target.port()), TIMEOUT_MILLIS);
            if (clearText) {
                builder.message(CLEAR_TEXT_WARNING);
            }
            builder.up();
        } catch (Exception e) {
            builder.message("cannot reach " + target.host() + ":" + target.port() + ": " + e.getMessage()).down();
        }
    }
}
