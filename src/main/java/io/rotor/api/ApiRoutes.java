package io.rotor.api;

import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.model.rest.RestBindingMode;
import org.apache.camel.model.rest.RestParamType;

import java.util.function.Supplier;

/**
 * The REST API under {@code /api/v1} on platform-http. Every REST endpoint only hands off to a {@code direct:}
 * route; each of those starts with the authentication and permission check ({@link Authenticator}), then calls
 * plain Java ({@link InventoryApi}, {@link AccountApi}) or the workflow's own {@code direct:} entry point
 * ({@code direct:rotate-account}, ...). The OpenAPI document at {@code /api/v1/openapi.json} is public: it
 * describes the API's shape and holds no data.
 *
 * <p>Beans it needs from the registry: {@code apiAuthenticator}, {@code apiInventory}, {@code apiAccounts}.
 */
public class ApiRoutes extends RouteBuilder {
    public static final String CONTEXT_PATH = "/api/v1";

    @Override
    public void configure() {
        // looked up when a request comes, so the beans may be bound after the routes are built
        Supplier<Authenticator> auth = bean("apiAuthenticator", Authenticator.class);
        Supplier<InventoryApi> inventoryBean = bean("apiInventory", InventoryApi.class);
        Supplier<AccountApi> accountsBean = bean("apiAccounts", AccountApi.class);

        restConfiguration()
                .component("platform-http")
                .contextPath(CONTEXT_PATH)
                .bindingMode(RestBindingMode.off)
                .apiContextPath("/openapi.json")
                .apiProperty("api.title", "Rotor API")
                .apiProperty("api.version", "1")
                .apiProperty("api.description", "Credential rotation. Authenticate with Authorization: Bearer <token>"
                        + " or HTTP Basic (service account). Errors are {\"code\", \"message\"}.");

        onException(Exception.class).handled(true).process(ApiReplies::error);
        HttpErrors.installWhenStarted(getContext());

        // ---- inventory: targets, policies, accounts
        crud("targets", "target", Views.TargetView.class);
        crud("policies", "policy", Views.PolicyView.class);
        crud("accounts", "account", Views.AccountView.class);

        from("direct:api-list-targets").routeId("api-list-targets")
                .process(guard(auth, Permission.READ_INVENTORY))
                .process(e -> ApiReplies.json(e, 200, inventoryBean.get().listTargets()));
        from("direct:api-get-target").routeId("api-get-target")
                .process(guard(auth, Permission.READ_INVENTORY))
                .process(e -> ApiReplies.json(e, 200, inventoryBean.get().getTarget(id(e))));
        from("direct:api-create-target").routeId("api-create-target")
                .process(guard(auth, Permission.WRITE_INVENTORY))
                .process(e -> ApiReplies.json(e, 201, inventoryBean.get().createTarget(body(e), principal(e))));
        from("direct:api-update-target").routeId("api-update-target")
                .process(guard(auth, Permission.WRITE_INVENTORY))
                .process(e -> ApiReplies.json(e, 200, inventoryBean.get().updateTarget(id(e), body(e), principal(e))));
        from("direct:api-delete-target").routeId("api-delete-target")
                .process(guard(auth, Permission.WRITE_INVENTORY))
                .process(e -> {
                    inventoryBean.get().deleteTarget(id(e), principal(e));
                    ApiReplies.noContent(e);
                });

        from("direct:api-list-policies").routeId("api-list-policies")
                .process(guard(auth, Permission.READ_INVENTORY))
                .process(e -> ApiReplies.json(e, 200, inventoryBean.get().listPolicies()));
        from("direct:api-get-policy").routeId("api-get-policy")
                .process(guard(auth, Permission.READ_INVENTORY))
                .process(e -> ApiReplies.json(e, 200, inventoryBean.get().getPolicy(id(e))));
        from("direct:api-create-policy").routeId("api-create-policy")
                .process(guard(auth, Permission.WRITE_INVENTORY))
                .process(e -> ApiReplies.json(e, 201, inventoryBean.get().createPolicy(body(e), principal(e))));
        from("direct:api-update-policy").routeId("api-update-policy")
                .process(guard(auth, Permission.WRITE_INVENTORY))
                .process(e -> ApiReplies.json(e, 200, inventoryBean.get().updatePolicy(id(e), body(e), principal(e))));
        from("direct:api-delete-policy").routeId("api-delete-policy")
                .process(guard(auth, Permission.WRITE_INVENTORY))
                .process(e -> {
                    inventoryBean.get().deletePolicy(id(e), principal(e));
                    ApiReplies.noContent(e);
                });

        from("direct:api-list-accounts").routeId("api-list-accounts")
                .process(guard(auth, Permission.READ_INVENTORY))
                .process(e -> ApiReplies.json(e, 200, inventoryBean.get().listAccounts(e.getIn().getHeader("target", String.class))));
        from("direct:api-get-account").routeId("api-get-account")
                .process(guard(auth, Permission.READ_INVENTORY))
                .process(e -> ApiReplies.json(e, 200, inventoryBean.get().getAccount(id(e))));
        from("direct:api-create-account").routeId("api-create-account")
                .process(guard(auth, Permission.WRITE_INVENTORY))
                .process(e -> ApiReplies.json(e, 201, inventoryBean.get().createAccount(body(e), principal(e))));
        from("direct:api-update-account").routeId("api-update-account")
                .process(guard(auth, Permission.WRITE_INVENTORY))
                .process(e -> ApiReplies.json(e, 200, inventoryBean.get().updateAccount(id(e), body(e), principal(e))));
        from("direct:api-delete-account").routeId("api-delete-account")
                .process(guard(auth, Permission.WRITE_INVENTORY))
                .process(e -> {
                    inventoryBean.get().deleteAccount(id(e), principal(e));
                    ApiReplies.noContent(e);
                });

        // ---- no lockouts (docs/architecture.md, "Automatic work"): drift report and re-enabling
        Supplier<AutomaticWorkApi> automaticBean = bean("apiAutomaticWork", AutomaticWorkApi.class);
        rest("/drift").description("Accounts and linked vault accounts that drifted from their target or backing account")
                .get().id("rest-drift").description("The drift report per target (admin, auditor); ?target=ID for one")
                .to("direct:api-drift")
                .post("/repair").id("rest-drift-repair")
                .description("Re-synchronise the differing linked vault accounts from their backing account (admin)")
                .to("direct:api-drift-repair");
        from("direct:api-drift").routeId("api-drift")
                .process(guard(auth, Permission.READ_AUDIT))
                .process(e -> ApiReplies.json(e, 200, automaticBean.get().report(e)));
        from("direct:api-drift-repair").routeId("api-drift-repair")
                .process(guard(auth, Permission.WRITE_INVENTORY))
                .process(e -> ApiReplies.json(e, 200, automaticBean.get().repair(e)));
        rest("/accounts").post("/{id}/enable").id("rest-enable-account")
                .description("Re-enable an account DISABLED for automatic work (admin); audited")
                .outType(Views.OperationView.class).to("direct:api-enable-account");
        from("direct:api-enable-account").routeId("api-enable-account")
                .process(guard(auth, Permission.WRITE_INVENTORY))
                .process(e -> ApiReplies.json(e, 200, automaticBean.get().enable(e)));

        // ---- operations on one account: hand-offs to the workflows' direct: entry points
        rest("/accounts").description("Operations on one account; the answer is the operation's result")
                .post("/{id}/rotate").id("rest-rotate-account").description("Rotate to a generated credential")
                .param().name("id").type(RestParamType.path).description("account id").endParam()
                .outType(Views.OperationView.class).to("direct:api-rotate-account")
                .post("/{id}/verify").id("rest-verify-account").description("Log in with CURRENT; IN_SYNC or OUT_OF_SYNC")
                .outType(Views.OperationView.class).to("direct:api-verify-account")
                .post("/{id}/reconcile").id("rest-reconcile-account").description("Reset through the target's admin account")
                .outType(Views.OperationView.class).to("direct:api-reconcile-account")
                .post("/{id}/set").id("rest-set-credential")
                .description("Set a given value ({\"value\": ...}) or a generated one ({\"generate\": true});"
                        + " vaultOnly stores it in the vault only")
                .type(Views.SetRequest.class)
                .outType(Views.OperationView.class).to("direct:api-set-credential")
                .post("/{id}/checkout").id("rest-checkout-account")
                .description("Exclusive use: answers the CURRENT secret (admin, operator); audited as a reveal")
                .outType(Views.CheckoutView.class).to("direct:api-checkout-account")
                .post("/{id}/checkin").id("rest-checkin-account").description("Release a checkout; a rotation follows")
                .outType(Views.OperationView.class).to("direct:api-checkin-account");

        from("direct:api-rotate-account").routeId("api-rotate-account")
                .process(guard(auth, Permission.OPERATE))
                .process(e -> accountsBean.get().prepare(e, true))
                .to("direct:rotate-account")
                .process(e -> accountsBean.get().answer(e));
        from("direct:api-verify-account").routeId("api-verify-account")
                .process(guard(auth, Permission.OPERATE))
                .process(e -> accountsBean.get().prepare(e, false))
                .to("direct:verify-account")
                .process(e -> accountsBean.get().answer(e));
        from("direct:api-reconcile-account").routeId("api-reconcile-account")
                .process(guard(auth, Permission.OPERATE))
                .process(e -> accountsBean.get().prepare(e, true))
                .to("direct:reconcile-account")
                .process(e -> accountsBean.get().answer(e));
        from("direct:api-set-credential").routeId("api-set-credential")
                .process(guard(auth, Permission.OPERATE))
                .process(e -> accountsBean.get().prepareSet(e))
                .to("direct:set-credential")
                .process(e -> accountsBean.get().answer(e));
        from("direct:api-checkout-account").routeId("api-checkout-account")
                .process(guard(auth, Permission.READ_SECRET))
                .process(e -> accountsBean.get().checkout(e));
        from("direct:api-checkin-account").routeId("api-checkin-account")
                .process(guard(auth, Permission.OPERATE))
                .process(e -> accountsBean.get().checkin(e))
                .to("direct:rotate-account")
                .process(e -> accountsBean.get().answer(e));

        // ---- workflows and jobs: the REST route hands off to direct:, which queues the job for seda:run-job
        Supplier<JobApi> jobsBean = bean("apiJobs", JobApi.class);
        rest("/workflows").description("Bulk workflows; each answers 202 with a job to follow under /jobs/{id}")
                .post("/mass-password-reset").id("rest-mass-password-reset")
                .description("New passwords for the backing accounts of the targets (rotation protocol), copied into"
                        + " the linked vault accounts. Body: target (ids), vaultTarget, vaultLinkAttribute, batchSize"
                        + " (default 256, at least 32), report, dryRun, includeAdminAccounts (also the targets' own"
                        + " admin/login accounts, rotated after every other account). Accounts without a linked vault"
                        + " account are skipped, with the reason in the job's results (admin, operator)")
                .param().name("dryRun").type(RestParamType.query).required(false).dataType("boolean")
                .description("plan only: record which accounts, which steps, in which order; touch nothing").endParam()
                .param().name("report").type(RestParamType.query).required(false).dataType("boolean")
                .description("write a SQLite report when the job ends").endParam()
                .outType(JobApi.JobView.class).to("direct:api-mass-password-reset")
                .post("/mass-onboard").id("rest-mass-onboard")
                .description("The seed's six steps: missing user groups created on the vault user target, users added"
                        + " to them, discovery on the targets and a vault resync, initial passwords generated and set on"
                        + " the targets (rotation protocol), vault accounts created from the template, linked, grouped"
                        + " and associated. Body: target (ids), vaultUserTarget, vaultTarget, vaultAssociationAttribute,"
                        + " vaultGroupAttribute, vaultLinkAttribute, vaultTemplateId, discoveryFilter (else each"
                        + " target's discovery.filter setting; one of them is required), batchSize (default 256, at"
                        + " least 32), report, dryRun. The onboarding deny-list (superusers, system accounts, the"
                        + " target's own accounts) always applies; the dry run names every login it would onboard"
                        + " and every one it refuses, and why (admin only)")
                .param().name("dryRun").type(RestParamType.query).required(false).dataType("boolean")
                .description("plan only: record which accounts, which steps, in which order; touch nothing").endParam()
                .param().name("report").type(RestParamType.query).required(false).dataType("boolean")
                .description("write a SQLite report when the job ends").endParam()
                .outType(JobApi.JobView.class).to("direct:api-mass-onboard")
                .post("/single-user-offboard").id("rest-single-user-offboard")
                .description("The departing user's groups and associations go to the inheriting user, who then alone"
                        + " has the access. Body: userToOffboard, userToInherit, target (ids), vaultTarget,"
                        + " vaultAssociationAttribute, vaultLinkAttribute, report, dryRun (admin, operator)")
                .outType(JobApi.JobView.class).to("direct:api-single-user-offboard");
        from("direct:api-single-user-offboard").routeId("api-single-user-offboard")
                .process(guard(auth, Permission.RUN_WORKFLOW))
                .process(e -> e.setVariable("job", jobsBean.get().submitSingleUserOffboard(e)))
                .to(org.apache.camel.ExchangePattern.InOnly, "seda:run-job")
                .process(e -> accepted(e));
        from("direct:api-mass-onboard").routeId("api-mass-onboard")
                .process(guard(auth, Permission.ONBOARD))
                .process(e -> e.setVariable("job", jobsBean.get().submitMassOnboard(e)))
                .to(org.apache.camel.ExchangePattern.InOnly, "seda:run-job")
                .process(e -> accepted(e));
        from("direct:api-mass-password-reset").routeId("api-mass-password-reset")
                .process(guard(auth, Permission.RUN_WORKFLOW))
                .process(e -> e.setVariable("job", jobsBean.get().submitMassPasswordReset(e)))
                .to(org.apache.camel.ExchangePattern.InOnly, "seda:run-job")
                .process(e -> accepted(e));

        rest("/jobs").description("Jobs of the bulk workflows: status, progress, results, report, cancel")
                .get().id("rest-list-jobs").description("Jobs, newest first (offset, limit)")
                .param().name("offset").type(RestParamType.query).required(false).dataType("integer").endParam()
                .param().name("limit").type(RestParamType.query).required(false).dataType("integer").endParam()
                .outType(JobApi.JobView[].class).to("direct:api-list-jobs")
                .get("/{id}").id("rest-get-job").description("Status, progress counters and steps")
                .outType(JobApi.JobView.class).to("direct:api-get-job")
                .get("/{id}/results").id("rest-job-results").description("Per-account results in recording order (offset, limit)")
                .outType(JobApi.ResultsPage.class).to("direct:api-job-results")
                .get("/{id}/report").id("rest-job-report").description("The SQLite report (application/vnd.sqlite3)")
                .to("direct:api-job-report")
                .delete("/{id}").id("rest-cancel-job")
                .description("Cancel: a queued job ends at once; a running one stops after the batch in flight (admin, operator)")
                .outType(JobApi.JobView.class).to("direct:api-cancel-job");
        // ---- the cluster (docs/architecture.md, "Cluster"): nodes, heartbeats, what each runs
        Supplier<ClusterApi> clusterBean = bean("apiCluster", ClusterApi.class);
        rest("/cluster").description("The nodes on this vault: last heartbeat, role and what each runs")
                .get().id("rest-cluster").description("Nodes of the cluster (admin, operator, auditor)")
                .outType(io.rotor.cluster.ClusterNode.View.class).to("direct:api-cluster");
        from("direct:api-cluster").routeId("api-cluster")
                .process(guard(auth, Permission.READ_JOBS))
                .process(e -> ApiReplies.json(e, 200, clusterBean.get().view()));
        from("direct:api-list-jobs").routeId("api-list-jobs")
                .process(guard(auth, Permission.READ_JOBS))
                .process(e -> ApiReplies.json(e, 200, jobsBean.get().list(e)));
        from("direct:api-get-job").routeId("api-get-job")
                .process(guard(auth, Permission.READ_JOBS))
                .process(e -> ApiReplies.json(e, 200, jobsBean.get().get(id(e))));
        from("direct:api-job-results").routeId("api-job-results")
                .process(guard(auth, Permission.READ_JOBS))
                .process(e -> ApiReplies.json(e, 200, jobsBean.get().results(e, id(e))));
        from("direct:api-job-report").routeId("api-job-report")
                .process(guard(auth, Permission.READ_JOBS))
                .process(e -> {
                    String jobId = id(e);
                    byte[] file = jobsBean.get().report(jobId);
                    Message out = e.getMessage();
                    out.removeHeaders("*");
                    out.setHeader(Exchange.HTTP_RESPONSE_CODE, 200);
                    out.setHeader(Exchange.CONTENT_TYPE, "application/vnd.sqlite3");
                                out.setHeader("Content-Disposition", "attachment; filename=\"job-" + jobId.replaceAll("[^A-Za-z0-9-]", "") + ".sqlite\"");
                    out.setBody(file);
                });
        from("direct:api-cancel-job").routeId("api-cancel-job")
                .process(guard(auth, Permission.RUN_WORKFLOW))
                .process(e -> ApiReplies.json(e, 202, jobsBean.get().cancel(id(e), principal(e))));

        // ---- schemas: what entries are validated against (the console renders its forms from them)
        SchemaApi schemas = new SchemaApi(io.rotor.schema.Schemas.shipped());
        rest("/schemas").description("JSON Schemas of the entries and of each connector type's settings")
                .get().id("rest-list-schemas").description("Every schema: name, kind (entity or connector), title")
                .outType(SchemaApi.SchemaView[].class).to("direct:api-list-schemas")
                .get("/{name}").id("rest-get-schema")
                .description("One schema (JSON Schema 2020-12, self-contained): target, account, policy, user, group,"
                        + " template, changer, workflow-request, connector-<type>")
                .param().name("name").type(RestParamType.path).description("schema name").endParam()
                .to("direct:api-get-schema");
        from("direct:api-list-schemas").routeId("api-list-schemas")
                .process(guard(auth, Permission.READ_INVENTORY))
                .process(e -> ApiReplies.json(e, 200, schemas.list()));
        from("direct:api-get-schema").routeId("api-get-schema")
                .process(guard(auth, Permission.READ_INVENTORY))
                .process(e -> ApiReplies.json(e, 200, schemas.get(e.getIn().getHeader("name", String.class))));

        // ---- audit trail
        rest("/audit").description("The audit trail, newest first")
                .get().id("rest-audit").description("Audit records (admin, auditor)")
                .param().name("account").type(RestParamType.query).required(false).description("only this account").endParam()
                .param().name("limit").type(RestParamType.query).required(false).dataType("integer")
                .description("at most this many (1-" + AccountApi.MAX_AUDIT_LIMIT + ", default "
                        + AccountApi.DEFAULT_AUDIT_LIMIT + ")").endParam()
                .outType(Views.AuditView[].class).to("direct:api-audit");
        from("direct:api-audit").routeId("api-audit")
                .process(guard(auth, Permission.READ_AUDIT))
                .process(e -> ApiReplies.json(e, 200, accountsBean.get().audit(e)));
    }

    /** 202 with the queued job's id and its Location. */
    private static void accepted(Exchange e) {
        JobApi.JobView job = e.getVariable("job", JobApi.JobView.class);
        ApiReplies.json(e, 202, new JobApi.Accepted(job.jobId(), job.status(), CONTEXT_PATH + "/jobs/" + job.jobId()));
        e.getMessage().setHeader("Location", CONTEXT_PATH + "/jobs/" + job.jobId());
    }

    /** GET/POST on the collection, GET/PUT/DELETE on one item, each handing off to direct:api-{verb}-{kind}. */
    private void crud(String collection, String kind, Class<?> view) {
        String plural = collection.equals("policies") ? "policies" : kind + "s";
        rest("/" + collection).description(plural.substring(0, 1).toUpperCase() + plural.substring(1) + " (inventory)")
                .get().id("rest-list-" + plural).description("List " + plural).outType(arrayOf(view))
                .to("direct:api-list-" + plural)
                .post().id("rest-create-" + kind).description("Create a " + kind + " (admin)")
                .type(view).outType(view).to("direct:api-create-" + kind)
                .get("/{id}").id("rest-get-" + kind).description("One " + kind).outType(view)
                .to("direct:api-get-" + kind)
                .put("/{id}").id("rest-update-" + kind).description("Replace a " + kind + " (admin)")
                .type(view).outType(view).to("direct:api-update-" + kind)
                .delete("/{id}").id("rest-delete-" + kind).description("Delete a " + kind + " (admin)")
                .to("direct:api-delete-" + kind);
    }

    private static Class<?> arrayOf(Class<?> type) {
        return java.lang.reflect.Array.newInstance(type, 0).getClass();
    }

    /**
     * Refuses a state-changing request a browser could send cross-site ({@link BrowserSafety}), then
     * authenticates and authorises, records the principal, and drops the credential from the message.
     */
    static Processor guard(Supplier<Authenticator> auth, Permission permission) {
        return exchange -> {
            Message in = exchange.getIn();
            String method = in.getHeader(Exchange.HTTP_METHOD, "?", String.class);
            BrowserSafety.requireNonSimpleRequest(method, in.getHeader(Exchange.CONTENT_TYPE, String.class),
                    in.getHeader(BrowserSafety.CSRF_HEADER, String.class), in.getHeader("Authorization", String.class));
            String request = method + " "
                    + truncate(in.getHeader(Exchange.HTTP_PATH, in.getHeader(Exchange.HTTP_URI, "?", String.class), String.class));
            String authorization = in.getHeader("Authorization", String.class);
            in.removeHeader("Authorization");
            exchange.setProperty(AccountApi.PRINCIPAL, auth.get().authorize(authorization, clientAddress(in), permission, request));
        };
    }

    /** The client's IP address as the HTTP server saw it (no proxy header is trusted), or null. */
    private static String clientAddress(Message in) {
        Object address = in.getHeader("CamelVertxPlatformHttpRemoteAddress");
        return address instanceof io.vertx.core.net.SocketAddress socket ? socket.hostAddress() : null;
    }

    private static String truncate(String path) {
        String clean = path.replaceAll("[^\\x21-\\x7e]", "?");
        return clean.length() > 200 ? clean.substring(0, 200) + "..." : clean;
    }

    private static String id(Exchange e) {
        return e.getIn().getHeader("id", String.class);
    }

    private static com.fasterxml.jackson.databind.JsonNode body(Exchange e) {
        ApiJson.requireJson(e.getIn().getHeader(Exchange.CONTENT_TYPE, String.class));
        return ApiJson.readObject(e.getIn().getBody(byte[].class));
    }

    private static Principal principal(Exchange e) {
        return AccountApi.principal(e);
    }

    private <T> Supplier<T> bean(String name, Class<T> type) {
        return () -> {
            T bean = getContext().getRegistry().lookupByNameAndType(name, type);
            if (bean == null) {
                throw new IllegalStateException("the API needs the bean '" + name + "' (" + type.getSimpleName() + ")");
            }
            return bean;
        };
    }
}
