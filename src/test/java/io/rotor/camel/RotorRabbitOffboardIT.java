package io.rotor.camel;

import io.rotor.domain.Job;
import io.rotor.domain.JobStatus;
import org.apache.camel.spi.Registry;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The documented example {@code docs/examples/routes/offboarding-events.camel.yaml} against the machine's RabbitMQ
 * (127.0.0.1:5672, guest): an offboarding event published on the exchange starts single-user-offboard through
 * {@code rotor:workflow}, and the job runs to the end (vault on H2, the accounts' target an in-memory double:
 * the offboard changes associations in the vault and touches no target).
 */
class RotorRabbitOffboardIT extends OffboardFixture {
    private static final String EXCHANGE = "rotor_it_route_offboarding";
    private static final String QUEUE = "rotor_it_route_offboarding";
    private CachingConnectionFactory rabbit;

    @Override
    protected String extraRoutes() {
        return "file:docs/examples/routes/offboarding-events.camel.yaml";
    }

    @Override
    protected Properties useOverridePropertiesWithPropertiesComponent() {
        Properties p = super.useOverridePropertiesWithPropertiesComponent();
        p.setProperty("rotor.offboarding.exchange", EXCHANGE);
        p.setProperty("rotor.offboarding.queue", QUEUE);
        return p;
    }

    @Override
    protected void bindToRegistry(Registry registry) throws Exception {
        super.bindToRegistry(registry);
        rabbit = new CachingConnectionFactory("127.0.0.1", 5672);
        rabbit.setUsername("guest");
        rabbit.setPassword("guest");
        registry.bind("rabbitConnectionFactory", rabbit);
    }

    @Test
    void anOffboardingEventOnRabbitMqRunsSingleUserOffboard() throws Exception {
        assertThat(jobs.list(0, 10)).isEmpty();
        String event = new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(offboardRequest());

        template.sendBody("spring-rabbitmq:" + EXCHANGE + "?routingKey=offboard&connectionFactory=#rabbitConnectionFactory",
                event.getBytes(StandardCharsets.UTF_8));

        Job job = null;
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (job == null && System.nanoTime() < deadline) {
            List<Job> found = jobs.list(0, 10);
            job = found.isEmpty() ? null : found.get(0);
            Thread.sleep(100);
        }
        assertThat(job).as("the event queued a job").isNotNull();
        Job ended = ended(job.id(), Duration.ofSeconds(30));
        assertThat(ended.workflow()).isEqualTo("single-user-offboard");
        assertThat(ended.createdBy()).isEqualTo("route:offboarding-events");
        assertThat(ended.status()).as(String.valueOf(ended.reason())).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(vault.access().accessibleAccounts("alice")).isEmpty();
        assertThat(vault.access().accessibleAccounts("bob")).extracting(io.rotor.domain.Account::id)
                .containsExactlyInAnyOrder("v-acct-00", "v-acct-01");
    }

    @org.junit.jupiter.api.AfterEach
    void dropQueue() {
        if (rabbit != null) {
            try {
                org.springframework.amqp.rabbit.core.RabbitAdmin admin = new org.springframework.amqp.rabbit.core.RabbitAdmin(rabbit);
                admin.deleteQueue(QUEUE);
                admin.deleteExchange(EXCHANGE);
            } finally {
                rabbit.destroy();
            }
        }
    }
}
