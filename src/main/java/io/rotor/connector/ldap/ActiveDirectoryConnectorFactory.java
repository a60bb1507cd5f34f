package io.rotor.connector.ldap;

import io.rotor.connector.ConnectorContext;
import io.rotor.connector.ConnectorFactory;
import io.rotor.connector.TargetConnector;
import io.rotor.domain.Target;

/** Creates {@link ActiveDirectoryConnector}s for targets of type {@value ActiveDirectoryConnector#TYPE}. */
public final class ActiveDirectoryConnectorFactory implements ConnectorFactory {
    public ActiveDirectoryConnectorFactory() {
    }

    @Override
    public String type() {
        return ActiveDirectoryConnector.TYPE;
    }

    @Override
    public TargetConnector create(Target target, ConnectorContext context) {
        if (!ActiveDirectoryConnector.TYPE.equalsIgnoreCase(target.type())) {
            throw new IllegalArgumentException("target " + target.id() + " has type " + target.type()
                    + ", not " + ActiveDirectoryConnector.TYPE);
        }
        return new ActiveDirectoryConnector(target);
    }
}
