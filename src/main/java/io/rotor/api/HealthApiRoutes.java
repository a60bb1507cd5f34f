package io.rotor.api;

import io.rotor.health.TargetMonitor;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.model.rest.RestBindingMode;

import java.util.function.Supplier;

/**
 * {@code GET /api/v1/health/targets}: each target's last scheduled check in full (type, address, TLS mode and
 * warning, state, the reason it is DOWN, when it was checked), for an admin or an auditor
 * ({@link Permission#READ_AUDIT}). It reads {@link TargetMonitor}'s answers and never opens a connection to a
 * target. The public {@code /observe/health} shows only check names and states.
 *
 * <p>Beans it needs from the registry: {@code apiAuthenticator}, {@code targetMonitor}.
 */
public class HealthApiRoutes extends RouteBuilder {

    @Override
    public void configure() {
        Supplier<Authenticator> auth = () -> lookup("apiAuthenticator", Authenticator.class);
        Supplier<TargetMonitor> monitor = () -> lookup("targetMonitor", TargetMonitor.class);

        restConfiguration()
                .component("platform-http")
                .contextPath(ApiRoutes.CONTEXT_PATH)
                .bindingMode(RestBindingMode.off)
                .apiContextPath("/openapi.json");

        onException(Exception.class).handled(true).process(ApiReplies::error);

        rest("/health").description("Health in detail (admin, auditor); the public /observe/health has names and states only")
                .get("/targets").id("rest-health-targets")
                .description("Each target's last scheduled check: type, address, tls, tlsWarning, state (UP, DOWN),"
                        + " reason, checkedAt (admin, auditor)")
                .outType(TargetMonitor.TargetStatus[].class).to("direct:api-health-targets");
        from("direct:api-health-targets").routeId("api-health-targets")
                .process(ApiRoutes.guard(auth, Permission.READ_AUDIT))
                .process(e -> ApiReplies.json(e, 200, monitor.get().statuses()));
    }

    private <T> T lookup(String name, Class<T> type) {
        T bean = getContext().getRegistry().lookupByNameAndType(name, type);
        if (bean == null) {
            throw new IllegalStateException("the API needs the bean '" + name + "' (" + type.getSimpleName() + ")");
        }
        return bean;
    }
}
