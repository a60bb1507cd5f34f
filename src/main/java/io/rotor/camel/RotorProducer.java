package io.rotor.camel;

import io.rotor.api.AccountApi;
import io.rotor.api.JobApi;
import io.rotor.api.Principal;
import io.rotor.domain.Account;
import io.rotor.domain.Role;
import io.rotor.domain.Secret;
import io.rotor.vault.StoredCredential;
import io.rotor.workflow.Checkouts;
import io.rotor.workflow.OperationResult;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangePattern;
import org.apache.camel.Message;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.support.DefaultExchange;
import org.apache.camel.support.DefaultProducer;
import org.apache.camel.support.SynchronizationAdapter;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;

/**
 * Runs one {@code rotor:} operation with the services the REST API uses: the workflows' {@code direct:} entry
 * points for rotate / verify / reconcile, {@link Checkouts} for checkout and checkin, {@link JobApi} for a
 * workflow's request (the same validation and messages as {@code POST /api/v1/workflows/{name}}) and
 * {@code seda:run-job} to run it. The actor in the audit trail is {@code route:<route id>}.
 */
public class RotorProducer extends DefaultProducer {
    static final String CHECKOUTS_BEAN = "rotorCheckouts";
    static final String JOBS_BEAN = "apiJobs";
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    private final RotorEndpoint endpoint;
    private ProducerTemplate template;

    RotorProducer(RotorEndpoint endpoint) {
        super(endpoint);
        this.endpoint = endpoint;
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        template = getEndpoint().getCamelContext().createProducerTemplate();
    }

    @Override
    protected void doStop() throws Exception {
        if (template != null) {
            template.close();
        }
        super.doStop();
    }

    @Override
    public void process(Exchange exchange) {
        String actor = actor(exchange);
        switch (endpoint.getOperation()) {
            case ROTATE -> operation(exchange, "direct:rotate-account", account(exchange), actor, true);
            case RECONCILE -> operation(exchange, "direct:reconcile-account", account(exchange), actor, true);
            case VERIFY -> operation(exchange, "direct:verify-account", account(exchange), actor, false);
            case CHECKIN -> {
                Account account = checkouts().account(account(exchange));
                checkouts().checkIn(account, actor, false, "the rotor component");
                operation(exchange, "direct:rotate-account", account.id(), actor, false);
            }
            case CHECKOUT -> checkout(exchange, actor);
            case WORKFLOW -> workflow(exchange, actor);
        }
    }

    private void operation(Exchange exchange, String entry, String accountId, String actor, boolean changes) {
        if (changes) {
            Optional<String> holder = checkouts().heldByOther(checkouts().account(accountId).id(), actor);
            if (holder.isPresent()) {
                throw new IllegalStateException("account '" + accountId + "' is checked out by " + holder.get()
                        + "; it changes only after checkin");
            }
        }
        OperationResult result = template.requestBodyAndHeaders(entry, null,
                Map.of("accountId", accountId, "actor", actor), OperationResult.class);
        Message out = exchange.getMessage();
        out.setBody(result);
        out.setHeader(RotorHeaders.OUTCOME, result == null ? null : result.outcome().name());
    }

    /** The only way a secret leaves this component: a Secret in the body (never a header), wiped when the exchange ends. */
    private void checkout(Exchange exchange, String actor) {
        Account account = checkouts().account(account(exchange));
        Optional<StoredCredential> current = checkouts().checkOut(account, actor, "the rotor component");
        if (current.isEmpty()) {
            throw new IllegalStateException("account '" + account.id() + "' has no CURRENT credential to check out");
        }
        Secret secret;
        long version;
        try (StoredCredential credential = current.get()) {
            secret = Secret.of(credential.secret().chars());
            version = credential.version();
        }
        exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
            @Override
            public void onDone(Exchange done) {
                secret.close();
            }
        });
        Message out = exchange.getMessage();
        out.setBody(secret);
        out.setHeader(RotorHeaders.CREDENTIAL_VERSION, version);
    }

    /**
     * The body is the workflow request as the REST API takes it (a Map, or JSON text or bytes); it is checked by
     * {@link JobApi} on an exchange of its own, so the route's headers stay as they are, then queued for
     * {@code seda:run-job}. The body becomes the job ({@link JobApi.JobView}).
     */
    private void workflow(Exchange exchange, String actor) {
        Exchange request = new DefaultExchange(exchange.getContext());
        Message in = request.getIn();
        in.setBody(json(exchange.getMessage().getBody()));
        in.setHeader(Exchange.CONTENT_TYPE, "application/json");
        RotorConfiguration config = endpoint.getConfiguration();
        in.setHeader("dryRun", String.valueOf(config.isDryRun()));
        in.setHeader("report", String.valueOf(config.isReport()));
        request.setProperty(AccountApi.PRINCIPAL, new Principal(Principal.ROUTE, routeId(exchange), Role.OPERATOR));
        JobApi jobs = bean(JOBS_BEAN, JobApi.class);
        JobApi.JobView job = switch (config.getName()) {
            case "mass-password-reset" -> jobs.submitMassPasswordReset(request);
            case "mass-onboard" -> jobs.submitMassOnboard(request);
            case "single-user-offboard" -> jobs.submitSingleUserOffboard(request);
            default -> throw new IllegalArgumentException("rotor:workflow: unknown workflow '" + config.getName() + "'");
        };
        template.send("seda:run-job", ExchangePattern.InOnly, e -> e.getIn().setHeaders(request.getIn().getHeaders()));
        Message out = exchange.getMessage();
        out.setBody(job);
        out.setHeader(RotorHeaders.JOB_ID, job.jobId());
        out.setHeader(RotorHeaders.OUTCOME, job.status());
    }

    private static byte[] json(Object body) {
        if (body == null) {
            throw new IllegalArgumentException("rotor:workflow: the body must be the workflow request (a map or JSON)");
        }
        if (body instanceof byte[] bytes) {
            return bytes;
        }
        if (body instanceof String text) {
            return text.getBytes(StandardCharsets.UTF_8);
        }
        if (body instanceof Map<?, ?> map) {
            try {
                return JSON.writeValueAsBytes(map);
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalArgumentException("rotor:workflow: the body cannot be written as JSON: " + e.getOriginalMessage());
            }
        }
        throw new IllegalArgumentException("rotor:workflow: the body must be a map or JSON text, not a "
                + body.getClass().getSimpleName());
    }

    private String account(Exchange exchange) {
        String id = endpoint.getConfiguration().getAccount();
        if (id == null) {
            id = exchange.getMessage().getHeader(RotorHeaders.ACCOUNT_ID, String.class);
        }
        if (id == null || !id.matches(io.rotor.domain.Ids.ID_REGEX)) {
            throw new IllegalArgumentException("rotor:" + endpoint.getOperation().name().toLowerCase(java.util.Locale.ROOT)
                    + ": no account: give the parameter 'account' or the header 'accountId' (an account id)");
        }
        return id;
    }

    private static String routeId(Exchange exchange) {
        String id = exchange.getFromRouteId();
        return id == null ? "unnamed" : id;
    }

    private static String actor(Exchange exchange) {
        return new Principal(Principal.ROUTE, routeId(exchange), Role.OPERATOR).actor();
    }

    private Checkouts checkouts() {
        return bean(CHECKOUTS_BEAN, Checkouts.class);
    }

    private <T> T bean(String name, Class<T> type) {
        T bean = getEndpoint().getCamelContext().getRegistry().lookupByNameAndType(name, type);
        if (bean == null) {
            throw new IllegalStateException("rotor: the engine offers no bean '" + name + "' (" + type.getSimpleName() + ")");
        }
        return bean;
    }
}
