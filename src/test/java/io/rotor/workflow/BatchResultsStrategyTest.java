package io.rotor.workflow;

import io.rotor.domain.AccountStatus;
import io.rotor.domain.Job;
import io.rotor.domain.JobProgress;
import io.rotor.domain.JobResult;
import io.rotor.domain.JobStatus;
import io.rotor.domain.NewJob;
import io.rotor.vault.JobRepository;
import io.rotor.vault.JobResultRepository;
import io.rotor.vault.MasterKey;
import io.rotor.vault.UnitOfWork;
import io.rotor.vault.Vault;
import io.rotor.workflow.OperationResult.Outcome;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import javax.sql.DataSource;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

class BatchResultsStrategyTest {
    @TempDir
    Path dataDir;

    private Vault vault;
    /** Connections taken from the vault through {@link #jobs}: one per JobStore call. */
    private final AtomicInteger connections = new AtomicInteger();
    private JobStore jobs;
    private DefaultCamelContext context;

    @BeforeEach
    void open() {
        vault = Vault.open(null, null, null, dataDir, MasterKey.load(null, dataDir.resolve("master.key")), 4);
        DataSource real = vault.dataSource();
        DataSource counting = (DataSource) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[]{DataSource.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("getConnection")) {
                        connections.incrementAndGet();
                    }
                    try {
                        return method.invoke(real, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        // the job repositories on their own unit of work over the counting pool: each connection is one vault call
        UnitOfWork work = new UnitOfWork(counting, Clock.systemUTC());
        jobs = new JobStore(new JobRepository(work), new JobResultRepository(work));
        context = new DefaultCamelContext();
    }

    @AfterEach
    void close() {
        context.stop();
        vault.close();
    }

    private String runningJob() {
        Job job = jobs.create(new NewJob("mass-password-reset", Map.of("target", List.of("pg1")), false, false, "alice"));
        jobs.markRunning(job.id());
        return job.id();
    }

    private Exchange accountExchange(String jobId, Object body) {
        Exchange exchange = new DefaultExchange(context);
        exchange.getIn().setHeader(BatchResultsStrategy.JOB_ID, jobId);
        exchange.getIn().setHeader(BatchResultsStrategy.STEP, "update-backing-accounts");
        exchange.getIn().setHeader(BatchResultsStrategy.TARGET_ID, "pg1");
        exchange.getIn().setBody(body);
        return exchange;
    }

    private static OperationResult result(String account, Outcome outcome) {
        return new OperationResult(account, "rotate", outcome, AccountStatus.IN_SYNC, outcome.name().toLowerCase());
    }

    @Test
    void foldsABatchIntoCountsAndRecordsItOnceWhenTheBatchCompletes() {
        String jobId = runningJob();
        Instant fixed = Instant.parse("2030-01-01T00:00:00Z");
        BatchResultsStrategy strategy = new BatchResultsStrategy(jobs, Clock.fixed(fixed, ZoneOffset.UTC));
        int before = connections.get();

        Exchange aggregated = null;
        aggregated = strategy.aggregate(aggregated, accountExchange(jobId, result("a", Outcome.SUCCEEDED)));
        aggregated = strategy.aggregate(aggregated, accountExchange(jobId, result("b", Outcome.REJECTED)));
        aggregated = strategy.aggregate(aggregated, accountExchange(jobId, result("c", Outcome.RECOVERED_FORWARD)));
        Exchange broken = accountExchange(jobId, null);
        broken.getIn().setHeader("accountId", "d");
        broken.setException(new IllegalStateException("account 'd' is locked by a stale worker"));
        aggregated = strategy.aggregate(aggregated, broken);

        BatchResults batch = aggregated.getIn().getBody(BatchResults.class);
        assertThat(connections.get()).as("nothing written per account").isEqualTo(before);
        assertThat(batch.size()).isEqualTo(4);
        assertThat(batch.succeeded()).isEqualTo(2);
        assertThat(batch.failed()).isEqualTo(2);
        assertThat(batch.counts()).containsEntry("SUCCEEDED", 1).containsEntry("REJECTED", 1)
                .containsEntry("RECOVERED_FORWARD", 1).containsEntry("FAILED", 1);
        assertThat(broken.getException()).as("one failing account never stops the others").isNull();
        assertThat(batch.isRecorded()).isFalse();

        strategy.onCompletion(aggregated, null);

        assertThat(connections.get() - before).as("one transaction for the whole batch").isEqualTo(1);
        assertThat(batch.isRecorded()).isTrue();
        assertThat(batch.results()).as("rows are dropped once stored").isEmpty();
        assertThat(batch.progress()).isEqualTo(new JobProgress(jobId, 0, 4, 2, 2, false));
        assertThat(jobs.results(jobId, 0, 10)).satisfies(rows -> {
            assertThat(rows).extracting(JobResult::accountId).containsExactly("a", "b", "c", "d");
            assertThat(rows).allSatisfy(r -> {
                assertThat(r.step()).isEqualTo("update-backing-accounts");
                assertThat(r.targetId()).isEqualTo("pg1");
                assertThat(r.finishedAt()).isEqualTo(fixed);
                assertThat(r.startedAt()).isBeforeOrEqualTo(r.finishedAt());
                assertThat(r.durationMs()).isNotNegative();
            });
            assertThat(rows.get(1).outcome()).isEqualTo("REJECTED");
            assertThat(rows.get(1).reason()).isEqualTo("rejected");
            assertThat(rows.get(3).outcome()).isEqualTo("FAILED");
            assertThat(rows.get(3).reason()).isEqualTo("account 'd' is locked by a stale worker");
        });

        strategy.onCompletion(aggregated, null);
        assertThat(jobs.resultCount(jobId)).as("completing twice records nothing twice").isEqualTo(4);
    }

    @Test
    void theStepDefaultsToTheOperationAndTheJobIdMayBeAProperty() {
        String jobId = runningJob();
        BatchResultsStrategy strategy = new BatchResultsStrategy(jobs);
        Exchange exchange = new DefaultExchange(context);
        exchange.setProperty(BatchResultsStrategy.JOB_ID, jobId);
        exchange.getIn().setBody(result("a", Outcome.SUCCEEDED));

        Exchange aggregated = strategy.aggregate(null, exchange);
        strategy.onCompletion(aggregated, exchange);

        JobResult stored = jobs.results(jobId, 0, 1).get(0);
        assertThat(stored.step()).isEqualTo("rotate");
        assertThat(stored.targetId()).isNull();
    }

    @Test
    void aBatchWithoutAJobIsAnErrorOnTheExchangeNotAThrow() {
        BatchResultsStrategy strategy = new BatchResultsStrategy(jobs);
        Exchange exchange = new DefaultExchange(context);
        exchange.getIn().setBody(result("a", Outcome.SUCCEEDED));

        Exchange aggregated = strategy.aggregate(null, exchange);
        strategy.onCompletion(aggregated, exchange);

        assertThat(aggregated.getException()).isInstanceOf(IllegalStateException.class).hasMessageContaining("'jobId'");
        assertThat(aggregated.getIn().getBody(BatchResults.class).isRecorded()).isFalse();
    }

    @Test
    void nothingToCompleteIsNoWrite() {
        BatchResultsStrategy strategy = new BatchResultsStrategy(jobs);
        int before = connections.get();
        strategy.onCompletion(null, null);
        strategy.onCompletion(new DefaultExchange(context), null);
        assertThat(connections.get()).isEqualTo(before);
    }

    /**
     * The shape the workflow routes will have: a streaming split over lazy batches, and inside each batch a parallel
     * split over its accounts aggregated by the strategy. Each batch is written in one transaction; failing and
     * throwing accounts are recorded with their reasons and the others go on.
     */
    @Test
    @Timeout(60)
    void inAParallelSplitEachBatchIsWrittenOnceAndEveryAccountIsCounted() throws Exception {
        String jobId = runningJob();
        BatchResultsStrategy strategy = new BatchResultsStrategy(jobs);
        List<BatchResults> batches = Collections.synchronizedList(new ArrayList<>());
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:job")
                        .split(body()).streaming()
                            .to("direct:batch")
                        .end();
                from("direct:batch")
                        .split(body()).parallelProcessing().aggregationStrategy(strategy)
                            .setHeader("accountId", body())
                            .setHeader(BatchResultsStrategy.TARGET_ID, constant("pg1"))
                            .process(e -> {
                                String account = e.getIn().getBody(String.class);
                                if (account.endsWith("7")) {
                                    throw new IllegalStateException("connection to pg1 refused");
                                }
                                e.getIn().setBody(result(account, account.endsWith("3") ? Outcome.REJECTED : Outcome.SUCCEEDED));
                            })
                        .end()
                        .process(e -> batches.add(e.getIn().getBody(BatchResults.class)));
            }
        });
        context.start();
        int before = connections.get();

        List<String> ids = IntStream.range(0, 200).mapToObj(i -> String.format("acct-%03d", i)).toList();
        context.createProducerTemplate().sendBodyAndHeaders("direct:job", BatchPlanner.batches(ids.iterator(), 64),
                Map.of(BatchResultsStrategy.JOB_ID, jobId, BatchResultsStrategy.STEP, "update-backing-accounts"));

        assertThat(batches).extracting(BatchResults::size).containsExactly(64, 64, 64, 8);
        assertThat(batches).allSatisfy(b -> assertThat(b.isRecorded()).isTrue());
        assertThat(connections.get() - before).as("one JobStore transaction per batch").isEqualTo(4);
        Job job = jobs.find(jobId).orElseThrow();
        assertThat(job.done()).isEqualTo(200);
        assertThat(job.failed()).as("20 rejected + 20 thrown").isEqualTo(40);
        assertThat(batches.get(batches.size() - 1).progress().done()).isEqualTo(200);
        List<JobResult> stored = new ArrayList<>();
        jobs.forEachResult(jobId, 100, stored::add);
        assertThat(stored).extracting(JobResult::accountId).containsExactlyInAnyOrderElementsOf(ids);
        assertThat(stored).filteredOn(r -> r.accountId().endsWith("7"))
                .allSatisfy(r -> assertThat(r.reason()).isEqualTo("connection to pg1 refused"));
        assertThat(jobs.finish(jobId, null).status()).isEqualTo(JobStatus.PARTIAL);
    }

    @Test
    @Timeout(60)
    void aBatchThatCannotBeRecordedFailsTheSplitForTheErrorHandler() throws Exception {
        String jobId = runningJob();
        jobs.finish(jobId, "stopped");
        BatchResultsStrategy strategy = new BatchResultsStrategy(jobs);
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:batch")
                        .split(body()).aggregationStrategy(strategy)
                            .process(e -> e.getIn().setBody(result(e.getIn().getBody(String.class), Outcome.SUCCEEDED)))
                        .end();
            }
        });
        context.start();

        Exchange out = context.createProducerTemplate().send("direct:batch", e -> {
            e.getIn().setHeader(BatchResultsStrategy.JOB_ID, jobId);
            e.getIn().setBody(List.of("a", "b"));
        });

        assertThat(out.getException()).isNotNull();
        assertThat(out.getException()).hasStackTraceContaining("not RUNNING");
        assertThat(jobs.resultCount(jobId)).isZero();
    }
}
