package io.rotor.connector.salesforce;

import io.rotor.connector.ConnectorContext;
import io.rotor.connector.ConnectorFactory;
import io.rotor.connector.TargetConnector;
import io.rotor.domain.Target;

/** Creates {@link SalesforceConnector}s for targets of type {@value SalesforceConnector#TYPE}; checks the settings here. */
public final class SalesforceConnectorFactory implements ConnectorFactory {
    public SalesforceConnectorFactory() {
    }

    @Override
    public String type() {
        return SalesforceConnector.TYPE;
    }

    @Override
    public TargetConnector create(Target target, ConnectorContext context) {
        if (!SalesforceConnector.TYPE.equalsIgnoreCase(target.type())) {
            throw new IllegalArgumentException("target " + target.id() + " has type " + target.type() + ", not " + SalesforceConnector.TYPE);
        }
        return new SalesforceConnector(target);
    }
}
