package io.rotor.connector;

import io.rotor.domain.Target;

/**
 * Creates the connector for one target of a given type. Registered per type in the connector registry
 * ({@code META-INF/services/io.rotor.connector.ConnectorFactory}).
 *
 * <p>The Camel boundary: a connector is plain Java behind {@link TargetConnector}. It reaches its target with
 * the target's own client library (a JDBC driver, an LDAP SDK, an SSH client), never through a Camel endpoint,
 * and neither this contract nor anything under {@code io.rotor.connector} names a Camel type. Routes reach
 * targets through Rotor's beans and the {@code rotor} component, which call connectors through the
 * {@link ConnectorRegistry}. {@code CamelBoundaryTest} enforces it.
 */
public interface ConnectorFactory {
    String type();

    /** The connector for {@code target}, given the services Rotor offers connectors. */
    TargetConnector create(Target target, ConnectorContext context);

    /** The connector for {@code target} with no services beyond the target ({@link ConnectorContext#NONE}). */
    default TargetConnector create(Target target) {
        return create(target, ConnectorContext.NONE);
    }
}
