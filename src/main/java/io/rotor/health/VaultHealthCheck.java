package io.rotor.health;

import io.rotor.vault.VaultProbe;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

import java.util.Map;
import java.util.OptionalLong;

/** DOWN when the vault database cannot be queried or has no keyset. */
public class VaultHealthCheck extends AbstractHealthCheck {
    private final VaultProbe vault;

    public VaultHealthCheck(VaultProbe vault) {
        super("rotor", "vault");
        this.vault = vault;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        try {
            OptionalLong generation = vault.keysetGeneration();
            if (generation.isPresent()) {
                builder.detail("keyset.generation", generation.getAsLong()).up();
            } else {
                builder.message("the vault has no keyset").down();
            }
        } catch (Exception e) {
            builder.message("vault database unreachable: " + e.getMessage()).down();
        }
    }
}
