package io.rotor.health;

import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Map;

/** DOWN when the vault database cannot be queried or has no keyset. */
public class VaultHealthCheck extends AbstractHealthCheck {
    private final DataSource dataSource;

    public VaultHealthCheck(DataSource dataSource) {
        super("rotor", "vault");
        this.dataSource = dataSource;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("SELECT generation FROM vault_keyset WHERE id = 1");
             ResultSet r = s.executeQuery()) {
            if (r.next()) {
                builder.detail("keyset.generation", r.getLong(1)).up();
            } else {
                builder.message("the vault has no keyset").down();
            }
        } catch (Exception e) {
            builder.message("vault database unreachable: " + e.getMessage()).down();
        }
    }
}
