package io.rotor.connector;

import io.rotor.domain.Secret;
import io.rotor.domain.Target;

/** Set {@code username}'s credential to {@code newSecret} through the admin login, old value unknown. */
public record ReconcileRequest(Target target, String username, Secret newSecret, Login admin) {
}
