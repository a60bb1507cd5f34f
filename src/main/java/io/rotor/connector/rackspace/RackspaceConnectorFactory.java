package io.rotor.connector.rackspace;

import io.rotor.connector.ConnectorContext;
import io.rotor.connector.ConnectorFactory;
import io.rotor.connector.TargetConnector;
import io.rotor.domain.Target;

/** Creates {@link RackspaceConnector}s for targets of type {@value RackspaceConnector#TYPE}; checks the settings here. */
public final class RackspaceConnectorFactory implements ConnectorFactory {
    public RackspaceConnectorFactory() {
    }

    @Override
    public String type() {
        return RackspaceConnector.TYPE;
    }

    @Override
    public TargetConnector create(Target target, ConnectorContext context) {
        if (!RackspaceConnector.TYPE.equalsIgnoreCase(target.type())) {
            throw new IllegalArgumentException("target " + target.id() + " has type " + target.type() + ", not " + RackspaceConnector.TYPE);
        }
        return new RackspaceConnector(target);
    }
}
