package io.rotor.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.rotor.api.passwords.ErrorResponses;
import io.rotor.api.passwords.PasswordManagementApi;
import io.rotor.workflow.passwords.PasswordManagementException;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;

import java.util.function.Supplier;

/**
 * The SailPoint-shaped password management under {@code /v3} on platform-http (docs/architecture.md, "Password
 * management"): query-password-info, set-password, password-change-status, password sync groups and password
 * policies. Same authentication as {@code /api/v1}; identity tokens reach only the self-service routes. Refusals
 * are SailPoint's {@code ErrorResponseDto}. The work is in {@link PasswordManagementApi}.
 *
 * <p>Beans: {@code apiAuthenticator}, {@code apiPasswordManagement}.
 */
public class V3Routes extends RouteBuilder {
    public static final String CONTEXT_PATH = "/v3";
    /** SailPoint's total for a list asked with {@code count=true}. */
    static final String TOTAL_COUNT = "X-Total-Count";

    @Override
    public void configure() {
        Supplier<Authenticator> auth = bean("apiAuthenticator", Authenticator.class);
        Supplier<PasswordManagementApi> api = bean("apiPasswordManagement", PasswordManagementApi.class);

        onException(Exception.class).handled(true).process(V3Routes::error);

        from("platform-http:" + CONTEXT_PATH + "/query-password-info?httpMethodRestrict=POST").routeId("v3-query-password-info")
                .process(ApiRoutes.guard(auth, Permission.SET_OWN_PASSWORD))
                .process(e -> ApiReplies.json(e, 200, api.get().queryPasswordInfo(AccountApi.principal(e), body(e))));

        from("platform-http:" + CONTEXT_PATH + "/set-password?httpMethodRestrict=POST").routeId("v3-set-password")
                .process(ApiRoutes.guard(auth, Permission.SET_OWN_PASSWORD))
                .process(e -> ApiReplies.json(e, 202, api.get().setPassword(AccountApi.principal(e), body(e))));

        from("platform-http:" + CONTEXT_PATH + "/password-change-status/{id}?httpMethodRestrict=GET").routeId("v3-password-change-status")
                .process(ApiRoutes.guard(auth, Permission.SET_OWN_PASSWORD))
                .process(e -> ApiReplies.json(e, 200, api.get().status(AccountApi.principal(e), id(e))));

        from("platform-http:" + CONTEXT_PATH + "/password-sync-groups?httpMethodRestrict=GET,POST").routeId("v3-password-sync-groups")
                .choice()
                .when(header(Exchange.HTTP_METHOD).isEqualTo("POST"))
                    .process(ApiRoutes.guard(auth, Permission.WRITE_INVENTORY))
                    .process(e -> ApiReplies.json(e, 200, api.get().createGroup(AccountApi.principal(e), body(e))))
                .otherwise()
                    .process(ApiRoutes.guard(auth, Permission.READ_INVENTORY))
                    .process(e -> {
                        boolean count = PasswordManagementApi.countRequested(query(e, "count"));
                        ApiReplies.json(e, 200, api.get().groups(query(e, "limit"), query(e, "offset")));
                        if (count) {
                            e.getMessage().setHeader(TOTAL_COUNT, api.get().groupCount());
                        }
                    })
                .end();

        from("platform-http:" + CONTEXT_PATH + "/password-sync-groups/{id}?httpMethodRestrict=GET,PUT,DELETE")
                .routeId("v3-password-sync-group")
                .choice()
                .when(header(Exchange.HTTP_METHOD).isEqualTo("PUT"))
                    .process(ApiRoutes.guard(auth, Permission.WRITE_INVENTORY))
                    .process(e -> ApiReplies.json(e, 200, api.get().updateGroup(AccountApi.principal(e), id(e), body(e))))
                .when(header(Exchange.HTTP_METHOD).isEqualTo("DELETE"))
                    .process(ApiRoutes.guard(auth, Permission.WRITE_INVENTORY))
                    .process(e -> api.get().deleteGroup(AccountApi.principal(e), id(e)))
                    .process(ApiReplies::noContent)
                .otherwise()
                    .process(ApiRoutes.guard(auth, Permission.READ_INVENTORY))
                    .process(e -> ApiReplies.json(e, 200, api.get().group(id(e))))
                .end();

        from("platform-http:" + CONTEXT_PATH + "/password-policies?httpMethodRestrict=GET").routeId("v3-password-policies")
                .process(ApiRoutes.guard(auth, Permission.READ_INVENTORY))
                .process(e -> {
                    boolean count = PasswordManagementApi.countRequested(query(e, "count"));
                    ApiReplies.json(e, 200, api.get().policies(query(e, "limit"), query(e, "offset")));
                    if (count) {
                        e.getMessage().setHeader(TOTAL_COUNT, api.get().policyCount());
                    }
                });

        from("platform-http:" + CONTEXT_PATH + "/password-policies/{id}?httpMethodRestrict=GET").routeId("v3-password-policy")
                .process(ApiRoutes.guard(auth, Permission.READ_INVENTORY))
                .process(e -> ApiReplies.json(e, 200, api.get().policy(id(e))));
    }

    /** Any refusal as SailPoint's ErrorResponseDto, with the status (and Retry-After) of /api/v1. */
    static void error(Exchange exchange) {
        Throwable failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        int status;
        String text;
        long retryAfter = -1;
        if (failure instanceof PasswordManagementException refused) {
            status = PasswordManagementApi.status(refused);
            text = refused.getMessage();
        } else {
            ApiException error = ApiReplies.translate(failure);
            status = error.status();
            text = error.getMessage();
            retryAfter = error.retryAfterSeconds();
        }
        ApiReplies.json(exchange, status, ErrorResponses.of(status, text));
        if (status == 401) {
            exchange.getMessage().setHeader("WWW-Authenticate", Authenticator.CHALLENGE);
        }
        if (retryAfter > 0) {
            exchange.getMessage().setHeader("Retry-After", String.valueOf(retryAfter));
        }
    }

    private static String id(Exchange e) {
        return e.getIn().getHeader("id", String.class);
    }

    private static String query(Exchange e, String name) {
        return e.getIn().getHeader(name, String.class);
    }

    private static JsonNode body(Exchange e) {
        ApiJson.requireJson(e.getIn().getHeader(Exchange.CONTENT_TYPE, String.class));
        return ApiJson.readObject(e.getIn().getBody(byte[].class));
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
