package io.rotor.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.rotor.domain.Ids;
import io.rotor.domain.Job;
import io.rotor.domain.JobResult;
import io.rotor.domain.JobStep;
import io.rotor.domain.NewJob;
import io.rotor.domain.Target;
import io.rotor.domain.UnknownJobException;
import io.rotor.vault.TargetRepository;
import io.rotor.vault.TemplateRepository;
import io.rotor.vault.UserRepository;
import io.rotor.vault.VaultModel;
import io.rotor.workflow.BatchPlanner;
import io.rotor.workflow.JobStore;
import io.rotor.workflow.MassPasswordReset;
import io.rotor.workflow.report.JobReportWriter;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Jobs through the REST API: validating and queueing a workflow run (nothing is created when a request is
 * refused), and reading jobs, their results (paged) and their SQLite report. Running a job is the routes' work
 * ({@code seda:run-job} → {@code direct:<workflow>}).
 */
public class JobApi {
    public static final int DEFAULT_PAGE = 100;
    public static final int MAX_PAGE = 1000;
    private static final Set<String> MPR_FIELDS = Set.of("target", "vaultTarget", "vaultLinkAttribute", "batchSize",
            "report", "dryRun", MassPasswordReset.INCLUDE_ADMIN_ACCOUNTS);

    private final TargetRepository targets;
    private final UserRepository vaultUsers;
    private final TemplateRepository templates;
    private final JobStore jobs;
    private final JobReportWriter reports;

    public JobApi(TargetRepository targets, UserRepository vaultUsers, TemplateRepository templates, JobStore jobs,
                  JobReportWriter reports) {
        this.targets = targets;
        this.vaultUsers = vaultUsers;
        this.templates = templates;
        this.jobs = jobs;
        this.reports = reports;
    }

    /**
     * Validates a mass-password-reset request and queues its job; sets headers {@code jobId} and {@code workflow}
     * for the hand-off to {@code seda:run-job}.
     */
    public JobView submitMassPasswordReset(Exchange exchange) {
        Message in = exchange.getIn();
        ApiJson.requireJson(in.getHeader(Exchange.CONTENT_TYPE, String.class));
        JsonNode body = ApiJson.readObject(in.getBody(byte[].class));
        for (Iterator<String> names = body.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!MPR_FIELDS.contains(name)) {
                throw ApiException.badRequest("INVALID_FIELD", "field '" + safe(name) + "': unknown field (known fields: "
                        + String.join(", ", new java.util.TreeSet<>(MPR_FIELDS)) + ")");
            }
        }
        List<String> targets = targets(body.get("target"));
        String vaultTarget = text(body, "vaultTarget");
        Target vault = this.targets.findTarget(vaultTarget).orElseThrow(() -> new ApiException(404, "NOT_FOUND",
                "field 'vaultTarget': unknown target id '" + safe(vaultTarget) + "'"));
        if (!VaultModel.VAULT_TARGET_TYPE.equals(vault.type())) {
            throw ApiException.badRequest("INVALID_FIELD", "field 'vaultTarget': target '" + vaultTarget
                    + "' is of type '" + vault.type() + "', not a vault target (type '" + VaultModel.VAULT_TARGET_TYPE + "')");
        }
        String linkAttr = text(body, "vaultLinkAttribute");
        if (!linkAttr.matches(Ids.ID_REGEX)) {
            throw ApiException.badRequest("INVALID_FIELD", "field 'vaultLinkAttribute': letters, digits, '_', '.', '-'"
                    + " only, at most 128 characters");
        }
        int batchSize;
        JsonNode size = body.get("batchSize");
        if (size != null && !size.isNull() && !size.canConvertToInt()) {
            throw ApiException.badRequest("INVALID_FIELD", "field 'batchSize': must be a whole number");
        }
        if (size != null && !size.isNull() && !size.isIntegralNumber()) {
            throw ApiException.badRequest("INVALID_FIELD", "field 'batchSize': must be a whole number");
        }
        try {
            batchSize = BatchPlanner.batchSize(size == null || size.isNull() ? null : size.asInt());
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("INVALID_FIELD", "field 'batchSize': " + e.getMessage());
        }
        boolean dryRun = flag(body, "dryRun") || "true".equalsIgnoreCase(in.getHeader("dryRun", String.class));
        boolean report = flag(body, "report") || "true".equalsIgnoreCase(in.getHeader("report", String.class));
        Map<String, Object> parameters = new LinkedHashMap<>();
        parameters.put("target", targets);
        parameters.put("vaultTarget", vaultTarget);
        parameters.put("vaultLinkAttribute", linkAttr);
        parameters.put("batchSize", batchSize);
        if (flag(body, MassPasswordReset.INCLUDE_ADMIN_ACCOUNTS)) {
            parameters.put(MassPasswordReset.INCLUDE_ADMIN_ACCOUNTS, true);
        }
        Principal principal = AccountApi.principal(exchange);
        Job job = jobs.create(new NewJob(MassPasswordReset.WORKFLOW, parameters, dryRun, report, principal.actor()));
        in.removeHeaders("*");
        in.setHeader("jobId", job.id());
        in.setHeader("workflow", job.workflow());
        in.setBody(null);
        return view(job, List.of());
    }

    private static final Set<String> OFFBOARD_FIELDS = Set.of("userToOffboard", "userToInherit", "target", "vaultTarget",
            "vaultAssociationAttribute", "vaultLinkAttribute", "report", "dryRun");

    /** Validates a single-user-offboard request and queues its job (headers as {@link #submitMassPasswordReset}). */
    public JobView submitSingleUserOffboard(Exchange exchange) {
        Message in = exchange.getIn();
        ApiJson.requireJson(in.getHeader(Exchange.CONTENT_TYPE, String.class));
        JsonNode body = ApiJson.readObject(in.getBody(byte[].class));
        for (Iterator<String> names = body.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!OFFBOARD_FIELDS.contains(name)) {
                throw ApiException.badRequest("INVALID_FIELD", "field '" + safe(name) + "': unknown field (known fields: "
                        + String.join(", ", new java.util.TreeSet<>(OFFBOARD_FIELDS)) + ")");
            }
        }
        String from = text(body, "userToOffboard");
        String to = text(body, "userToInherit");
        if (vaultUsers.findUser(from).isEmpty()) {
            throw new ApiException(404, "NOT_FOUND", "field 'userToOffboard': unknown user id '" + safe(from) + "'");
        }
        if (vaultUsers.findUser(to).isEmpty()) {
            throw new ApiException(404, "NOT_FOUND", "field 'userToInherit': unknown user id '" + safe(to) + "'");
        }
        if (from.equals(to)) {
            throw ApiException.badRequest("INVALID_FIELD", "field 'userToInherit': must differ from 'userToOffboard'");
        }
        List<String> targets = targets(body.get("target"));
        String vaultTarget = text(body, "vaultTarget");
        Target vault = this.targets.findTarget(vaultTarget).orElseThrow(() -> new ApiException(404, "NOT_FOUND",
                "field 'vaultTarget': unknown target id '" + safe(vaultTarget) + "'"));
        if (!VaultModel.VAULT_TARGET_TYPE.equals(vault.type())) {
            throw ApiException.badRequest("INVALID_FIELD", "field 'vaultTarget': target '" + vaultTarget
                    + "' is not a vault target (type '" + VaultModel.VAULT_TARGET_TYPE + "')");
        }
        String associationAttr = attribute(body, "vaultAssociationAttribute");
        String linkAttr = attribute(body, "vaultLinkAttribute");
        boolean dryRun = flag(body, "dryRun") || "true".equalsIgnoreCase(in.getHeader("dryRun", String.class));
        boolean report = flag(body, "report") || "true".equalsIgnoreCase(in.getHeader("report", String.class));
        Map<String, Object> parameters = new LinkedHashMap<>();
        parameters.put("userToOffboard", from);
        parameters.put("userToInherit", to);
        parameters.put("target", targets);
        parameters.put("vaultTarget", vaultTarget);
        parameters.put("vaultAssociationAttribute", associationAttr);
        parameters.put("vaultLinkAttribute", linkAttr);
        Job job = jobs.create(new NewJob(io.rotor.workflow.SingleUserOffboard.WORKFLOW, parameters, dryRun, report,
                AccountApi.principal(exchange).actor()));
        in.removeHeaders("*");
        in.setHeader("jobId", job.id());
        in.setHeader("workflow", job.workflow());
        in.setBody(null);
        return view(job, List.of());
    }

    private static final Set<String> ONBOARD_FIELDS = Set.of("target", "vaultUserTarget", "vaultTarget",
            "vaultAssociationAttribute", "vaultGroupAttribute", "vaultLinkAttribute", "vaultTemplateId", "batchSize",
            "report", "dryRun", io.rotor.workflow.MassOnboard.DISCOVERY_FILTER_FIELD);

    /**
     * Validates a mass-onboard request and queues its job (headers as {@link #submitMassPasswordReset}): the
     * template must exist on the vault target, the three attribute names must differ, and the users the template
     * associates must exist on the vault user target.
     */
    public JobView submitMassOnboard(Exchange exchange) {
        Message in = exchange.getIn();
        ApiJson.requireJson(in.getHeader(Exchange.CONTENT_TYPE, String.class));
        JsonNode body = ApiJson.readObject(in.getBody(byte[].class));
        knownFields(body, ONBOARD_FIELDS);
        List<String> targets = targets(body.get("target"));
        String discoveryFilter = discoveryFilter(body, targets);
        String userTarget = text(body, "vaultUserTarget");
        Target users = this.targets.findTarget(userTarget).orElseThrow(() -> new ApiException(404, "NOT_FOUND",
                "field 'vaultUserTarget': unknown target id '" + safe(userTarget) + "'"));
        if (!VaultModel.USER_TARGET_TYPE.equals(users.type())) {
            throw ApiException.badRequest("INVALID_FIELD", "field 'vaultUserTarget': target '" + userTarget
                    + "' is of type '" + users.type() + "', not a vault user target (type '" + VaultModel.USER_TARGET_TYPE + "')");
        }
        String vaultTarget = vaultTarget(body);
        String associationAttr = attribute(body, "vaultAssociationAttribute");
        String groupAttr = attribute(body, "vaultGroupAttribute");
        String linkAttr = attribute(body, "vaultLinkAttribute");
        if (new java.util.HashSet<>(List.of(associationAttr, groupAttr, linkAttr)).size() < 3) {
            throw ApiException.badRequest("INVALID_FIELD", "fields 'vaultAssociationAttribute', 'vaultGroupAttribute'"
                    + " and 'vaultLinkAttribute' must name three different attributes");
        }
        String templateId = text(body, "vaultTemplateId");
        io.rotor.domain.VaultTemplate template = (templateId.matches(Ids.ID_REGEX)
                ? templates.findTemplate(templateId) : java.util.Optional.<io.rotor.domain.VaultTemplate>empty())
                .orElseThrow(() -> new ApiException(404, "NOT_FOUND", "field 'vaultTemplateId': unknown template id '"
                        + safe(templateId) + "'"));
        if (!template.vaultTargetId().equals(vaultTarget)) {
            throw ApiException.badRequest("INVALID_FIELD", "field 'vaultTemplateId': template '" + templateId
                    + "' creates accounts on vault target '" + template.vaultTargetId() + "', not on '" + vaultTarget + "'");
        }
        if (!template.defaults(linkAttr).isEmpty()) {
            throw ApiException.badRequest("INVALID_FIELD", "field 'vaultTemplateId': template '" + templateId
                    + "' has default values for the link attribute '" + linkAttr + "'");
        }
        for (String user : template.defaults(associationAttr)) {
            io.rotor.domain.VaultUser known = vaultUsers.findUser(user).orElseThrow(() -> new ApiException(404, "NOT_FOUND",
                    "field 'vaultTemplateId': template '" + templateId + "' associates unknown user '" + safe(user) + "'"));
            if (!known.userTargetId().equals(userTarget)) {
                throw ApiException.badRequest("INVALID_FIELD", "field 'vaultTemplateId': template '" + templateId
                        + "' associates user '" + user + "' of user target '" + known.userTargetId() + "', not of '"
                        + userTarget + "'");
            }
        }
        int batchSize = batchSize(body);
        boolean dryRun = flag(body, "dryRun") || "true".equalsIgnoreCase(in.getHeader("dryRun", String.class));
        boolean report = flag(body, "report") || "true".equalsIgnoreCase(in.getHeader("report", String.class));
        Map<String, Object> parameters = new LinkedHashMap<>();
        parameters.put("target", targets);
        parameters.put("vaultUserTarget", userTarget);
        parameters.put("vaultTarget", vaultTarget);
        parameters.put("vaultAssociationAttribute", associationAttr);
        parameters.put("vaultGroupAttribute", groupAttr);
        parameters.put("vaultLinkAttribute", linkAttr);
        parameters.put("vaultTemplateId", templateId);
        parameters.put("batchSize", batchSize);
        if (discoveryFilter != null) {
            parameters.put(io.rotor.workflow.MassOnboard.DISCOVERY_FILTER_FIELD, discoveryFilter);
        }
        Job job = jobs.create(new NewJob(io.rotor.workflow.MassOnboard.WORKFLOW, parameters, dryRun, report,
                AccountApi.principal(exchange).actor()));
        in.removeHeaders("*");
        in.setHeader("jobId", job.id());
        in.setHeader("workflow", job.workflow());
        in.setBody(null);
        return view(job, List.of());
    }

    /**
     * The request's discovery filter (null when not given), refused unless every target then has a filter: the
     * request's or its own {@code discovery.filter} setting. Discovery without one would list every login.
     */
    private String discoveryFilter(JsonNode body, List<String> targetIds) {
        String field = io.rotor.workflow.MassOnboard.DISCOVERY_FILTER_FIELD;
        JsonNode node = body.get(field);
        if (node != null && !node.isNull() && !node.isTextual()) {
            throw ApiException.badRequest("INVALID_FIELD", "field '" + field + "': must be a string (a LIKE pattern)");
        }
        String filter = node == null || node.isNull() ? null : node.asText();
        for (String id : targetIds) {
            Target target = targets.findTarget(id).orElseThrow();
            try {
                io.rotor.workflow.MassOnboard.discoveryFilter(target, filter);
            } catch (IllegalArgumentException e) {
                throw ApiException.badRequest("INVALID_FIELD", "field '" + field + "': " + safe(e.getMessage(), 300));
            }
        }
        return filter == null || filter.isBlank() ? null : filter;
    }

    private static void knownFields(JsonNode body, Set<String> known) {
        for (Iterator<String> names = body.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!known.contains(name)) {
                throw ApiException.badRequest("INVALID_FIELD", "field '" + safe(name) + "': unknown field (known fields: "
                        + String.join(", ", new java.util.TreeSet<>(known)) + ")");
            }
        }
    }

    private String vaultTarget(JsonNode body) {
        String vaultTarget = text(body, "vaultTarget");
        Target vault = targets.findTarget(vaultTarget).orElseThrow(() -> new ApiException(404, "NOT_FOUND",
                "field 'vaultTarget': unknown target id '" + safe(vaultTarget) + "'"));
        if (!VaultModel.VAULT_TARGET_TYPE.equals(vault.type())) {
            throw ApiException.badRequest("INVALID_FIELD", "field 'vaultTarget': target '" + vaultTarget
                    + "' is of type '" + vault.type() + "', not a vault target (type '" + VaultModel.VAULT_TARGET_TYPE + "')");
        }
        return vaultTarget;
    }

    private static int batchSize(JsonNode body) {
        JsonNode size = body.get("batchSize");
        if (size != null && !size.isNull() && !(size.isIntegralNumber() && size.canConvertToInt())) {
            throw ApiException.badRequest("INVALID_FIELD", "field 'batchSize': must be a whole number");
        }
        try {
            return BatchPlanner.batchSize(size == null || size.isNull() ? null : size.asInt());
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("INVALID_FIELD", "field 'batchSize': " + e.getMessage());
        }
    }

    private static String attribute(JsonNode body, String field) {
        String value = text(body, field);
        if (!value.matches(Ids.ID_REGEX)) {
            throw ApiException.badRequest("INVALID_FIELD", "field '" + field + "': letters, digits, '_', '.', '-' only,"
                    + " at most 128 characters");
        }
        return value;
    }

    public List<JobView> list(Exchange exchange) {
        long offset = number(exchange, "offset", 0, Long.MAX_VALUE, 0);
        int limit = (int) number(exchange, "limit", 1, MAX_PAGE, DEFAULT_PAGE);
        return jobs.list(offset, limit).stream().map(j -> view(j, null)).toList();
    }

    public JobView get(String jobId) {
        Job job = find(jobId);
        return view(job, jobs.steps(job.id()));
    }

    public ResultsPage results(Exchange exchange, String jobId) {
        Job job = find(jobId);
        long offset = number(exchange, "offset", 0, Long.MAX_VALUE, 0);
        int limit = (int) number(exchange, "limit", 1, MAX_PAGE, DEFAULT_PAGE);
        List<ResultView> page = jobs.results(job.id(), offset, limit).stream().map(JobApi::view).toList();
        return new ResultsPage(job.id(), offset, limit, jobs.resultCount(job.id()), page);
    }

    /** Cancels a queued or running job; 409 when it has already ended. */
    public JobView cancel(String jobId, Principal principal) {
        Job job = find(jobId);
        if (!jobs.requestCancel(job.id(), principal.actor())) {
            throw ApiException.conflict("JOB_ENDED", "job " + job.id() + " has already ended " + job.status());
        }
        return get(job.id());
    }

    /** The job's SQLite report as bytes; 404 when none was requested or it is not written yet. */
    public byte[] report(String jobId) {
        Job job = find(jobId);
        java.util.Optional<Path> written = awaitReport(job);
        if (written.isEmpty() && reports.isBeingWritten(job.id())) {
            throw ApiException.notReadyYet(java.time.Duration.ofSeconds(5), "REPORT_BEING_WRITTEN", "the report of job "
                    + job.id() + " (status " + job.status() + ") is being written; ask again in a few seconds");
        }
        Path path = written.orElseThrow(() -> ApiException.notFound(!job.reportRequested()
                ? "job " + job.id() + " was run without a report (ask for one with \"report\": true)"
                : job.finishedAt() == null
                ? "the report of job " + job.id() + " is written when the job ends (status " + job.status() + ")"
                : "the report of job " + job.id() + " was not written (status " + job.status() + "; the server log says why)"));
        try {
            return Files.readAllBytes(path);
        } catch (IOException e) {
            throw new IllegalStateException("the report of job " + job.id() + " cannot be read", e);
        }
    }

    /**
     * The report file, waiting a little when the job has just ended: its end is recorded first and the report is
     * written right after, so a client that saw the job end may ask in between.
     */
    private java.util.Optional<Path> awaitReport(Job job) {
        java.util.Optional<Path> path = reports.find(job.id());
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(REPORT_WAIT_SECONDS);
        while (path.isEmpty() && job.reportRequested() && (job.finishedAt() != null || reports.isBeingWritten(job.id()))
                && System.nanoTime() < deadline) {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            path = reports.find(job.id());
        }
        return path;
    }

    private static final int REPORT_WAIT_SECONDS = 5;

    private Job find(String jobId) {
        try {
            return jobs.find(jobId).orElseThrow(() -> new UnknownJobException(jobId));
        } catch (UnknownJobException e) {
            throw ApiException.notFound(e.getMessage());
        } catch (IllegalArgumentException e) {
            throw ApiException.notFound("unknown job id '" + safe(jobId) + "'");
        }
    }

    private List<String> targets(JsonNode node) {
        List<String> ids = new ArrayList<>();
        if (node != null && node.isTextual()) {
            ids.add(node.asText());
        } else if (node != null && node.isArray()) {
            node.forEach(n -> {
                if (!n.isTextual()) {
                    throw ApiException.badRequest("INVALID_FIELD", "field 'target': a list of target ids (strings)");
                }
                ids.add(n.asText());
            });
        } else if (node != null && !node.isNull()) {
            throw ApiException.badRequest("INVALID_FIELD", "field 'target': a list of target ids (strings)");
        }
        if (ids.isEmpty()) {
            throw ApiException.badRequest("INVALID_FIELD", "field 'target': at least one target id is needed");
        }
        if (ids.size() > 100) {
            throw ApiException.badRequest("INVALID_FIELD", "field 'target': at most 100 target ids");
        }
        for (int i = 0; i < ids.size(); i++) {
            String id = ids.get(i);
            Target target = targets.findTarget(id).orElse(null);
            if (target == null) {
                throw new ApiException(404, "NOT_FOUND", "field 'target[" + i + "]': unknown target id '" + safe(id) + "'");
            }
            if (VaultModel.isVaultView(target.type())) {
                throw ApiException.badRequest("INVALID_FIELD", "field 'target[" + i + "]': '" + id
                        + "' is a vault view (type '" + target.type() + "'), not a target with backing accounts");
            }
        }
        return List.copyOf(new java.util.LinkedHashSet<>(ids));
    }

    private static String text(JsonNode body, String field) {
        JsonNode node = body.get(field);
        if (node == null || node.isNull() || !node.isTextual() || node.asText().isBlank()) {
            throw ApiException.badRequest("INVALID_FIELD", "field '" + field + "': required (a string)");
        }
        return node.asText();
    }

    private static boolean flag(JsonNode body, String field) {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) {
            return false;
        }
        if (!node.isBoolean()) {
            throw ApiException.badRequest("INVALID_FIELD", "field '" + field + "': must be true or false");
        }
        return node.asBoolean();
    }

    private static long number(Exchange exchange, String name, long min, long max, long fallback) {
        String value = exchange.getIn().getHeader(name, String.class);
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            long n = Long.parseLong(value.trim());
            if (n < min || n > max) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("INVALID_PARAMETER", "query parameter '" + name + "': a whole number from "
                    + min + (max == Long.MAX_VALUE ? "" : " to " + max));
        }
    }

    /** A value typed by the client, shortened and stripped of control characters before it is echoed. */
    static String safe(String value) {
        return safe(value, 64);
    }

    private static String safe(String value, int max) {
        if (value == null) {
            return "null";
        }
        String clean = value.replaceAll("[^\\x20-\\x7e]", "?");
        return clean.length() > max ? clean.substring(0, max) + "..." : clean;
    }

    static JobView view(Job job, List<JobStep> steps) {
        JsonNode parameters;
        try {
            parameters = ApiJson.MAPPER.readTree(job.parametersJson() == null ? "{}" : job.parametersJson());
        } catch (IOException e) {
            parameters = ApiJson.MAPPER.createObjectNode();
        }
        return new JobView(job.id(), job.workflow(), job.status().name(), job.dryRun(), job.reportRequested(),
                job.createdBy(), text(job.createdAt()), text(job.startedAt()), text(job.finishedAt()),
                new ProgressView(job.total(), job.done(), job.succeeded(), job.failed(), job.progress().percent()),
                job.cancelRequested(), job.reason(), parameters,
                steps == null ? null : steps.stream().map(s -> new StepView(s.stepNo(), s.name(), s.status().name(),
                        text(s.startedAt()), text(s.finishedAt()), s.done(), s.succeeded(), s.failed(), s.reason())).toList());
    }

    static ResultView view(JobResult r) {
        return new ResultView(r.accountId(), r.targetId(), r.step(), r.outcome(), r.success(), r.reason(),
                text(r.startedAt()), text(r.finishedAt()), r.durationMs());
    }

    private static String text(Instant instant) {
        return instant == null ? null : instant.toString();
    }

    public record ProgressView(long total, long done, long succeeded, long failed, int percent) {
    }

    public record StepView(int step, String name, String status, String startedAt, String finishedAt, long done,
                           long succeeded, long failed, String reason) {
    }

    public record JobView(String jobId, String workflow, String status, boolean dryRun, boolean report,
                          String createdBy, String createdAt, String startedAt, String finishedAt,
                          ProgressView progress, boolean cancelRequested, String reason, JsonNode parameters,
                          List<StepView> steps) {
    }

    public record ResultView(String accountId, String targetId, String step, String outcome, boolean success,
                             String reason, String startedAt, String finishedAt, Long durationMs) {
    }

    public record ResultsPage(String jobId, long offset, int limit, long total, List<ResultView> results) {
    }

    /** The 202 answer of a submitted job. */
    public record Accepted(String jobId, String status, String location) {
    }

}
