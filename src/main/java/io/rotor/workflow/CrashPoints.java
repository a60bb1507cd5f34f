package io.rotor.workflow;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Test-only fault injection: {@code -Drotor.test.halt-at=STEP:N} halts the JVM (no shutdown hooks, like a power
 * cut of the process) the N-th time any rotation reaches protocol boundary STEP. The crash-safety test uses it
 * to kill a worker at each step boundary; without the property this does nothing.
 */
public final class CrashPoints {
    public enum Step { LOCKED, PENDING_COMMITTED, TARGET_CHANGED, VERIFIED, COMMITTED }

    public static final String PROPERTY = "rotor.test.halt-at";
    public static final int HALT_STATUS = 99;

    private static final Step HALT_STEP;
    private static final int HALT_AT;
    private static final Map<Step, AtomicInteger> REACHED = new ConcurrentHashMap<>();

    static {
        String spec = System.getProperty(PROPERTY);
        Step step = null;
        int at = 0;
        if (spec != null && !spec.isBlank()) {
            String[] parts = spec.split(":");
            step = Step.valueOf(parts[0].trim());
            at = parts.length > 1 ? Integer.parseInt(parts[1].trim()) : 1;
        }
        HALT_STEP = step;
        HALT_AT = at;
    }

    private CrashPoints() {
    }

    public static void reached(Step step) {
        if (HALT_STEP != step) {
            return;
        }
        if (REACHED.computeIfAbsent(step, s -> new AtomicInteger()).incrementAndGet() == HALT_AT) {
            Runtime.getRuntime().halt(HALT_STATUS);
        }
    }
}
