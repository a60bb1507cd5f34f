package io.rotor.camel.route;

import org.apache.camel.CamelContext;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangePattern;
import org.apache.camel.Message;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.direct.DirectConsumerNotAvailableException;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The Camel side of {@link RouteCalls}: builds the exchange of the route contract ({@link RouteContract}), sends it
 * to the endpoint, waits at most the call's bound and reads the answer. Secrets go only into exchange properties
 * and are removed from the exchange once the route has ended.
 */
public final class CamelRouteCalls implements RouteCalls {
    private final CamelContext camel;
    private final ProducerTemplate template;

    public CamelRouteCalls(CamelContext camel) {
        this.camel = camel;
        this.template = camel.createProducerTemplate();
    }

    @Override
    public RouteReply call(String endpointUri, RouteCall call) {
        Endpoint endpoint;
        try {
            endpoint = camel.getEndpoint(endpointUri);
        } catch (RuntimeException e) {
            return RouteReply.notStarted("endpoint '" + endpointUri + "' cannot be resolved: " + describe(e));
        }
        if (endpoint == null) {
            return RouteReply.notStarted("endpoint '" + endpointUri + "' cannot be resolved");
        }
        Exchange exchange = endpoint.createExchange(ExchangePattern.InOut);
        Message in = exchange.getIn();
        in.setHeader(RouteContract.OPERATION, call.operation().name());
        in.setHeader(RouteContract.TARGET_ID, call.targetId());
        in.setHeader(RouteContract.TARGET_HOST, call.host());
        in.setHeader(RouteContract.TARGET_PORT, call.port());
        in.setHeader(RouteContract.TIMEOUT_MILLIS, call.requestTimeout().toMillis());
        setIfPresent(in, RouteContract.ACCOUNT_ID, call.accountId());
        setIfPresent(in, RouteContract.USERNAME, call.username());
        setIfPresent(in, RouteContract.ADMIN_USERNAME, call.adminUsername());
        setIfPresent(in, RouteContract.DISCOVER_FILTER, call.filter());
        call.secrets().forEach(exchange::setProperty);

        CompletableFuture<Exchange> done = template.asyncSend(endpoint, exchange);
        try {
            done.get(call.callTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            return new RouteReply(null, null, sent(exchange), false, "the route did not end within "
                    + call.callTimeout().toSeconds() + " s", true, List.of());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new RouteReply(null, null, sent(exchange), false, "interrupted while the route ran", true, List.of());
        } catch (ExecutionException e) {
            return new RouteReply(null, null, sent(exchange), false, describe(e.getCause()), false, List.of());
        }
        try {
            Exception failure = exchange.getException();
            if (failure instanceof DirectConsumerNotAvailableException) {
                return RouteReply.notStarted("no route consumes '" + endpointUri + "'");
            }
            Message out = exchange.getMessage();
            return new RouteReply(out.getHeader(RouteContract.OUTCOME, String.class),
                    out.getHeader(RouteContract.REASON, String.class), sent(exchange),
                    Boolean.TRUE.equals(out.getHeader(RouteContract.LOGIN_REFUSED, Boolean.class)),
                    failure == null ? null : describe(failure), false,
                    call.operation() == RouteContract.Operation.DISCOVER && failure == null ? usernames(out) : List.of());
        } finally {
            RouteContract.SECRET_PROPERTIES.forEach(exchange::removeProperty);
        }
    }

    private static void setIfPresent(Message in, String header, Object value) {
        if (value != null) {
            in.setHeader(header, value);
        }
    }

    private static Boolean sent(Exchange exchange) {
        Object value = exchange.getProperty(RouteContract.REQUEST_SENT);
        if (value == null) {
            return null;
        }
        return value instanceof Boolean b ? b : Boolean.valueOf(value.toString().trim());
    }

    /** Discover's answer: a collection of names, or text with one name per line. */
    private static List<String> usernames(Message out) {
        Object body = out.getBody();
        List<String> names = new ArrayList<>();
        if (body instanceof Collection<?> collection) {
            collection.forEach(item -> names.add(String.valueOf(item)));
        } else if (body != null) {
            String text = out.getBody(String.class);
            if (text != null) {
                text.lines().map(String::trim).filter(line -> !line.isEmpty()).forEach(names::add);
            }
        }
        return names;
    }

    private static String describe(Throwable e) {
        StringBuilder text = new StringBuilder();
        for (Throwable t = e; t != null && text.length() < 1000; t = t.getCause()) {
            if (!text.isEmpty()) {
                text.append(" <- ");
            }
            text.append(t.getClass().getSimpleName());
            if (t.getMessage() != null) {
                text.append(": ").append(t.getMessage());
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return text.length() > 1000 ? text.substring(0, 1000) + "..." : text.toString();
    }
}
