package io.rotor.api;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;

import java.util.function.Supplier;

/**
 * The Fudo-shaped API v2 under {@code /api/v2} on platform-http: password changers and the trigger of an account's
 * changer. Same authentication and roles as {@code /api/v1} ({@link Authenticator}); every route starts with that
 * check. Answers use Fudo's envelopes: {@code {"result": "success", ...}}; a refusal is
 * {@code {"result": "error", "code": ..., "message": ...}} with the HTTP status of {@code /api/v1}.
 *
 * <p>Beans: {@code apiAuthenticator}, {@code apiAccounts}, {@code apiPasswordChangers}.
 */
public class ApiV2Routes extends RouteBuilder {
    public static final String CONTEXT_PATH = "/api/v2";

    @Override
    public void configure() {
        Supplier<Authenticator> auth = bean("apiAuthenticator", Authenticator.class);
        Supplier<AccountApi> accounts = bean("apiAccounts", AccountApi.class);
        Supplier<PasswordChangerApi> changers = bean("apiPasswordChangers", PasswordChangerApi.class);

        onException(Exception.class).handled(true).process(ApiV2Routes::error);

        from("platform-http:" + CONTEXT_PATH + "/password_changer?httpMethodRestrict=GET,POST").routeId("api2-password-changers")
                .choice()
                .when(header(Exchange.HTTP_METHOD).isEqualTo("POST"))
                    .process(ApiRoutes.guard(auth, Permission.WRITE_INVENTORY))
                    .process(e -> ApiReplies.json(e, 200, changers.get().create(body(e), AccountApi.principal(e))))
                .otherwise()
                    .process(ApiRoutes.guard(auth, Permission.READ_INVENTORY))
                    .process(e -> ApiReplies.json(e, 200, changers.get().list()))
                .end();

        from("platform-http:" + CONTEXT_PATH + "/password_changer/{id}?httpMethodRestrict=GET,PATCH,DELETE")
                .routeId("api2-password-changer")
                .choice()
                .when(header(Exchange.HTTP_METHOD).isEqualTo("PATCH"))
                    .process(ApiRoutes.guard(auth, Permission.WRITE_INVENTORY))
                    .process(e -> ApiReplies.json(e, 200, changers.get().update(id(e), body(e), AccountApi.principal(e))))
                .when(header(Exchange.HTTP_METHOD).isEqualTo("DELETE"))
                    .process(ApiRoutes.guard(auth, Permission.WRITE_INVENTORY))
                    .process(e -> ApiReplies.json(e, 200, changers.get().delete(id(e), AccountApi.principal(e))))
                .otherwise()
                    .process(ApiRoutes.guard(auth, Permission.READ_INVENTORY))
                    .process(e -> ApiReplies.json(e, 200, changers.get().get(id(e))))
                .end();

        from("platform-http:" + CONTEXT_PATH + "/objspec/password_changer?httpMethodRestrict=GET").routeId("api2-objspec-password-changer")
                .process(ApiRoutes.guard(auth, Permission.READ_INVENTORY))
                .process(e -> ApiReplies.json(e, 200, changers.get().objspec()));

        from("platform-http:" + CONTEXT_PATH + "/account/{id}/trigger_password_changer?httpMethodRestrict=POST")
                .routeId("api2-trigger-password-changer")
                .process(ApiRoutes.guard(auth, Permission.OPERATE))
                .process(e -> e.setProperty("rotorTriggerEndpoint", changers.get().triggerEndpoint(e)))
                .process(e -> accounts.get().prepare(e, true))
                .toD("${exchangeProperty.rotorTriggerEndpoint}")
                .process(e -> changers.get().triggerAnswer(e));
    }

    /** The error answer in the v2 envelope. */
    static void error(Exchange exchange) {
        Throwable failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        ApiException error = ApiReplies.translate(failure);
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        out.put("result", "error");
        out.put("code", error.code());
        out.put("message", error.getMessage());
        ApiReplies.json(exchange, error.status(), out);
        if (error.status() == 401) {
            exchange.getMessage().setHeader("WWW-Authenticate", Authenticator.CHALLENGE);
        }
        if (error.retryAfterSeconds() > 0) {
            exchange.getMessage().setHeader("Retry-After", String.valueOf(error.retryAfterSeconds()));
        }
    }

    private static String id(Exchange e) {
        return e.getIn().getHeader("id", String.class);
    }

    private static com.fasterxml.jackson.databind.JsonNode body(Exchange e) {
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
