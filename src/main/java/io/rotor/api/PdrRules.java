package io.rotor.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rotor.domain.Ids;
import io.rotor.domain.Job;
import io.rotor.domain.JobStatus;
import io.rotor.domain.PredefinedRequest;
import io.rotor.domain.Role;
import io.rotor.workflow.MassOnboard;
import io.rotor.workflow.MassPasswordReset;
import io.rotor.workflow.SingleUserOffboard;

import java.util.Iterator;
import java.util.Map;

/**
 * The rules of pre-defined requests (docs/architecture.md, "Console"), plain Java: what a saved PDR may hold, who may
 * run one, and that a real run follows a dry run of the same parameters (the plan the operator confirmed).
 */
public final class PdrRules {
    /** The workflows a PDR may name, with the permission that running it needs (mass onboard stays admin-only). */
    public static final Map<String, Permission> WORKFLOWS = Map.of(
            MassPasswordReset.WORKFLOW, Permission.RUN_WORKFLOW,
            SingleUserOffboard.WORKFLOW, Permission.RUN_WORKFLOW,
            MassOnboard.WORKFLOW, Permission.ONBOARD);
    static final int DESCRIPTION_MAX = 2000;

    private PdrRules() {
    }

    public static void checkName(String name) {
        if (name == null || !Ids.ID_PATTERN.matcher(name).matches()) {
            throw ApiException.badRequest("INVALID_FIELD", "field 'name': letters, digits, '_', '.', '-' only, starting"
                    + " with a letter or digit, at most 128 characters");
        }
    }

    public static void checkWorkflow(String workflow) {
        if (workflow == null || !WORKFLOWS.containsKey(workflow)) {
            throw ApiException.badRequest("INVALID_FIELD", "field 'workflow': one of " + new java.util.TreeSet<>(WORKFLOWS.keySet()));
        }
    }

    public static String checkDescription(String description) {
        String text = description == null ? "" : description.strip();
        if (text.length() > DESCRIPTION_MAX || text.chars().anyMatch(c -> c < 0x20 && c != '\t' || c == 0x7f)) {
            throw ApiException.badRequest("INVALID_FIELD", "field 'description': at most " + DESCRIPTION_MAX
                    + " characters, no control characters");
        }
        return text;
    }

    /**
     * The parameters as stored: a JSON object without {@code dryRun}, which each run decides. The workflow checks
     * the rest when the PDR runs (the dry run shows every refusal).
     */
    public static ObjectNode checkParameters(JsonNode parameters) {
        if (parameters == null || !parameters.isObject()) {
            throw ApiException.badRequest("INVALID_FIELD", "field 'parameters': a JSON object of the workflow's request fields");
        }
        if (parameters.has("dryRun")) {
            throw ApiException.badRequest("INVALID_FIELD", "field 'parameters.dryRun': not saved; each run is a dry run"
                    + " first, then the confirmed run");
        }
        return (ObjectNode) parameters;
    }

    /** @throws ApiException 403 when the role may not run this PDR's workflow */
    public static void requireMayRun(PredefinedRequest pdr, Role role) {
        Permission needed = WORKFLOWS.getOrDefault(pdr.workflow(), Permission.ONBOARD);
        if (!needed.allows(role)) {
            throw new ApiException(403, "FORBIDDEN", "role '" + (role == null ? "none" : role.configName())
                    + "' may not run pre-defined request '" + pdr.name() + "' (" + pdr.workflow() + ")");
        }
    }

    /**
     * A real run must confirm a plan: a dry run of this PDR's workflow that ended SUCCEEDED, started after the PDR
     * was last changed, with the PDR's parameters.
     *
     * @throws ApiException 409 PLAN_REQUIRED otherwise
     */
    public static void requirePlan(PredefinedRequest pdr, Job plan, JsonNode planParameters) {
        String problem = planProblem(pdr, plan, planParameters);
        if (problem != null) {
            throw ApiException.conflict("PLAN_REQUIRED", "run pre-defined request '" + pdr.name() + "' as a dry run"
                    + " first and confirm its plan: " + problem);
        }
    }

    static String planProblem(PredefinedRequest pdr, Job plan, JsonNode planParameters) {
        if (plan == null) {
            return "no plan (dry-run job) was named";
        }
        if (!plan.dryRun()) {
            return "job " + plan.id() + " is not a dry run";
        }
        if (!plan.workflow().equals(pdr.workflow())) {
            return "job " + plan.id() + " ran " + plan.workflow() + ", not " + pdr.workflow();
        }
        if (plan.status() != JobStatus.SUCCEEDED) {
            return "dry run " + plan.id() + " has not succeeded (status " + plan.status() + ")";
        }
        if (plan.createdAt() == null || plan.createdAt().isBefore(pdr.modifiedAt())) {
            return "dry run " + plan.id() + " is older than the last change of the pre-defined request";
        }
        JsonNode saved;
        try {
            saved = ApiJson.MAPPER.readTree(pdr.parametersJson());
        } catch (java.io.IOException e) {
            return "the pre-defined request's parameters cannot be read";
        }
        for (Iterator<Map.Entry<String, JsonNode>> fields = saved.fields(); fields.hasNext(); ) {
            Map.Entry<String, JsonNode> field = fields.next();
            if (field.getKey().equals("report")) {
                continue; // a report is not part of the plan (the job records it, not the parameters)
            }
            if (!sameValue(field.getValue(), planParameters == null ? null : planParameters.get(field.getKey()))) {
                return "dry run " + plan.id() + " planned other parameters (field '" + field.getKey() + "')";
            }
        }
        return null;
    }

    /** Equal, or a single string saved where the workflow records a one-element list (target: "pg" → ["pg"]). */
    private static boolean sameValue(JsonNode saved, JsonNode planned) {
        if (planned == null) {
            return saved == null || saved.isNull() || saved.isBoolean() && !saved.asBoolean();
        }
        if (saved.equals(planned)) {
            return true;
        }
        if (saved.isTextual() && planned.isArray() && planned.size() == 1) {
            return saved.equals(planned.get(0));
        }
        return saved.isNumber() && planned.isNumber() && saved.asLong() == planned.asLong();
    }
}
