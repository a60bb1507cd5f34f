package io.rotor.workflow;

/** Route helper: adds one more result to a tally (used after a split, for a step that runs on its own). */
public class Tallies {
    public OperationTally add(OperationTally tally, OperationResult result) {
        return tally.plus(result);
    }

    /**
     * Joins the tallies of two splits; a split over no accounts leaves its (empty) list as the body, which
     * counts as an empty tally.
     */
    public OperationTally merge(Object first, Object second) {
        java.util.List<OperationResult> all = new java.util.ArrayList<>();
        if (first instanceof OperationTally a) {
            all.addAll(a.results());
        }
        if (second instanceof OperationTally b) {
            all.addAll(b.results());
        }
        return OperationTally.of(all);
    }

    /** The body as a tally: a split over no accounts leaves its empty list, an empty tally. */
    public OperationTally of(Object body) {
        return merge(body, null);
    }
}
