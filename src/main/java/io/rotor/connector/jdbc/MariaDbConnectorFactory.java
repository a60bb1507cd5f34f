package io.rotor.connector.jdbc;

import io.rotor.connector.ConnectorContext;
import io.rotor.connector.ConnectorFactory;
import io.rotor.connector.TargetConnector;
import io.rotor.domain.Target;

import java.util.Set;

/**
 * Creates {@link MariaDbConnector}s for targets of type {@code mariadb}; it also accepts targets of type
 * {@code mysql} (which {@link MySqlConnectorFactory} registers under its own type).
 */
public final class MariaDbConnectorFactory implements ConnectorFactory {
    /** Target types this factory serves. */
    public static final Set<String> TYPES = Set.of(MariaDbConnector.TYPE, MariaDbConnector.MYSQL_TYPE);

    public MariaDbConnectorFactory() {
    }

    @Override
    public String type() {
        return MariaDbConnector.TYPE;
    }

    @Override
    public TargetConnector create(Target target, ConnectorContext context) {
        String type = target.type() == null ? "" : target.type().toLowerCase(java.util.Locale.ROOT);
        if (!TYPES.contains(type)) {
            throw new IllegalArgumentException("target " + target.id() + " has type " + target.type()
                    + ", not one of " + TYPES);
        }
        return new MariaDbConnector(target);
    }
}
