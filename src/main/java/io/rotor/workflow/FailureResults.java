package io.rotor.workflow;

import org.apache.camel.Exchange;

/**
 * Turns an exception caught by the shared error handler into a FAILED {@link OperationResult}, so that the
 * caller (CLI, API, a split) gets a reason instead of a stack trace, and counts it in the metrics. Exception
 * messages in Rotor never hold secrets (docs/architecture.md, "Security rules"), so the message is passed on as the reason.
 */
public class FailureResults {
    private final RotorMetrics metrics;

    public FailureResults(RotorMetrics metrics) {
        this.metrics = metrics;
    }

    public OperationResult fromException(Exchange exchange) {
        Exception failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        String reason = failure == null ? "failed" : failure.getMessage();
        String accountId = exchange.getIn().getHeader("accountId", String.class);
        String operation = operationOf(exchange.getFromRouteId());
        metrics.operation(operation, OperationResult.Outcome.FAILED.name());
        return new OperationResult(accountId, operation, OperationResult.Outcome.FAILED, null, reason);
    }

    /** {@code rotate-account} → {@code rotate}: the same label the protocol's own results use. */
    static String operationOf(String routeId) {
        if (routeId == null) {
            return "unknown";
        }
        return routeId.endsWith("-account") ? routeId.substring(0, routeId.length() - "-account".length()) : routeId;
    }
}
