package io.rotor.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rotor.domain.Job;
import io.rotor.domain.PredefinedRequest;
import io.rotor.vault.PdrRepository;
import io.rotor.workflow.JobStore;
import io.rotor.workflow.MassOnboard;
import io.rotor.workflow.MassPasswordReset;
import io.rotor.workflow.SingleUserOffboard;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

import java.io.IOException;
import java.util.List;

/**
 * Pre-defined requests through the API and the console: saving (admin), reading, and running one — a dry run, or
 * the confirmed run of a plan ({@link PdrRules#requirePlan}). A run is the workflow's own request: the saved
 * parameters go through {@link JobApi}'s validation as if a client had posted them.
 */
public class PdrApi {
    /** Exchange headers of {@code direct:pdr-run}: the PDR's name, a dry run or not, the confirmed plan's job id. */
    public static final String NAME = "name";
    public static final String DRY_RUN = "dryRun";
    public static final String PLAN = "plan";

    private final PdrRepository pdrs;
    private final JobStore jobs;
    private final JobApi jobApi;

    public PdrApi(PdrRepository pdrs, JobStore jobs, JobApi jobApi) {
        this.pdrs = pdrs;
        this.jobs = jobs;
        this.jobApi = jobApi;
    }

    public record PdrView(String name, String workflow, String description, JsonNode parameters, String createdBy,
                          String createdAt, String modifiedBy, String modifiedAt) {
        static PdrView of(PredefinedRequest pdr) {
            return new PdrView(pdr.name(), pdr.workflow(), pdr.description(), PdrApi.parameters(pdr), pdr.createdBy(),
                    pdr.createdAt().toString(), pdr.modifiedBy(), pdr.modifiedAt().toString());
        }
    }

    public List<PdrView> list() {
        return pdrs.all().stream().map(PdrView::of).toList();
    }

    public PdrView get(String name) {
        return PdrView.of(find(name));
    }

    public PredefinedRequest find(String name) {
        PdrRules.checkName(name);
        return pdrs.find(name).orElseThrow(() -> ApiException.notFound("unknown pre-defined request '" + name + "'"));
    }

    /** {@code PUT /pdrs/{name}} with {@code {"workflow", "description", "parameters": {...}}}: creates or replaces. */
    public PdrView save(String name, JsonNode body, Principal by) {
        PdrRules.checkName(name);
        for (java.util.Iterator<String> fields = body.fieldNames(); fields.hasNext(); ) {
            String field = fields.next();
            if (!List.of("name", "workflow", "description", "parameters").contains(field)) {
                throw ApiException.badRequest("INVALID_FIELD", "field '" + JobApi.safe(field)
                        + "': unknown field (known fields: description, parameters, workflow)");
            }
        }
        if (body.has("name") && !name.equals(body.get("name").asText())) {
            throw ApiException.badRequest("INVALID_FIELD", "field 'name': differs from the name in the path");
        }
        String workflow = body.path("workflow").isTextual() ? body.get("workflow").asText() : null;
        PdrRules.checkWorkflow(workflow);
        String description = PdrRules.checkDescription(body.path("description").isTextual()
                ? body.get("description").asText() : null);
        ObjectNode parameters = PdrRules.checkParameters(body.get("parameters"));
        pdrs.save(name, workflow, description, ApiJson.MAPPER.valueToTree(parameters).toString(), by.actor());
        return get(name);
    }

    public void delete(String name, Principal by) {
        PdrRules.checkName(name);
        if (!pdrs.delete(name, by.actor())) {
            throw ApiException.notFound("unknown pre-defined request '" + name + "'");
        }
    }

    /**
     * Before {@code seda:run-job}: checks who runs what (and, for a real run, the confirmed plan), then queues the job
     * through the workflow's own validation; the message then carries the job's hand-off headers.
     */
    public JobApi.JobView submit(Exchange exchange) {
        Message in = exchange.getIn();
        Principal principal = AccountApi.principal(exchange);
        PredefinedRequest pdr = find(in.getHeader(NAME, String.class));
        PdrRules.requireMayRun(pdr, principal.role());
        boolean dryRun = "true".equalsIgnoreCase(in.getHeader(DRY_RUN, String.class));
        if (!dryRun) {
            String planId = in.getHeader(PLAN, String.class);
            Job plan = planId == null || planId.isBlank() ? null : findJob(planId);
            PdrRules.requirePlan(pdr, plan, plan == null ? null : parameters(plan.parametersJson()));
        }
        ObjectNode body = (ObjectNode) parameters(pdr).deepCopy();
        body.put("dryRun", dryRun);
        in.removeHeaders("*");
        in.setHeader(Exchange.CONTENT_TYPE, "application/json");
        in.setBody(ApiJson.write(body));
        return switch (pdr.workflow()) {
            case MassPasswordReset.WORKFLOW -> jobApi.submitMassPasswordReset(exchange);
            case SingleUserOffboard.WORKFLOW -> jobApi.submitSingleUserOffboard(exchange);
            case MassOnboard.WORKFLOW -> jobApi.submitMassOnboard(exchange);
            default -> throw ApiException.badRequest("INVALID_FIELD", "field 'workflow': unknown workflow");
        };
    }

    private Job findJob(String jobId) {
        try {
            return jobs.find(jobId).orElseThrow(() -> ApiException.notFound("unknown job id '" + JobApi.safe(jobId) + "'"));
        } catch (IllegalArgumentException e) {
            throw ApiException.notFound("unknown job id '" + JobApi.safe(jobId) + "'");
        }
    }

    private static JsonNode parameters(PredefinedRequest pdr) {
        return parameters(pdr.parametersJson());
    }

    private static JsonNode parameters(String json) {
        try {
            return ApiJson.MAPPER.readTree(json == null ? "{}" : json);
        } catch (IOException e) {
            return ApiJson.MAPPER.createObjectNode();
        }
    }
}
