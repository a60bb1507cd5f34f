package io.rotor.workflow;

import java.util.EnumMap;
import java.util.Map;

/**
 * Outcomes of a large split counted, not kept: the heartbeat round at 100,000 accounts must not hold every result
 * (compare {@link OperationTally}, which keeps them for the small splits whose callers read them).
 */
public final class OutcomeCounts {
    private final EnumMap<OperationResult.Outcome, Long> counts = new EnumMap<>(OperationResult.Outcome.class);

    /** Counts one result (the aggregation calls it one exchange at a time). */
    public synchronized OutcomeCounts add(OperationResult result) {
        counts.merge(result.outcome(), 1L, Long::sum);
        return this;
    }

    public synchronized Map<OperationResult.Outcome, Long> counts() {
        return new EnumMap<>(counts);
    }

    public synchronized long total() {
        return counts.values().stream().mapToLong(Long::longValue).sum();
    }

    public synchronized long count(OperationResult.Outcome outcome) {
        return counts.getOrDefault(outcome, 0L);
    }

    public String summary() {
        return total() + " account(s): " + counts();
    }
}
