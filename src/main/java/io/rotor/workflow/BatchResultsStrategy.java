package io.rotor.workflow;

import io.rotor.domain.JobResult;
import org.apache.camel.AggregationStrategy;
import org.apache.camel.Exchange;

import java.time.Clock;
import java.time.Instant;

/**
 * Aggregates the per-account {@link OperationResult}s of one batch (the inner split of a bulk workflow) into a
 * {@link BatchResults}, and when the batch is complete writes it to the {@link JobStore} in one transaction — one
 * database round per batch, not per account. The aggregated body is then the {@link BatchResults} with the batch's
 * counts and the job's {@link JobProgress} (whose {@code cancelRequested} tells the route to take no new batch).
 *
 * <p>Each account's exchange is read for:
 * <ul>
 *   <li>body: the {@link OperationResult}; an exchange without one (its route failed) counts as FAILED with the
 *       exception's message, as in {@link OperationTallyStrategy}, and its exception is cleared so the other
 *       accounts go on;</li>
 *   <li>header or property {@value #JOB_ID}: the job (required);</li>
 *   <li>header {@value #STEP}: the step name results count towards (default: the result's operation);</li>
 *   <li>header {@value #TARGET_ID}: the account's target (optional);</li>
 *   <li>timing: from the exchange's creation (when the split handed it out) to its aggregation.</li>
 * </ul>
 * The strategy keeps no state of its own, so one bean serves every batch of every job at once:
 * <pre>
 *   - split:
 *       simple: "${body}"            # one batch: a List of account ids
 *       parallelProcessing: true
 *       aggregationStrategy: "#bean:batchResultsStrategy"
 * </pre>
 * Nothing is thrown out of the strategy (Camel's split would never complete): a failure to write the batch (the
 * vault is down, the job is no longer RUNNING, no job id on the exchanges) is set as the exception of the
 * split's result, so the route's error handler sees it; the batch's rows are then not recorded.
 */
public class BatchResultsStrategy implements AggregationStrategy {
    public static final String JOB_ID = "jobId";
    public static final String STEP = "step";
    public static final String TARGET_ID = "targetId";

    private final JobStore jobs;
    private final Clock clock;

    public BatchResultsStrategy(JobStore jobs, Clock clock) {
        this.jobs = jobs;
        this.clock = clock;
    }

    public BatchResultsStrategy(JobStore jobs) {
        this(jobs, Clock.systemUTC());
    }

    @Override
    public Exchange aggregate(Exchange oldExchange, Exchange newExchange) {
        Exchange target = oldExchange == null ? newExchange : oldExchange;
        BatchResults batch = oldExchange == null
                ? new BatchResults(jobIdOf(newExchange))
                : oldExchange.getIn().getBody(BatchResults.class);
        batch.add(toJobResult(newExchange));
        target.getIn().setBody(batch);
        return target;
    }

    @Override
    public void onCompletion(Exchange exchange, Exchange inputExchange) {
        if (exchange == null || !(exchange.getIn().getBody() instanceof BatchResults batch) || batch.isRecorded()) {
            return;
        }
        try {
            if (batch.jobId() == null) {
                throw new IllegalStateException("BatchResultsStrategy needs the header or property '" + JOB_ID
                        + "' on every exchange; the batch was not recorded");
            }
            batch.recorded(jobs.recordResults(batch.jobId(), batch.results()));
        } catch (RuntimeException e) {
            // never throw out of onCompletion: Camel's split would then never call back and the route would hang
            exchange.setException(e);
        }
    }

    JobResult toJobResult(Exchange exchange) {
        OperationResult result = OperationTallyStrategy.resultOf(exchange);
        String step = exchange.getIn().getHeader(STEP, String.class);
        String targetId = exchange.getIn().getHeader(TARGET_ID, String.class);
        Instant started = Instant.ofEpochMilli(exchange.getClock().getCreated());
        Instant finished = clock.instant();
        if (finished.isBefore(started)) {
            finished = started;
        }
        // the reason is the rotation service's detail, which is built without secrets
        return new JobResult(result.accountId(), targetId, step != null ? step : result.operation(),
                result.outcome().name(), result.success(), result.detail(), started, finished, null);
    }

    /** The job of the batch; null (reported by {@link #onCompletion}) when the route forgot it. */
    private static String jobIdOf(Exchange exchange) {
        String jobId = exchange.getIn().getHeader(JOB_ID, String.class);
        return jobId != null ? jobId : exchange.getProperty(JOB_ID, String.class);
    }
}
