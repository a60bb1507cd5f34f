package io.rotor.workflow;

import org.apache.camel.AggregationStrategy;
import org.apache.camel.Exchange;

/**
 * Collects per-account {@link OperationResult}s of a split into one {@link OperationTally}. An exchange that
 * carries no result (its route failed before producing one) is counted as FAILED with the exception's message,
 * so one failing account never hides the others.
 */
public class OperationTallyStrategy implements AggregationStrategy {

    @Override
    public Exchange aggregate(Exchange oldExchange, Exchange newExchange) {
        OperationTally tally = oldExchange == null
                ? OperationTally.empty()
                : oldExchange.getIn().getBody(OperationTally.class);
        OperationTally next = tally.plus(resultOf(newExchange));
        Exchange target = oldExchange == null ? newExchange : oldExchange;
        target.getIn().setBody(next);
        return target;
    }

    static OperationResult resultOf(Exchange exchange) {
        Object body = exchange.getIn().getBody();
        if (body instanceof OperationResult result) {
            return result;
        }
        Exception failure = exchange.getException();
        String accountId = exchange.getIn().getHeader("accountId", String.class);
        String reason = failure != null && failure.getMessage() != null ? failure.getMessage() : "no result was produced";
        exchange.setException(null);
        return new OperationResult(accountId, "unknown", OperationResult.Outcome.FAILED, null, reason);
    }
}
