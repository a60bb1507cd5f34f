package io.rotor.camel.route;

/**
 * The narrow door from a route connector to the engine: send one {@link RouteCall} to an endpoint and say what
 * came back. The engine offers it to connectors through {@link io.rotor.connector.ConnectorContext}
 * ({@code RotorRuntime.attach}); {@link CamelRouteCalls} is the Camel side.
 */
public interface RouteCalls {
    RouteReply call(String endpointUri, RouteCall call);
}
