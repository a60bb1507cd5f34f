package io.rotor.camel;

import io.rotor.api.JobApi;
import io.rotor.domain.Job;
import io.rotor.domain.JobStatus;
import io.rotor.domain.Secret;
import io.rotor.domain.Slot;
import io.rotor.vault.StoredCredential;
import io.rotor.workflow.OperationResult;
import org.apache.camel.CamelExecutionException;
import org.apache.camel.Exchange;
import org.apache.camel.spi.Registry;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The rotor component used from a YAML route ({@code src/test/resources/rotor-component/}), loaded by Camel Main with
 * the shipped workflow routes: rotate, verify, checkout (a Secret in the body, audited), checkin (which rotates), and a
 * single-user-offboard job queued through rotor:workflow.
 */
class RotorComponentRoutesTest extends OffboardFixture {
    /** What the team's route did with the checked-out secret: copied it while the exchange was alive. */
    private final AtomicReference<String> checkedOut = new AtomicReference<>();

    public static final class CheckoutSink {
        private final AtomicReference<String> into;

        CheckoutSink(AtomicReference<String> into) {
            this.into = into;
        }

        public void take(Exchange exchange) {
            Object body = exchange.getMessage().getBody();
            assertThat(body).isInstanceOf(Secret.class);
            into.set(((Secret) body).reveal());
            assertThat(exchange.getMessage().getHeaders().values()).noneMatch(v -> String.valueOf(v).equals(into.get()));
        }
    }

    @Override
    protected String extraRoutes() {
        return "file:src/test/resources/rotor-component/*.camel.yaml";
    }

    @Override
    protected void bindToRegistry(Registry registry) throws Exception {
        super.bindToRegistry(registry);
        registry.bind("checkoutSink", new CheckoutSink(checkedOut));
    }

    @Test
    void rotateAndVerifyRunTheProtocolAsTheRoute() {
        OperationResult rotated = template.requestBody("direct:team-rotate", null, OperationResult.class);
        assertThat(rotated.outcome()).as(rotated.detail()).isEqualTo(OperationResult.Outcome.SUCCEEDED);
        assertThat(target.passwords.get("acct-00")).isNotEqualTo("initial-0");
        OperationResult verified = template.requestBodyAndHeader("direct:team-verify", null, "accountId", "acct-00",
                OperationResult.class);
        assertThat(verified.outcome()).isEqualTo(OperationResult.Outcome.SUCCEEDED);
        assertThat(vault.audit().trail("acct-00", 100))
                .anySatisfy(r -> assertThat(r.actor()).isEqualTo("route:team-rotate"));
    }

    @Test
    void checkoutGivesTheSecretInTheBodyOnlyAuditedAndCheckinRotates() {
        OperationResult checkin = template.requestBody("direct:team-checkout", (Object) null, OperationResult.class);

        assertThat(checkedOut.get()).as("the route saw CURRENT as a Secret body").isEqualTo("initial-1");
        assertThat(vault.audit().trail("acct-01", 100)).anySatisfy(r -> {
            assertThat(r.operation()).isEqualTo("REVEAL");
            assertThat(r.actor()).isEqualTo("route:team-checkout");
        });
        assertThat(checkin.outcome()).as(checkin.detail()).isEqualTo(OperationResult.Outcome.SUCCEEDED);
        assertThat(vault.accounts().checkedOutBy("acct-01")).isEmpty();
        try (StoredCredential current = vault.credentials().read("acct-01", Slot.CURRENT).orElseThrow()) {
            assertThat(current.secret().reveal()).as("checkin rotated it").isNotEqualTo("initial-1")
                    .isEqualTo(target.passwords.get("acct-01"));
        }
    }

    @Test
    void workflowQueuesTheJobAsTheRestApiDoesAndItRuns() throws Exception {
        JobApi.JobView queued = template.requestBody("direct:team-offboard", offboardRequest(), JobApi.JobView.class);
        Job job = ended(queued.jobId(), Duration.ofSeconds(30));
        assertThat(job.status()).as(String.valueOf(job.reason())).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(job.createdBy()).isEqualTo("route:team-offboard");
        assertThat(vault.access().accessibleAccounts("alice")).isEmpty();
        assertThat(vault.access().accessibleAccounts("bob")).hasSize(2);
    }

    @Test
    void aWorkflowRequestRotorRefusesFailsWithTheFieldNamed() {
        Map<String, Object> request = offboardRequest();
        request.put("userToOffboard", "nobody");
        assertThatThrownBy(() -> template.requestBody("direct:team-offboard", request))
                .isInstanceOf(CamelExecutionException.class).hasRootCauseMessage("field 'userToOffboard': unknown user id 'nobody'");
    }
}
