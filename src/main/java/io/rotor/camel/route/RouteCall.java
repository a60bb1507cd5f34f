package io.rotor.camel.route;

import io.rotor.domain.Secret;

import java.time.Duration;
import java.util.Map;

/**
 * One call of a route connector's route: the headers of {@link RouteContract} as values and the secrets by their
 * property name. {@code toString()} shows no secret.
 */
public record RouteCall(RouteContract.Operation operation, String targetId, String host, int port, String accountId,
                        String username, String adminUsername, String filter, Map<String, Secret> secrets,
                        Duration requestTimeout, Duration callTimeout) {
    public RouteCall {
        java.util.HashMap<String, Secret> present = new java.util.HashMap<>();
        if (secrets != null) {
            secrets.forEach((name, secret) -> {
                if (!RouteContract.SECRET_PROPERTIES.contains(name)) {
                    throw new IllegalArgumentException("not a secret property of the route contract: " + name);
                }
                if (secret != null) {
                    present.put(name, secret);
                }
            });
        }
        secrets = Map.copyOf(present);
    }

    @Override
    public String toString() {
        return "RouteCall[" + operation + " " + targetId + " " + username + ", secrets " + new java.util.TreeSet<>(secrets.keySet()) + "]";
    }
}
