package io.rotor.workflow;

import io.rotor.domain.AccountStatus;
import io.rotor.workflow.OperationResult.Outcome;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class OperationTallyStrategyTest {
    private final DefaultCamelContext context = new DefaultCamelContext();
    private final OperationTallyStrategy strategy = new OperationTallyStrategy();

    private Exchange exchange(Object body) {
        Exchange exchange = new DefaultExchange(context);
        exchange.getIn().setBody(body);
        return exchange;
    }

    @Test
    void countsEveryResultByOutcome() {
        Exchange first = strategy.aggregate(null, exchange(new OperationResult("a", "rotate", Outcome.SUCCEEDED, AccountStatus.IN_SYNC, "ok")));
        Exchange second = strategy.aggregate(first, exchange(new OperationResult("b", "rotate", Outcome.REJECTED, AccountStatus.IN_SYNC, "policy")));
        Exchange third = strategy.aggregate(second, exchange(new OperationResult("c", "rotate", Outcome.SUCCEEDED, AccountStatus.IN_SYNC, "ok")));

        OperationTally tally = third.getIn().getBody(OperationTally.class);
        assertThat(tally.results()).extracting(OperationResult::accountId).containsExactly("a", "b", "c");
        assertThat(tally.counts()).containsEntry(Outcome.SUCCEEDED, 2).containsEntry(Outcome.REJECTED, 1);
        assertThat(tally.succeeded()).isEqualTo(2);
        assertThat(tally.failed()).isEqualTo(1);
    }

    @Test
    void anExchangeWithoutAResultCountsAsFailedWithItsReasonAndTheSplitGoesOn() {
        Exchange broken = exchange(null);
        broken.getIn().setHeader("accountId", "x");
        broken.setException(new IllegalStateException("vault unavailable"));

        Exchange aggregated = strategy.aggregate(null, broken);

        OperationTally tally = aggregated.getIn().getBody(OperationTally.class);
        assertThat(tally.results()).singleElement().satisfies(r -> {
            assertThat(r.accountId()).isEqualTo("x");
            assertThat(r.outcome()).isEqualTo(Outcome.FAILED);
            assertThat(r.detail()).isEqualTo("vault unavailable");
        });
        assertThat(aggregated.getException()).isNull();
    }
}
