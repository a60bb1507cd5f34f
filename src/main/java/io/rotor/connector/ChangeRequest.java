package io.rotor.connector;

import io.rotor.domain.Secret;
import io.rotor.domain.Target;

/**
 * Change {@code username}'s credential to {@code newSecret}.
 *
 * @param current   the account's own current credential (used for self-rotation), may be null with an admin
 * @param admin     the target's admin login; when present the change goes through it, else self-rotation
 * @param elevation the login account and enable secret of an admin change; never null ({@link Elevation#NONE})
 * @param accountId the vault account being changed, for connectors that hand it on (route connectors); may be null
 */
public record ChangeRequest(Target target, String username, Secret current, Secret newSecret, Login admin,
                            Elevation elevation, String accountId) {
    public ChangeRequest {
        elevation = elevation == null ? Elevation.NONE : elevation;
    }

    public ChangeRequest(Target target, String username, Secret current, Secret newSecret, Login admin,
                         Elevation elevation) {
        this(target, username, current, newSecret, admin, elevation, null);
    }

    public ChangeRequest(Target target, String username, Secret current, Secret newSecret, Login admin) {
        this(target, username, current, newSecret, admin, Elevation.NONE);
    }

    public boolean viaAdmin() {
        return admin != null;
    }
}
