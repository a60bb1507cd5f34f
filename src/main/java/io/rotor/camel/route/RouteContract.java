package io.rotor.camel.route;

import java.util.Set;

/**
 * The exchange contract between Rotor and a route connector's routes (docs/architecture.md, "Route connectors"):
 * what Rotor puts on the exchange it sends to a target's {@code change} / {@code verify} / {@code reconcile} /
 * {@code discover} endpoint, and what the route answers.
 *
 * <p>Headers hold names and ids only. Secrets travel only as exchange properties holding a
 * {@link io.rotor.domain.Secret}, whose {@code toString()} is a mask, so message history, tracing and Camel's
 * error log show {@code ****}; the route renders them into a request with {@code rotorRouteBodies}
 * ({@link RouteBodies}), whose body prints as a mask too.
 */
public final class RouteContract {
    private RouteContract() {
    }

    // ---- in: headers (never a secret)
    public static final String OPERATION = "RotorOperation";
    public static final String ACCOUNT_ID = "RotorAccountId";
    public static final String USERNAME = "RotorUsername";
    public static final String TARGET_ID = "RotorTargetId";
    public static final String TARGET_HOST = "RotorTargetHost";
    public static final String TARGET_PORT = "RotorTargetPort";
    /** The admin login's username, when the change or reconcile goes through the target's admin account. */
    public static final String ADMIN_USERNAME = "RotorAdminUsername";
    /** The discover filter, when one was given. */
    public static final String DISCOVER_FILTER = "RotorDiscoverFilter";
    /** How long each request the route makes may take (the target's timeoutSeconds), in milliseconds. */
    public static final String TIMEOUT_MILLIS = "RotorTimeoutMillis";

    // ---- in: exchange properties holding io.rotor.domain.Secret
    /** The account's own CURRENT credential (self-change); for verify, the credential under test. */
    public static final String CURRENT_SECRET = "RotorCurrentSecret";
    /** The credential to set (change, reconcile). */
    public static final String NEW_SECRET = "RotorNewSecret";
    /** The admin login's secret, when the change or reconcile goes through the admin account. */
    public static final String ADMIN_SECRET = "RotorAdminSecret";
    public static final Set<String> SECRET_PROPERTIES = Set.of(CURRENT_SECRET, NEW_SECRET, ADMIN_SECRET);

    // ---- out
    /**
     * Exchange property the route sets: {@code false} while nothing that could change the target has been sent,
     * {@code true} just before the change request goes out. An exception with it {@code false} is REJECTED; with
     * it {@code true} or never set, UNKNOWN (the conservative default).
     */
    public static final String REQUEST_SENT = "RotorRequestSent";
    /** Header: CHANGED, REJECTED or UNKNOWN (change, reconcile); VALID, REJECTED or UNREACHABLE (verify). */
    public static final String OUTCOME = "RotorOutcome";
    /** Header: why, in words (never a secret; Rotor redacts it anyway). */
    public static final String REASON = "RotorReason";
    /** Header, {@code true} on a REJECTED change: the login the change needed was refused, nothing was offered. */
    public static final String LOGIN_REFUSED = "RotorLoginRefused";
    // discover answers its body: a collection of usernames (or text, one per line)

    /** The operations and the setting that names each one's endpoint. */
    public enum Operation {
        CHANGE("change"), VERIFY("verify"), RECONCILE("reconcile"), DISCOVER("discover");

        private final String setting;

        Operation(String setting) {
            this.setting = setting;
        }

        public String setting() {
            return setting;
        }
    }
}
