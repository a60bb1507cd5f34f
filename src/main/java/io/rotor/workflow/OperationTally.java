package io.rotor.workflow;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/** The results of a batch of operations, counted by outcome. */
public record OperationTally(List<OperationResult> results) {
    public OperationTally {
        results = Collections.unmodifiableList(new ArrayList<>(results));
    }

    public static OperationTally of(List<OperationResult> results) {
        return new OperationTally(results);
    }

    public static OperationTally empty() {
        return new OperationTally(List.of());
    }

    public OperationTally plus(OperationResult result) {
        List<OperationResult> more = new ArrayList<>(results);
        more.add(result);
        return new OperationTally(more);
    }

    public Map<OperationResult.Outcome, Integer> counts() {
        Map<OperationResult.Outcome, Integer> counts = new EnumMap<>(OperationResult.Outcome.class);
        results.forEach(r -> counts.merge(r.outcome(), 1, Integer::sum));
        return counts;
    }

    public long succeeded() {
        return results.stream().filter(OperationResult::success).count();
    }

    public long failed() {
        return results.size() - succeeded();
    }

    public String summary() {
        return results.size() + " account(s), " + succeeded() + " succeeded, " + failed() + " not: " + counts();
    }
}
