package io.rotor.connector;

import io.rotor.domain.Target;

/** @param filter connector-specific selection (a LIKE pattern for databases), may be null */
public record DiscoverRequest(Target target, Login admin, String filter) {
}
