package io.rotor.connector.jdbc;

import io.rotor.connector.ConnectorContext;
import io.rotor.connector.ConnectorFactory;
import io.rotor.connector.TargetConnector;
import io.rotor.domain.Target;

/** Creates {@link PostgresConnector}s for targets of type {@code postgresql}. */
public final class PostgresConnectorFactory implements ConnectorFactory {
    public PostgresConnectorFactory() {
    }

    @Override
    public String type() {
        return PostgresConnector.TYPE;
    }

    @Override
    public TargetConnector create(Target target, ConnectorContext context) {
        if (!PostgresConnector.TYPE.equalsIgnoreCase(target.type())) {
            throw new IllegalArgumentException("target " + target.id() + " has type " + target.type()
                    + ", not " + PostgresConnector.TYPE);
        }
        return new PostgresConnector(target);
    }
}
