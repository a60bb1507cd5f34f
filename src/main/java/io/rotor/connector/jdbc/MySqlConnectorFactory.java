package io.rotor.connector.jdbc;

import io.rotor.connector.ConnectorContext;
import io.rotor.connector.ConnectorFactory;
import io.rotor.connector.TargetConnector;
import io.rotor.domain.Target;

/** Registers the MariaDB connector under the type {@code mysql} too (the registry keys factories by type). */
public final class MySqlConnectorFactory implements ConnectorFactory {
    private final MariaDbConnectorFactory delegate = new MariaDbConnectorFactory();

    public MySqlConnectorFactory() {
    }

    @Override
    public String type() {
        return MariaDbConnector.MYSQL_TYPE;
    }

    @Override
    public TargetConnector create(Target target, ConnectorContext context) {
        return delegate.create(target, context);
    }
}
