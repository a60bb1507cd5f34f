package io.rotor.workflow;

import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Caps how many operations run at once against each target, however many batches run in parallel: one fair
 * semaphore per target id, sized from a map (per target) or a default.
 *
 * <pre>
 *   try (PerTargetLimiter.Permit p = limiter.enter(targetId)) {
 *       ... talk to the target ...
 *   }
 * </pre>
 * or, where taking and giving back happen in separate route steps, {@link #acquire} then {@link #release}
 * (always in a {@code doFinally}).
 *
 * <p>Configuration (see {@link #fromProperties}): {@code rotor.workflow.target-concurrency.default = 8},
 * {@code rotor.workflow.target-concurrency.<target-id> = 2}.
 */
public final class PerTargetLimiter {
    public static final String PROPERTY_PREFIX = "rotor.workflow.target-concurrency.";
    public static final int DEFAULT_LIMIT = 8;

    private final int defaultLimit;
    private final Map<String, Integer> limits;
    private final ConcurrentHashMap<String, Gate> gates = new ConcurrentHashMap<>();

    /**
     * @param defaultLimit the limit of a target that {@code limits} does not name (at least 1)
     * @param limits       limits per target id (each at least 1)
     */
    public PerTargetLimiter(int defaultLimit, Map<String, Integer> limits) {
        if (defaultLimit < 1) {
            throw new IllegalArgumentException("the default per-target concurrency must be at least 1 (got " + defaultLimit + ")");
        }
        limits.forEach((target, limit) -> {
            if (limit == null || limit < 1) {
                throw new IllegalArgumentException("the concurrency of target '" + target + "' must be at least 1 (got " + limit + ")");
            }
        });
        this.defaultLimit = defaultLimit;
        this.limits = Map.copyOf(limits);
    }

    /**
     * Reads {@code rotor.workflow.target-concurrency.default} (else {@value #DEFAULT_LIMIT}) and
     * {@code rotor.workflow.target-concurrency.<target-id>} entries.
     */
    public static PerTargetLimiter fromProperties(Properties properties) {
        int defaultLimit = DEFAULT_LIMIT;
        Map<String, Integer> limits = new java.util.HashMap<>();
        for (String key : properties.stringPropertyNames()) {
            if (!key.startsWith(PROPERTY_PREFIX)) {
                continue;
            }
            String target = key.substring(PROPERTY_PREFIX.length());
            String value = properties.getProperty(key).trim();
            if (value.isEmpty()) {
                continue;
            }
            int limit;
            try {
                limit = Integer.parseInt(value);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("setting " + key + " must be a whole number, not '" + value + "'");
            }
            if ("default".equals(target)) {
                defaultLimit = limit;
            } else {
                limits.put(target, limit);
            }
        }
        return new PerTargetLimiter(defaultLimit, limits);
    }

    /** The limit that applies to {@code targetId}. */
    public int limit(String targetId) {
        return limits.getOrDefault(targetId, defaultLimit);
    }

    /** Operations running now against {@code targetId}. */
    public int inFlight(String targetId) {
        Gate gate = gates.get(targetId);
        return gate == null ? 0 : gate.inFlight.get();
    }

    /**
     * A slot for background work that yields (the heartbeat): empty, without waiting, when other work runs against
     * {@code targetId} (a bulk job's accounts hold its slots) or no slot is free. Close the permit to give it back.
     */
    public java.util.Optional<Permit> tryEnterYielding(String targetId) {
        Gate gate = gate(targetId);
        if (gate.inFlight.get() > gate.yielding.get() || !gate.semaphore.tryAcquire()) {
            return java.util.Optional.empty();
        }
        gate.yielding.incrementAndGet();
        gate.inFlight.incrementAndGet();
        return java.util.Optional.of(new Permit(this, targetId, true));
    }

    /** True when work other than yielding background work runs against {@code targetId} now. */
    public boolean busyWithOtherWork(String targetId) {
        Gate gate = gates.get(targetId);
        return gate != null && gate.inFlight.get() > gate.yielding.get();
    }

    /** Waits for a slot on {@code targetId}; pair it with {@link #release}. */
    public void acquire(String targetId) throws InterruptedException {
        Gate gate = gate(targetId);
        gate.semaphore.acquire();
        gate.inFlight.incrementAndGet();
    }

    /** Waits at most {@code timeout} for a slot; false when none came free (then do not release). */
    public boolean tryAcquire(String targetId, Duration timeout) throws InterruptedException {
        Gate gate = gate(targetId);
        if (!gate.semaphore.tryAcquire(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
            return false;
        }
        gate.inFlight.incrementAndGet();
        return true;
    }

    /**
     * Gives back a slot taken by {@link #acquire}.
     *
     * @throws IllegalStateException when no slot of that target is held (a release without an acquire would
     *                               otherwise raise the limit for good)
     */
    public void release(String targetId) {
        Gate gate = gates.get(targetId);
        if (gate == null || gate.inFlight.getAndUpdate(n -> n > 0 ? n - 1 : n) == 0) {
            throw new IllegalStateException("release of target '" + targetId + "' without a matching acquire");
        }
        gate.semaphore.release();
    }

    /** {@link #acquire} as a try-with-resources permit that releases exactly once. */
    public Permit enter(String targetId) throws InterruptedException {
        acquire(targetId);
        return new Permit(this, targetId, false);
    }

    private Gate gate(String targetId) {
        if (targetId == null) {
            throw new IllegalArgumentException("a target id is needed");
        }
        return gates.computeIfAbsent(targetId, id -> new Gate(limit(id)));
    }

    private static final class Gate {
        final Semaphore semaphore;
        final AtomicInteger inFlight = new AtomicInteger();
        /** Of {@link #inFlight}, the slots held by yielding background work ({@link #tryEnterYielding}). */
        final AtomicInteger yielding = new AtomicInteger();

        Gate(int limit) {
            this.semaphore = new Semaphore(limit, true);
        }
    }

    /** One held slot; {@link #close} gives it back (once). */
    public static final class Permit implements AutoCloseable {
        private final PerTargetLimiter limiter;
        private final String targetId;
        private final boolean yielding;
        private final java.util.concurrent.atomic.AtomicBoolean open = new java.util.concurrent.atomic.AtomicBoolean(true);

        private Permit(PerTargetLimiter limiter, String targetId, boolean yielding) {
            this.limiter = limiter;
            this.targetId = targetId;
            this.yielding = yielding;
        }

        public String targetId() {
            return targetId;
        }

        @Override
        public void close() {
            if (open.compareAndSet(true, false)) {
                // inFlight first, then yielding: in between, nobody sees other work that is not there
                limiter.release(targetId);
                if (yielding) {
                    limiter.gates.get(targetId).yielding.decrementAndGet();
                }
            }
        }
    }
}
