package io.rotor.api;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Semaphore;

/**
 * Brute-force and denial-of-service limits for API logins (docs/api.md, "Login limits"), in memory: they start
 * empty when Rotor starts and are not shared between Rotor processes.
 *
 * <p>Each key — a principal ({@code principal:deployer}) or a client address ({@code address:10.0.0.7}) — may fail
 * {@code maxFailures} times within {@code window}; the failure that reaches the limit locks the key for
 * {@code window}, and each further lockout of the same key doubles that, up to {@code maxLockout}. While a key is
 * locked every attempt with it is refused before any password is checked, even with the right password. A success
 * clears the principal's failures (not the address's: one good account must not launder an address's guessing).
 * A key's lockout count is forgotten once it has had no failure for {@code maxLockout}.
 *
 * <p>Refused attempts during a lockout are counted, not audited one by one: the caller audits the start of a
 * lockout and, with it, how many attempts the previous lockout of that key refused ({@link Lockout#refusedBefore}).
 *
 * <p>Password checks (PBKDF2, deliberately slow) run at most {@code maxConcurrentChecks} at a time; a check that
 * finds no free slot is refused at once ({@link #tryStartCheck}) instead of waiting in an unbounded queue.
 */
public final class LoginThrottle {
    /** How long a client should wait when every password-check slot is busy. */
    public static final Duration BUSY_RETRY_AFTER = Duration.ofSeconds(1);
    /** More keys than this and the ones with nothing to remember are dropped (bounds memory under a flood). */
    static final int KEY_LIMIT = 100_000;

    private final Clock clock;
    private final int maxFailures;
    private final Duration window;
    private final Duration maxLockout;
    private final Semaphore checks;
    private final Map<String, KeyState> keys = new HashMap<>();

    public LoginThrottle(Clock clock, int maxFailures, Duration window, Duration maxLockout, int maxConcurrentChecks) {
        if (maxFailures < 1 || window.isNegative() || window.isZero() || maxLockout.compareTo(window) < 0
                || maxConcurrentChecks < 1) {
            throw new IllegalArgumentException("login limits: max-failures and max-concurrent-checks must be at least 1,"
                    + " the window positive and max-lockout at least the window");
        }
        this.clock = clock;
        this.maxFailures = maxFailures;
        this.window = window;
        this.maxLockout = maxLockout;
        this.checks = new Semaphore(maxConcurrentChecks);
    }

    /** The defaults: 5 failures in 15 minutes, lockouts up to 24 hours, 4 password checks at a time. */
    public static LoginThrottle defaults(Clock clock) {
        return new LoginThrottle(clock, 5, Duration.ofMinutes(15), Duration.ofHours(24), 4);
    }

    /**
     * From {@code rotor.api.login.max-failures} (5), {@code rotor.api.login.window-minutes} (15),
     * {@code rotor.api.login.max-lockout-minutes} (1440) and {@code rotor.api.login.max-concurrent-checks} (4).
     */
    public static LoginThrottle fromProperties(java.util.Properties properties, Clock clock) {
        return new LoginThrottle(clock, number(properties, "rotor.api.login.max-failures", 5),
                Duration.ofMinutes(number(properties, "rotor.api.login.window-minutes", 15)),
                Duration.ofMinutes(number(properties, "rotor.api.login.max-lockout-minutes", 1440)),
                number(properties, "rotor.api.login.max-concurrent-checks", 4));
    }

    private static int number(java.util.Properties properties, String key, int fallback) {
        String value = properties.getProperty(key);
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be a whole number (got '" + value.trim() + "')");
        }
    }

    /**
     * A lockout that has just begun: the key or keys (comma-separated) it locks, for how long (the longest), and
     * how many attempts the previous lockout of those keys refused (the most of any).
     */
    public record Lockout(String key, Duration duration, int refusedBefore) {
    }

    private static final class KeyState {
        final Deque<Instant> failures = new ArrayDeque<>();
        Instant lockedUntil = Instant.MIN;
        Instant lastFailure = Instant.MIN;
        int lockouts;
        int refusedWhileLocked;
    }

    /**
     * The cheap pre-check: how long the caller must wait when any of {@code keys} (null ones are skipped) is
     * locked; empty when the attempt may go on. A refused attempt is counted against the lockout, not audited.
     */
    public synchronized Optional<Duration> retryAfter(String... keys) {
        Instant now = clock.instant();
        Duration longest = null;
        for (String key : keys) {
            KeyState state = key == null ? null : this.keys.get(key);
            if (state != null && now.isBefore(state.lockedUntil)) {
                state.refusedWhileLocked++;
                Duration left = Duration.between(now, state.lockedUntil);
                longest = longest == null || left.compareTo(longest) > 0 ? left : longest;
            }
        }
        return Optional.ofNullable(longest);
    }

    /** Records one failed attempt for each of {@code keys}; answers the lockout it starts, if any. */
    public synchronized Optional<Lockout> failed(String... keys) {
        Instant now = clock.instant();
        Lockout started = null;
        for (String key : keys) {
            if (key == null) {
                continue;
            }
            KeyState state = this.keys.computeIfAbsent(key, k -> new KeyState());
            if (Duration.between(state.lastFailure, now).compareTo(maxLockout) > 0) {
                state.lockouts = 0;
            }
            state.lastFailure = now;
            while (!state.failures.isEmpty() && !state.failures.peekFirst().isAfter(now.minus(window))) {
                state.failures.removeFirst();
            }
            state.failures.addLast(now);
            if (state.failures.size() >= maxFailures && !now.isBefore(state.lockedUntil)) {
                Duration duration = lockoutFor(state.lockouts);
                state.lockouts++;
                state.lockedUntil = now.plus(duration);
                state.failures.clear();
                started = started == null ? new Lockout(key, duration, state.refusedWhileLocked)
                        : new Lockout(started.key() + ", " + key, max(started.duration(), duration),
                        Math.max(started.refusedBefore(), state.refusedWhileLocked));
                state.refusedWhileLocked = 0;
            }
        }
        evictIfFull(now);
        return Optional.ofNullable(started);
    }

    /** A success: the principal's failures are forgotten. */
    public synchronized void succeeded(String principalKey) {
        if (principalKey != null) {
            keys.remove(principalKey);
        }
    }

    /** Takes a password-check slot; false when all are busy. Give it back with {@link #endCheck}. */
    public boolean tryStartCheck() {
        return checks.tryAcquire();
    }

    public void endCheck() {
        checks.release();
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    private Duration lockoutFor(int earlierLockouts) {
        Duration duration = window;
        for (int i = 0; i < earlierLockouts && duration.compareTo(maxLockout) < 0; i++) {
            duration = duration.multipliedBy(2);
        }
        return duration.compareTo(maxLockout) > 0 ? maxLockout : duration;
    }

    private void evictIfFull(Instant now) {
        if (keys.size() <= KEY_LIMIT) {
            return;
        }
        keys.values().removeIf(s -> !now.isBefore(s.lockedUntil) && Duration.between(s.lastFailure, now).compareTo(window) > 0);
        if (keys.size() > KEY_LIMIT) {
            // still full of live keys: forget unlocked ones first, so locks in force survive a flood of new keys
            keys.values().removeIf(s -> !now.isBefore(s.lockedUntil));
        }
    }

    public static String principalKey(String username) {
        return username == null ? null : "principal:" + username;
    }

    public static String addressKey(String address) {
        return address == null || address.isBlank() ? null : "address:" + address;
    }
}
