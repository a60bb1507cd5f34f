package io.rotor.connector;

import io.rotor.domain.Secret;
import io.rotor.domain.Target;

/**
 * Set {@code username}'s credential to {@code newSecret} through the admin login, old value unknown.
 *
 * @param elevation the login account and enable secret of the admin change; never null ({@link Elevation#NONE})
 * @param accountId the vault account being set, for connectors that hand it on (route connectors); may be null
 */
public record ReconcileRequest(Target target, String username, Secret newSecret, Login admin, Elevation elevation,
                               String accountId) {
    public ReconcileRequest {
        elevation = elevation == null ? Elevation.NONE : elevation;
    }

    public ReconcileRequest(Target target, String username, Secret newSecret, Login admin, Elevation elevation) {
        this(target, username, newSecret, admin, elevation, null);
    }

    public ReconcileRequest(Target target, String username, Secret newSecret, Login admin) {
        this(target, username, newSecret, admin, Elevation.NONE);
    }
}
