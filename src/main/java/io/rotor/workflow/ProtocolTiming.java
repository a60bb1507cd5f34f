package io.rotor.workflow;

import java.time.Duration;

/**
 * The protocol's clocks (docs/architecture.md, "Leases" and "Unknown outcomes").
 *
 * @param lease              how long an account lock lives without renewal; a crashed process's locks free up after
 *                           at most this long (setting {@code rotor.rotation.lock-lifetime-seconds})
 * @param callTimeout        the longest one connector call may take; the connectors' own timeouts must fit in it
 *                           ({@code rotor.rotation.call-timeout-seconds})
 * @param maxHold            the longest a live operation keeps renewing its lease; past it the renewal stops, so a
 *                           hung operation cannot hold an account for ever ({@code rotor.rotation.max-hold-seconds})
 * @param unknownQuietPeriod how long after PENDING was written a change whose outcome is unknown may still land on
 *                           the target; until then recovery keeps PENDING even when CURRENT still works
 *                           ({@code rotor.rotation.unknown-quiet-seconds})
 */
public record ProtocolTiming(Duration lease, Duration callTimeout, Duration maxHold, Duration unknownQuietPeriod) {
    /** Logins and admin calls of a recovery after the attempts: PENDING, CURRENT, PREVIOUS, an admin change, a verify. */
    static final int RECOVERY_CALLS = 5;

    public ProtocolTiming {
        requirePositive("rotor.rotation.lock-lifetime-seconds", lease);
        requirePositive("rotor.rotation.call-timeout-seconds", callTimeout);
        requirePositive("rotor.rotation.max-hold-seconds", maxHold);
        if (unknownQuietPeriod == null || unknownQuietPeriod.isNegative()) {
            throw new IllegalArgumentException("rotor.rotation.unknown-quiet-seconds must be 0 or more");
        }
    }

    /** The defaults of {@code config/application.properties} with the given lease. */
    public static ProtocolTiming defaults(Duration lease) {
        return new ProtocolTiming(lease, Duration.ofSeconds(40), Duration.ofSeconds(900), Duration.ofSeconds(60));
    }

    /** The worst-case duration of one operation: each attempt a change and a verify, then a full recovery. */
    public Duration worstCase(int maxAttempts) {
        return callTimeout.multipliedBy(2L * Math.max(1, maxAttempts) + RECOVERY_CALLS);
    }

    /**
     * Refuses, at configuration time, settings under which a live operation could outlast the renewal of its lease
     * and have its account taken over while it still talks to the target.
     *
     * @throws IllegalArgumentException naming the settings
     */
    public ProtocolTiming requireFits(int maxAttempts) {
        Duration worst = worstCase(maxAttempts);
        if (worst.compareTo(maxHold) > 0) {
            throw new IllegalArgumentException("an operation may take up to " + worst.toSeconds() + " s (rotor.rotation.max-attempts "
                    + maxAttempts + " × 2 calls + " + RECOVERY_CALLS + " recovery calls, each up to rotor.rotation.call-timeout-seconds "
                    + callTimeout.toSeconds() + " s), more than rotor.rotation.max-hold-seconds (" + maxHold.toSeconds()
                    + " s), the longest a lease is renewed; raise max-hold-seconds or lower the attempts or the call timeout");
        }
        if (renewalPeriod().compareTo(Duration.ofMillis(100)) < 0) {
            throw new IllegalArgumentException("rotor.rotation.lock-lifetime-seconds must be at least 1 s");
        }
        return this;
    }

    /** The lease is renewed three times per lifetime, so two missed renewals still leave it alive. */
    Duration renewalPeriod() {
        return lease.dividedBy(3);
    }

    private static void requirePositive(String setting, Duration value) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(setting + " must be more than 0");
        }
    }
}
