package io.rotor.connector.cloud;

import io.rotor.connector.ConnectorContext;
import io.rotor.connector.ConnectorFactory;
import io.rotor.connector.TargetConnector;
import io.rotor.domain.Target;

/** Type {@code entra-id}: Microsoft Entra ID users and application secrets through Microsoft Graph. */
public final class EntraIdConnectorFactory implements ConnectorFactory {
    @Override
    public String type() {
        return EntraIdConnector.TYPE;
    }

    @Override
    public TargetConnector create(Target target, ConnectorContext context) {
        return new EntraIdConnector(target);
    }
}
