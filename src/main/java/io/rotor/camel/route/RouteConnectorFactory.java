package io.rotor.camel.route;

import io.rotor.connector.ConnectorContext;
import io.rotor.connector.ConnectorFactory;
import io.rotor.connector.TargetConnector;
import io.rotor.domain.Target;

/**
 * Type {@code route}: a target whose operations are routes under the routes folder. Its settings are checked here,
 * when the connector is made; the routes are reached through the {@link RouteCalls} the engine offers in the
 * {@link ConnectorContext} once it runs.
 */
public final class RouteConnectorFactory implements ConnectorFactory {
    @Override
    public String type() {
        return RouteConnector.TYPE;
    }

    @Override
    public TargetConnector create(Target target, ConnectorContext context) {
        RouteSettings settings = RouteSettings.of(target);
        RouteCalls calls = context.service(RouteCalls.class).orElseThrow(() -> new IllegalStateException(
                "target '" + target.id() + "' (type route) needs the running engine's routes, which this command does not"
                        + " offer connectors"));
        return new RouteConnector(target, settings, calls);
    }
}
