package io.rotor.api;

import io.rotor.domain.Role;

/**
 * Who made an API request, once authenticated.
 *
 * @param kind {@code token} (Bearer) or {@code service-account} (HTTP Basic)
 * @param name the token's name or the service account's username
 */
public record Principal(String kind, String name, Role role) {
    public static final String TOKEN = "token";
    public static final String SERVICE_ACCOUNT = "service-account";
    /** A route of the engine itself, through the {@code rotor} Camel component; {@code name} is the route id. */
    public static final String ROUTE = "route";

    /**
     * How the principal appears in the audit trail and as the holder of a checkout, e.g. {@code api:token:ci}, or
     * {@code route:offboarding-events} for a route using the {@code rotor} component.
     */
    public String actor() {
        return ROUTE.equals(kind) ? "route:" + name : "api:" + kind + ":" + name;
    }
}
