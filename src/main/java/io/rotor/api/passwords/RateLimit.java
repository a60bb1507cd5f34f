package io.rotor.api.passwords;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A per-principal limit on the password self-service's calls: at most {@code limit} calls per {@code window}
 * (a fixed window per key). A refused call learns how long to wait ({@code Retry-After}).
 */
public final class RateLimit {
    private static final int MAX_KEYS = 10_000;

    private final int limit;
    private final Duration window;
    private final Clock clock;
    private final Map<String, Window> windows = new ConcurrentHashMap<>();

    private record Window(Instant start, int count) {
    }

    public RateLimit(int limit, Duration window, Clock clock) {
        if (limit < 1 || window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("rotor.password-management.rate-limit: a limit of at least 1 per a positive window");
        }
        this.limit = limit;
        this.window = window;
        this.clock = clock;
    }

    /** Counts one call of {@code key}; @return the wait before the next allowed call when this one is refused */
    public Optional<Duration> tryAcquire(String key) {
        Instant now = clock.instant();
        if (windows.size() > MAX_KEYS) {
            windows.entrySet().removeIf(e -> !e.getValue().start().plus(window).isAfter(now));
        }
        Window w = windows.compute(key, (k, old) -> old == null || !old.start().plus(window).isAfter(now)
                ? new Window(now, 1) : new Window(old.start(), old.count() + 1));
        if (w.count() <= limit) {
            return Optional.empty();
        }
        return Optional.of(Duration.between(now, w.start().plus(window)));
    }
}
