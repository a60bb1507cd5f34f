package io.rotor.console;

import io.rotor.api.AccountApi;
import io.rotor.api.ApiException;
import io.rotor.api.Authenticator;
import io.rotor.api.InventoryApi;
import io.rotor.api.JobApi;
import io.rotor.api.PdrApi;
import io.rotor.api.PdrRules;
import io.rotor.api.Permission;
import io.rotor.api.Principal;
import io.rotor.api.Views;
import io.rotor.domain.AccountStatus;
import io.rotor.health.TargetMonitor;
import io.rotor.vault.AuditFilter;
import io.rotor.vault.AuditLog;
import io.rotor.vault.AuditRecord;
import io.rotor.vault.StoredCredential;
import io.rotor.workflow.OperationResult;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangePattern;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.support.DefaultExchange;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the console's pages read and do, over the API's own beans (docs/architecture.md, "Console"): sign-in through
 * the {@link Authenticator} (same lockouts and audit as the API), every permission from {@link Permission}, account
 * operations through the workflows' {@code direct:} routes, jobs and PDRs through {@link JobApi} and
 * {@link PdrApi}. It knows nothing of HTTP; {@link ConsoleServer} does.
 */
public class Console {
    /** Statuses in the order the dashboard lists them: the ones needing attention first. */
    static final List<AccountStatus> STATUS_ORDER = List.of(AccountStatus.OUT_OF_SYNC, AccountStatus.NEEDS_RECONCILE,
            AccountStatus.PENDING, AccountStatus.DISABLED, AccountStatus.UNVERIFIED, AccountStatus.IN_SYNC);
    static final int AUDIT_ROWS = 200;
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    private final Authenticator authenticator;
    private final ConsoleSessions sessions;
    private final InventoryApi inventory;
    private final AccountApi accounts;
    private final JobApi jobs;
    private final PdrApi pdrs;
    private final TargetMonitor monitor;
    private final AuditLog audit;
    private volatile CamelContext context;
    private volatile ProducerTemplate producer;

    public Console(Authenticator authenticator, ConsoleSessions sessions, InventoryApi inventory, AccountApi accounts,
                   JobApi jobs, PdrApi pdrs, TargetMonitor monitor, AuditLog audit) {
        this.authenticator = authenticator;
        this.sessions = sessions;
        this.inventory = inventory;
        this.accounts = accounts;
        this.jobs = jobs;
        this.pdrs = pdrs;
        this.monitor = monitor;
        this.audit = audit;
    }

    void attach(CamelContext context) {
        this.context = context;
        this.producer = context.createProducerTemplate();
    }

    public ConsoleSessions sessions() {
        return sessions;
    }

    // ---------------------------------------------------------------- sign-in

    /**
     * @throws ApiException 401 / 429 exactly as the API answers a Basic login (the same throttle and audit records)
     */
    public ConsoleSessions.Session signIn(String username, char[] password, String address) {
        try {
            Principal principal = authenticator.authenticateServiceAccount(username, password, address, "POST /sign-in (console)");
            return sessions.start(principal);
        } finally {
            java.util.Arrays.fill(password, '\0');
        }
    }

    public void signOut(ConsoleSessions.Session session) {
        sessions.end(session.id());
        audit.record(AuditRecord.of(session.principal().actor(), "CONSOLE_SIGN_OUT", null, null, null, "SUCCEEDED",
                "signed out of the console"));
    }

    /** @throws ApiException 403 when the session's role lacks the permission (audited, as the API does) */
    public void require(ConsoleSessions.Session session, Permission permission, String request) {
        if (!permission.allows(session.role())) {
            audit.record(AuditRecord.of(session.principal().actor(), "API_DENIED", null, null, null, "DENIED",
                    "role " + session.role().configName() + " may not " + permission.name().toLowerCase(Locale.ROOT)
                            .replace('_', ' ') + ": " + request + " (console)"));
            throw new ApiException(403, "FORBIDDEN", "your role (" + session.role().configName() + ") may not do this");
        }
    }

    public static ConsolePages.Page page(ConsoleSessions.Session session, String title, String active) {
        return new ConsolePages.Page(title, active, session.username(), session.role().configName(), session.csrfToken());
    }

    // ---------------------------------------------------------------- dashboard

    public ConsolePages.Dashboard dashboard(ConsoleSessions.Session session) {
        ConsolePages.Page page = page(session, "Dashboard", "dashboard");
        List<Views.AccountView> all = page.inventory() ? inventory.listAccounts(null) : List.of();
        Map<String, Long> counts = new TreeMap<>();
        all.forEach(a -> counts.merge(a.status(), 1L, Long::sum));
        List<ConsolePages.StatusCount> statuses = new ArrayList<>();
        for (AccountStatus status : STATUS_ORDER) {
            statuses.add(new ConsolePages.StatusCount(status.name(), counts.getOrDefault(status.name(), 0L),
                    needsAttention(status.name())));
        }
        List<Views.AccountView> attention = all.stream().filter(a -> needsAttention(a.status()))
                .sorted(Comparator.comparingInt((Views.AccountView a) -> rank(a.status())).thenComparing(Views.AccountView::id))
                .limit(50).toList();
        List<JobApi.JobView> running = page.jobs() ? jobs.list(exchange(session)).stream()
                .filter(j -> j.status().equals("QUEUED") || j.status().equals("RUNNING")).toList() : List.of();
        boolean details = Permission.READ_AUDIT.allows(session.role());
        List<ConsolePages.TargetHealth> targets = page.inventory() ? monitor.statuses().stream()
                .map(t -> new ConsolePages.TargetHealth(t.targetId(), t.type(), t.state().name(),
                        details ? t.address() : null, details ? t.reason() : null, t.checkedAt()))
                .sorted(Comparator.comparing((ConsolePages.TargetHealth t) -> t.state().equals("UP")).thenComparing(ConsolePages.TargetHealth::id))
                .toList() : List.of();
        return new ConsolePages.Dashboard(page, statuses, attention, running, targets);
    }

    static boolean needsAttention(String status) {
        return !status.equals(AccountStatus.IN_SYNC.name()) && !status.equals(AccountStatus.UNVERIFIED.name());
    }

    private static int rank(String status) {
        for (int i = 0; i < STATUS_ORDER.size(); i++) {
            if (STATUS_ORDER.get(i).name().equals(status)) {
                return i;
            }
        }
        return STATUS_ORDER.size();
    }

    // ---------------------------------------------------------------- accounts

    public ConsolePages.Accounts accounts(ConsoleSessions.Session session, String query, String status, String target,
                                          String message) {
        require(session, Permission.READ_INVENTORY, "GET /accounts");
        String q = query == null ? "" : query.strip().toLowerCase(Locale.ROOT);
        List<Views.AccountView> all = inventory.listAccounts(null);
        List<Views.AccountView> shown = all.stream()
                .filter(a -> q.isEmpty() || a.id().toLowerCase(Locale.ROOT).contains(q)
                        || a.username().toLowerCase(Locale.ROOT).contains(q))
                .filter(a -> blank(status) || a.status().equals(status))
                .filter(a -> blank(target) || a.target().equals(target))
                .sorted(Comparator.comparingInt((Views.AccountView a) -> rank(a.status())).thenComparing(Views.AccountView::id))
                .toList();
        List<String> targets = all.stream().map(Views.AccountView::target).distinct().sorted().toList();
        return new ConsolePages.Accounts(page(session, "Accounts", "accounts"), query == null ? "" : query,
                status == null ? "" : status, target == null ? "" : target, shown,
                STATUS_ORDER.stream().map(Enum::name).toList(), targets, message);
    }

    public ConsolePages.Targets targets(ConsoleSessions.Session session) {
        require(session, Permission.READ_INVENTORY, "GET /targets");
        List<ConsolePages.TargetHealth> health = monitor.statuses().stream()
                .map(t -> new ConsolePages.TargetHealth(t.targetId(), t.type(), t.state().name(), null, null, t.checkedAt()))
                .toList();
        return new ConsolePages.Targets(page(session, "Targets", "targets"), inventory.listTargets(), health);
    }

    /** rotate, verify or reconcile through the workflow's route; answers a line for the page. */
    public String operate(ConsoleSessions.Session session, String accountId, String operation) {
        require(session, Permission.OPERATE, "POST /accounts/" + accountId + "/" + operation);
        String route = switch (operation) {
            case "rotate" -> "direct:rotate-account";
            case "verify" -> "direct:verify-account";
            case "reconcile" -> "direct:reconcile-account";
            default -> throw ApiException.notFound("no such operation '" + operation + "'");
        };
        Exchange exchange = exchange(session);
        exchange.getIn().setHeader("id", accountId);
        accounts.prepare(exchange, !operation.equals("verify"));
        return result(call(route, exchange));
    }

    public String checkin(ConsoleSessions.Session session, String accountId) {
        require(session, Permission.OPERATE, "POST /accounts/" + accountId + "/checkin");
        Exchange exchange = exchange(session);
        exchange.getIn().setHeader("id", accountId);
        accounts.checkin(exchange);
        return "checked in; " + result(call("direct:rotate-account", exchange));
    }

    public ConsolePages.Checkout checkout(ConsoleSessions.Session session, String accountId) {
        require(session, Permission.READ_SECRET, "POST /accounts/" + accountId + "/checkout");
        Views.AccountView account = inventory.getAccount(accountId);
        try (StoredCredential credential = accounts.checkOut(accountId, session.principal())) {
            return new ConsolePages.Checkout(page(session, "Checkout", "accounts"), account.id(), account.target(),
                    account.username(), credential.version(), credential.secret().reveal());
        }
    }

    private Exchange call(String route, Exchange exchange) {
        Exchange done = producer.send(route, exchange);
        if (done.getException() != null) {
            RuntimeException failure = done.getException() instanceof RuntimeException r ? r
                    : new IllegalStateException(done.getException().getMessage(), done.getException());
            throw failure;
        }
        return done;
    }

    private static String result(Exchange exchange) {
        OperationResult result = exchange.getMessage().getBody(OperationResult.class);
        if (result == null) {
            throw new IllegalStateException("the workflow answered no result");
        }
        return result.accountId() + ": " + result.operation() + " " + result.outcome() + " (status " + result.status()
                + ")" + (result.detail() == null ? "" : " - " + result.detail());
    }

    // ---------------------------------------------------------------- jobs

    public ConsolePages.Jobs jobs(ConsoleSessions.Session session) {
        require(session, Permission.READ_JOBS, "GET /jobs");
        return new ConsolePages.Jobs(page(session, "Jobs", "jobs"), jobs.list(exchange(session)));
    }

    public ConsolePages.JobDetail job(ConsoleSessions.Session session, String jobId, String outcome, String pdr) {
        require(session, Permission.READ_JOBS, "GET /jobs/" + jobId);
        JobApi.JobView job = jobs.get(jobId);
        Exchange page = exchange(session);
        page.getIn().setHeader("limit", String.valueOf(JobApi.MAX_PAGE));
        JobApi.ResultsPage results = jobs.results(page, jobId);
        List<String> outcomes = results.results().stream().map(JobApi.ResultView::outcome).distinct().sorted().toList();
        List<JobApi.ResultView> shown = results.results().stream()
                .filter(r -> blank(outcome) || r.outcome().equals(outcome)).toList();
        boolean running = job.status().equals("QUEUED") || job.status().equals("RUNNING");
        String pdrName = null;
        boolean confirmable = false;
        if (!blank(pdr) && job.dryRun()) {
            try {
                io.rotor.domain.PredefinedRequest saved = pdrs.find(pdr);
                pdrName = saved.name();
                confirmable = job.status().equals("SUCCEEDED") && Permission.RUN_WORKFLOW.allows(session.role())
                        && PdrRules.WORKFLOWS.get(saved.workflow()).allows(session.role());
            } catch (ApiException unknown) {
                pdrName = null;
            }
        }
        return new ConsolePages.JobDetail(page(session, "Job " + job.jobId(), "jobs"), job, shown, results.total(),
                outcome == null ? "" : outcome, outcomes, running, pdrName, confirmable);
    }

    public void cancel(ConsoleSessions.Session session, String jobId) {
        require(session, Permission.RUN_WORKFLOW, "POST /jobs/" + jobId + "/cancel");
        jobs.cancel(jobId, session.principal());
    }

    public byte[] report(ConsoleSessions.Session session, String jobId) {
        require(session, Permission.READ_JOBS, "GET /jobs/" + jobId + "/report");
        return jobs.report(jobId);
    }

    // ---------------------------------------------------------------- pre-defined requests

    public ConsolePages.Pdrs pdrs(ConsoleSessions.Session session, String message) {
        require(session, Permission.READ_JOBS, "GET /pdrs");
        return new ConsolePages.Pdrs(page(session, "Pre-defined requests", "pdrs"), pdrs.list(),
                PdrRules.WORKFLOWS.keySet().stream().sorted().toList(), message);
    }

    public void savePdr(ConsoleSessions.Session session, String name, String workflow, String description,
                        String parametersJson) {
        require(session, Permission.WRITE_INVENTORY, "POST /pdrs");
        com.fasterxml.jackson.databind.JsonNode parameters;
        try {
            parameters = JSON.readTree(parametersJson == null ? "" : parametersJson);
        } catch (java.io.IOException e) {
            throw ApiException.badRequest("INVALID_FIELD", "field 'parameters': not valid JSON");
        }
        com.fasterxml.jackson.databind.node.ObjectNode body = JSON.createObjectNode();
        body.put("workflow", workflow);
        body.put("description", description);
        body.set("parameters", parameters);
        pdrs.save(name, body, session.principal());
    }

    public void deletePdr(ConsoleSessions.Session session, String name) {
        require(session, Permission.WRITE_INVENTORY, "POST /pdrs/" + name + "/delete");
        pdrs.delete(name, session.principal());
    }

    /** A dry run ({@code plan} null) or the confirmed run of a dry run's plan; answers the new job's id. */
    public String runPdr(ConsoleSessions.Session session, String name, boolean dryRun, String plan) {
        require(session, Permission.RUN_WORKFLOW, "POST /pdrs/" + name + "/run");
        Exchange exchange = exchange(session);
        exchange.getIn().setHeader(PdrApi.NAME, name);
        exchange.getIn().setHeader(PdrApi.DRY_RUN, String.valueOf(dryRun));
        exchange.getIn().setHeader(PdrApi.PLAN, plan);
        JobApi.JobView job = pdrs.submit(exchange);
        exchange.setPattern(ExchangePattern.InOnly);
        call("seda:run-job", exchange);
        return job.jobId();
    }

    // ---------------------------------------------------------------- audit

    public ConsolePages.Audit audit(ConsoleSessions.Session session, String account, String actor, String operation,
                                    String outcome) {
        require(session, Permission.READ_AUDIT, "GET /audit");
        List<AuditRecord> records = audit.search(new AuditFilter(emptyToNull(account), emptyToNull(actor),
                emptyToNull(operation == null ? null : operation.strip().toUpperCase(Locale.ROOT)), null,
                blank(outcome) ? AUDIT_ROWS : 1000));
        List<ConsolePages.AuditRow> rows = records.stream()
                .filter(r -> blank(outcome) || outcome.strip().equalsIgnoreCase(r.outcome()))
                .limit(AUDIT_ROWS)
                .map(r -> new ConsolePages.AuditRow(r.at() == null ? "" : r.at().toString(), r.actor(), r.operation(),
                        r.accountId(), r.targetId(), r.outcome(), r.detail()))
                .toList();
        return new ConsolePages.Audit(page(session, "Audit", "audit"), rows, orEmpty(account), orEmpty(actor),
                orEmpty(operation), orEmpty(outcome));
    }

    // ---------------------------------------------------------------- helpers

    private Exchange exchange(ConsoleSessions.Session session) {
        Exchange exchange = new DefaultExchange(context);
        exchange.setProperty(AccountApi.PRINCIPAL, session.principal());
        return exchange;
    }

    static boolean blank(String text) {
        return text == null || text.isBlank();
    }

    private static String emptyToNull(String text) {
        return blank(text) ? null : text.strip();
    }

    private static String orEmpty(String text) {
        return text == null ? "" : text;
    }
}
