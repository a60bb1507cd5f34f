package io.rotor.api;

import io.rotor.cluster.agent.AgentDispatcher;
import io.rotor.cluster.agent.AgentService;
import io.rotor.domain.AgentInfo;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.model.rest.RestBindingMode;

import java.util.Optional;
import java.util.function.Supplier;

/**
 * The agents' endpoints (docs/architecture.md, "Agents"), all opened by the agent, never by the server:
 * <ul>
 *   <li>{@code POST /api/v1/agent/enroll} {@code {"token"}}: a one-time enrollment token for the agent's own
 *       credential;</li>
 *   <li>{@code POST /api/v1/agent/poll} (agent credential): the long poll; 200 with one operation of the agent's
 *       site, or 204 after the wait;</li>
 *   <li>{@code POST /api/v1/agent/operations/{id}/result} (agent credential): the operation's outcome;</li>
 *   <li>{@code GET /api/v1/agents} (admin, auditor): agents, their site, state and last contact.</li>
 * </ul>
 * An agent credential is not an API token: it grants these three endpoints and nothing else, and an API token does
 * not grant them. Beans: {@code apiAuthenticator}, {@code agentService}.
 */
public class AgentApiRoutes extends RouteBuilder {
    public static final String SESSION_HEADER = "X-Rotor-Agent-Session";

    @Override
    public void configure() {
        Supplier<Authenticator> auth = () -> lookup("apiAuthenticator", Authenticator.class);
        Supplier<AgentService> agents = () -> lookup("agentService", AgentService.class);

        restConfiguration()
                .component("platform-http")
                .contextPath(ApiRoutes.CONTEXT_PATH)
                .bindingMode(RestBindingMode.off)
                .apiContextPath("/openapi.json");

        onException(AgentService.NotAnAgentException.class).handled(true)
                .process(e -> ApiReplies.json(e, 401, new Views.ErrorView("UNAUTHORIZED", "not an enrolled agent")));
        onException(Exception.class).handled(true).process(ApiReplies::error);

        rest("/agent").description("Agents of sites the server cannot reach (the agent opens every connection)")
                .post("/enroll").id("rest-agent-enroll").description("Exchange a one-time enrollment token for the agent's credential")
                .to("direct:api-agent-enroll")
                .post("/poll").id("rest-agent-poll").description("Long poll: the next operation of the agent's site (200) or none (204)")
                .to("direct:api-agent-poll")
                .post("/operations/{id}/result").id("rest-agent-result").description("The outcome of an operation the agent took")
                .to("direct:api-agent-result");
        rest("/agents").description("Agents and their last contact (admin, auditor)")
                .get().id("rest-agents-list").outType(AgentService.AgentView[].class).to("direct:api-agents-list");

        from("direct:api-agent-enroll").routeId("api-agent-enroll")
                .process(e -> {
                    Message in = e.getIn();
                    in.removeHeader("Authorization");
                    AgentService.Enrolled enrolled = agents.get().enroll(body(e), clientAddress(in));
                    ApiReplies.json(e, 200, java.util.Map.of("name", enrolled.name(), "site", enrolled.site(),
                            "credential", enrolled.credential()));
                });
        from("direct:api-agent-poll").routeId("api-agent-poll")
                .process(e -> {
                    AgentInfo agent = agent(e, agents);
                    Optional<AgentDispatcher.Handout> handout = agents.get().poll(agent, e.getIn().getHeader(SESSION_HEADER, String.class));
                    if (handout.isEmpty()) {
                        ApiReplies.noContent(e);
                        return;
                    }
                    byte[] json = handout.get().json();
                    ApiReplies.json(e, 200, json);
                    // the operation's secrets: wiped once the answer has been written
                    e.getExchangeExtension().addOnCompletion(new org.apache.camel.support.SynchronizationAdapter() {
                        @Override
                        public void onDone(Exchange exchange) {
                            java.util.Arrays.fill(json, (byte) 0);
                        }
                    });
                });
        from("direct:api-agent-result").routeId("api-agent-result")
                .process(e -> {
                    AgentInfo agent = agent(e, agents);
                    if (!agents.get().result(agent, e.getIn().getHeader("id", String.class), body(e))) {
                        throw new ApiException(409, "NOT_WAITED_FOR", "operation: not handed to this agent, or no longer waited for");
                    }
                    ApiReplies.noContent(e);
                });
        from("direct:api-agents-list").routeId("api-agents-list")
                .process(ApiRoutes.guard(auth, Permission.READ_AUDIT))
                .process(e -> ApiReplies.json(e, 200, agents.get().list()));
    }

    private static AgentInfo agent(Exchange e, Supplier<AgentService> agents) {
        Message in = e.getIn();
        String authorization = in.getHeader("Authorization", String.class);
        in.removeHeader("Authorization");
        return agents.get().authenticate(authorization, clientAddress(in));
    }

    private static com.fasterxml.jackson.databind.JsonNode body(Exchange e) {
        ApiJson.requireJson(e.getIn().getHeader(Exchange.CONTENT_TYPE, String.class));
        return ApiJson.readObject(e.getIn().getBody(byte[].class));
    }

    private static String clientAddress(Message in) {
        Object address = in.getHeader("CamelVertxPlatformHttpRemoteAddress");
        return address instanceof io.vertx.core.net.SocketAddress socket ? socket.hostAddress() : null;
    }

    private <T> T lookup(String name, Class<T> type) {
        T bean = getContext().getRegistry().lookupByNameAndType(name, type);
        if (bean == null) {
            throw new IllegalStateException("the API needs the bean '" + name + "' (" + type.getSimpleName() + ")");
        }
        return bean;
    }
}
