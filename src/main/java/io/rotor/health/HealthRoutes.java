package io.rotor.health;

import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.builder.RouteBuilder;

/**
 * Serves the public health on the HTTP server, without authentication: {@value #PATH} (overall),
 * {@value #PATH}/live and {@value #PATH}/ready, each answered by {@link PublicHealth} from the checks' current
 * results (target checks read {@link TargetMonitor}'s cached answers). Query parameters and headers are ignored.
 */
public class HealthRoutes extends RouteBuilder {
    public static final String PATH = "/observe/health";

    @Override
    public void configure() {
        serve(PATH, PublicHealth.Kind.ALL, "observe-health");
        serve(PATH + "/live", PublicHealth.Kind.LIVE, "observe-health-live");
        serve(PATH + "/ready", PublicHealth.Kind.READY, "observe-health-ready");
    }

    private void serve(String path, PublicHealth.Kind kind, String routeId) {
        from("platform-http:" + path + "?httpMethodRestrict=GET").routeId(routeId)
                .process(exchange -> {
                    PublicHealth.Answer answer = PublicHealth.answer(exchange.getContext(), kind);
                    Message out = exchange.getMessage();
                    // nothing of the request (query parameters, headers) goes back
                    out.removeHeaders("*");
                    out.setHeader(Exchange.HTTP_RESPONSE_CODE, answer.status());
                    out.setHeader(Exchange.CONTENT_TYPE, "application/json");
                    out.setBody(answer.json());
                });
    }
}
