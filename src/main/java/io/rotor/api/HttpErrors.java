package io.rotor.api;

import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import org.apache.camel.CamelContext;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.support.EventNotifierSupport;

import java.nio.charset.StandardCharsets;

/**
 * JSON answers for what the HTTP server refuses before any route runs: a body over
 * {@code camel.server.max-body-size} (413) and a path or method under {@code /api/v1} that no endpoint has
 * (404). The server's own answers for these are plain text or HTML. It also puts the browser-safety headers
 * ({@link BrowserSafety#ANSWER_HEADERS}) on every answer under the APIs.
 */
public final class HttpErrors {
    private HttpErrors() {
    }

    /** Installs the handlers once the HTTP server has started. */
    public static void installWhenStarted(CamelContext context) {
        context.getManagementStrategy().addEventNotifier(new EventNotifierSupport() {
            private boolean installed;

            @Override
            public void notify(CamelEvent event) {
                if (event instanceof CamelEvent.CamelContextStartedEvent && !installed) {
                    installed = install(context);
                }
            }

            @Override
            public boolean isEnabled(CamelEvent event) {
                return event instanceof CamelEvent.CamelContextStartedEvent;
            }
        });
    }

    static boolean install(CamelContext context) {
        String port = context.resolvePropertyPlaceholders("{{camel.server.port:8080}}");
        VertxPlatformHttpRouter router;
        try {
            router = VertxPlatformHttpRouter.lookup(context, VertxPlatformHttpRouter.getRouterNameFromPort(Integer.parseInt(port)));
        } catch (RuntimeException e) {
            return false;
        }
        if (router == null) {
            return false;
        }
        String limit = context.resolvePropertyPlaceholders("{{camel.server.max-body-size:1048576}}");
        // first of all: the browser-safety headers on every answer under the APIs, whoever writes it
        for (String path : new String[]{ApiRoutes.CONTEXT_PATH + "/*", ApiV2Routes.CONTEXT_PATH + "/*", V3Routes.CONTEXT_PATH + "/*"}) {
            router.route(path).order(-1_000_001).handler(rc -> {
                BrowserSafety.ANSWER_HEADERS.forEach(rc.response()::putHeader);
                rc.next();
            });
        }
        // the body handler fails the request with 413 before any Camel route runs
        router.route().order(-1_000_000).failureHandler(rc -> {
            if (rc.statusCode() == 413) {
                answer(rc, 413, "BODY_TOO_LARGE", "the request body is larger than the server accepts (" + limit + " bytes)");
            } else {
                rc.next();
            }
        });
        // last of all: a path under the API that no endpoint has
        router.route(ApiRoutes.CONTEXT_PATH + "/*").order(Integer.MAX_VALUE)
                .handler(rc -> answer(rc, 404, "NOT_FOUND", "no such resource or method under " + ApiRoutes.CONTEXT_PATH));
        router.route(ApiV2Routes.CONTEXT_PATH + "/*").order(Integer.MAX_VALUE)
                .handler(rc -> answer(rc, 404, ApiJson.write(java.util.Map.of("result", "error", "code", "NOT_FOUND",
                        "message", "no such resource or method under " + ApiV2Routes.CONTEXT_PATH))));
        router.route(V3Routes.CONTEXT_PATH + "/*").order(Integer.MAX_VALUE).handler(rc -> answer(rc, 404, ApiJson.write(
                io.rotor.api.passwords.ErrorResponses.of(404, "no such resource or method under " + V3Routes.CONTEXT_PATH))));
        return true;
    }

    private static void answer(RoutingContext rc, int status, String code, String message) {
        answer(rc, status, ApiJson.write(new Views.ErrorView(code, message)));
    }

    private static void answer(RoutingContext rc, int status, byte[] body) {
        HttpServerResponse response = rc.response();
        if (response.ended() || response.headWritten()) {
            return;
        }
        response.setStatusCode(status)
                .putHeader("Content-Type", "application/json")
                .putHeader("Content-Length", String.valueOf(body.length))
                .end(new String(body, StandardCharsets.UTF_8));
    }
}
