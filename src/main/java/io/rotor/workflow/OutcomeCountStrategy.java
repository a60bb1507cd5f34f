package io.rotor.workflow;

import org.apache.camel.AggregationStrategy;
import org.apache.camel.Exchange;

/**
 * Counts the per-account {@link OperationResult}s of a split into one {@link OutcomeCounts} and lets each exchange go:
 * memory stays flat however many accounts the split hands out. An exchange without a result counts as FAILED, as in
 * {@link OperationTallyStrategy}.
 */
public class OutcomeCountStrategy implements AggregationStrategy {

    @Override
    public Exchange aggregate(Exchange oldExchange, Exchange newExchange) {
        OperationResult result = OperationTallyStrategy.resultOf(newExchange);
        if (oldExchange == null) {
            newExchange.getIn().setBody(new OutcomeCounts().add(result));
            return newExchange;
        }
        oldExchange.getIn().getBody(OutcomeCounts.class).add(result);
        return oldExchange;
    }
}
