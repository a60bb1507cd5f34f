package io.rotor.cluster;

import org.apache.camel.builder.RouteBuilder;

/**
 * The cluster's routes (docs/architecture.md, "Cluster"), added only when {@code rotor.cluster.enabled=true}:
 * <ul>
 *   <li>{@code cluster-publish-batch}: a batch of the driver's split goes to the durable quorum queue;</li>
 *   <li>{@code cluster-batch}: any node takes the next batch (bounded prefetch, acknowledged after the batch is
 *       recorded), runs it through the workflow's own batch route and marks it done; a batch the broker rejects
 *       goes to the dead-letter queue;</li>
 *   <li>{@code cluster-job-resumption}: a clustered Quartz job that drives again a job whose driver node died before
 *       it handed out every batch.</li>
 * </ul>
 */
public final class ClusterRoutes extends RouteBuilder {
    private final ClusterSettings settings;

    public ClusterRoutes(ClusterSettings settings) {
        this.settings = settings;
    }

    /** The broker endpoint: exchange, queue (quorum, durable), dead letters, prefetch. */
    String endpoint(boolean consumer) {
        String base = "spring-rabbitmq:" + settings.exchange() + "?connectionFactory=#rotorRabbit&routingKey=batch";
        if (!consumer) {
            return base;
        }
        // the topology (quorum queue, dead letters, delivery limit) is declared by Broker.declare before this starts
        return base + "&queues=" + settings.queue() + "&autoDeclare=false"
                + "&prefetchCount=" + settings.prefetch() + "&concurrentConsumers=" + settings.consumers()
                + "&maxConcurrentConsumers=" + settings.consumers() + "&acknowledgeMode=AUTO&maximumRetryAttempts=1"
                // the route handles a batch's own failures; what reaches the container is a node stopping with a
                // batch in hand, which goes back to the queue (the delivery limit dead-letters a batch that never ends)
                + "&rejectAndDontRequeue=false";
    }

    @Override
    public void configure() {
        Broker.declare(settings, getContext().getRegistry().lookupByNameAndType("rotorRabbit",
                org.springframework.amqp.rabbit.connection.ConnectionFactory.class));
        from("direct:cluster-publish-batch").routeId("cluster-publish-batch")
                .bean("clusterBatches", "handOut")
                .filter(header(ClusterBatches.RUN).isEqualTo(true))
                    .removeHeader(ClusterBatches.RUN)
                    .to(endpoint(false))
                .end();

        from(endpoint(true)).routeId("cluster-batch")
                .onException(Exception.class).handled(true)
                    .log(org.apache.camel.LoggingLevel.WARN, "job ${header.jobId} batch ${header.batchNo} failed: ${exception.message}")
                    .bean("clusterBatches", "failed")
                .end()
                .bean("clusterBatches", "take")
                .choice().when(header(ClusterBatches.RUN).isEqualTo(true))
                    .toD("direct:${header." + ClusterBatches.BATCH_ROUTE + "}")
                .end()
                .bean("clusterBatches", "done");

        from("quartz://rotor/job-resumption?trigger.repeatInterval=" + settings.nodeTimeoutSeconds() * 1000L
                + "&trigger.repeatCount=-1&stateful=true&deleteJob=false")
                .routeId("cluster-job-resumption").group("schedules").autoStartup(false)
                .bean("clusterNode", "scheduleFired")
                .bean("clusterBatches", "orphanedDrivers")
                .split(body())
                    .setHeader("jobId", body())
                    .log(org.apache.camel.LoggingLevel.WARN, "job ${header.jobId}: its driver node is gone; handing out the rest of its batches")
                    .bean("workflowJobs", "joinRunning")
                    .bean("massPasswordReset", "batches")
                    .split(body()).streaming()
                        .to("direct:cluster-publish-batch")
                    .end()
                    .bean("clusterBatches", "allHandedOut")
                .end();
    }
}
