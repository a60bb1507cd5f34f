package io.rotor.api;

import org.apache.camel.ExchangePattern;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.model.rest.RestBindingMode;
import org.apache.camel.model.rest.RestParamType;

import java.util.function.Supplier;

/**
 * Pre-defined requests under {@code /api/v1/pdrs} (README, "Console"): list and read (admin, operator, auditor),
 * save and delete (admin), run (admin, operator; a mass-onboard PDR: admin). A run answers 202 with the job, like
 * {@code POST /workflows/...}: {@code ?dryRun=true} plans, {@code ?plan=JOBID} confirms that dry run's plan.
 *
 * <p>Beans: {@code apiAuthenticator}, {@code apiPdrs}.
 */
public class PdrApiRoutes extends RouteBuilder {
    @Override
    public void configure() {
        Supplier<Authenticator> auth = () -> lookup("apiAuthenticator", Authenticator.class);
        Supplier<PdrApi> pdrs = () -> lookup("apiPdrs", PdrApi.class);

        restConfiguration()
                .component("platform-http")
                .contextPath(ApiRoutes.CONTEXT_PATH)
                .bindingMode(RestBindingMode.off)
                .apiContextPath("/openapi.json");

        onException(Exception.class).handled(true).process(ApiReplies::error);

        rest("/pdrs").description("Pre-defined requests: a bulk workflow's parameters saved under a name")
                .get().id("rest-list-pdrs").description("Every PDR (admin, operator, auditor)")
                .outType(PdrApi.PdrView[].class).to("direct:api-list-pdrs")
                .get("/{name}").id("rest-get-pdr").description("One PDR").outType(PdrApi.PdrView.class)
                .to("direct:api-get-pdr")
                .put("/{name}").id("rest-save-pdr")
                .description("Create or replace (admin). Body: workflow (mass-password-reset, mass-onboard,"
                        + " single-user-offboard), description, parameters (the workflow's request fields, without dryRun)")
                .outType(PdrApi.PdrView.class).to("direct:api-save-pdr")
                .delete("/{name}").id("rest-delete-pdr").description("Delete (admin)").to("direct:api-delete-pdr")
                .post("/{name}/run").id("rest-run-pdr")
                .description("Run: ?dryRun=true plans and touches nothing; ?plan=JOBID runs for real after that dry run"
                        + " succeeded with the PDR's current parameters (admin, operator; mass-onboard: admin)")
                .param().name("dryRun").type(RestParamType.query).required(false).dataType("boolean").endParam()
                .param().name("plan").type(RestParamType.query).required(false).endParam()
                .outType(JobApi.Accepted.class).to("direct:api-run-pdr");

        from("direct:api-list-pdrs").routeId("api-list-pdrs")
                .process(ApiRoutes.guard(auth, Permission.READ_JOBS))
                .process(e -> ApiReplies.json(e, 200, pdrs.get().list()));
        from("direct:api-get-pdr").routeId("api-get-pdr")
                .process(ApiRoutes.guard(auth, Permission.READ_JOBS))
                .process(e -> ApiReplies.json(e, 200, pdrs.get().get(e.getIn().getHeader("name", String.class))));
        from("direct:api-save-pdr").routeId("api-save-pdr")
                .process(ApiRoutes.guard(auth, Permission.WRITE_INVENTORY))
                .process(e -> {
                    ApiJson.requireJson(e.getIn().getHeader(org.apache.camel.Exchange.CONTENT_TYPE, String.class));
                    ApiReplies.json(e, 200, pdrs.get().save(e.getIn().getHeader("name", String.class),
                            ApiJson.readObject(e.getIn().getBody(byte[].class)), AccountApi.principal(e)));
                });
        from("direct:api-delete-pdr").routeId("api-delete-pdr")
                .process(ApiRoutes.guard(auth, Permission.WRITE_INVENTORY))
                .process(e -> {
                    pdrs.get().delete(e.getIn().getHeader("name", String.class), AccountApi.principal(e));
                    ApiReplies.noContent(e);
                });
        from("direct:api-run-pdr").routeId("api-run-pdr")
                .process(ApiRoutes.guard(auth, Permission.RUN_WORKFLOW))
                .process(e -> e.setVariable("job", pdrs.get().submit(e)))
                .to(ExchangePattern.InOnly, "seda:run-job")
                .process(e -> {
                    JobApi.JobView job = e.getVariable("job", JobApi.JobView.class);
                    ApiReplies.json(e, 202, new JobApi.Accepted(job.jobId(), job.status(),
                            ApiRoutes.CONTEXT_PATH + "/jobs/" + job.jobId()));
                    e.getMessage().setHeader("Location", ApiRoutes.CONTEXT_PATH + "/jobs/" + job.jobId());
                });
    }

    private <T> T lookup(String name, Class<T> type) {
        T bean = getContext().getRegistry().lookupByNameAndType(name, type);
        if (bean == null) {
            throw new IllegalStateException("the API needs the bean '" + name + "' (" + type.getSimpleName() + ")");
        }
        return bean;
    }
}
