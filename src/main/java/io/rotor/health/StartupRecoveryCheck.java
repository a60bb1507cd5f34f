package io.rotor.health;

import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

import java.util.Map;

/**
 * Not ready until start-up recovery has settled every crash leftover: the HTTP server is already listening
 * while recovery runs, and nothing should treat Rotor as ready (or send it work) before then.
 */
public class StartupRecoveryCheck extends AbstractHealthCheck {
    private volatile boolean done;

    public StartupRecoveryCheck() {
        super("rotor", "startup-recovery");
    }

    public void markDone() {
        done = true;
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        if (done) {
            builder.up();
        } else {
            builder.message("start-up recovery is still running").down();
        }
    }
}
