package io.rotor.connector.cloud;

import io.rotor.connector.ConnectorContext;
import io.rotor.connector.ConnectorFactory;
import io.rotor.connector.TargetConnector;
import io.rotor.domain.Target;

/** Type {@code google-workspace}: Google Workspace users through the Admin SDK Directory API. */
public final class GoogleWorkspaceConnectorFactory implements ConnectorFactory {
    @Override
    public String type() {
        return GoogleWorkspaceConnector.TYPE;
    }

    @Override
    public TargetConnector create(Target target, ConnectorContext context) {
        return new GoogleWorkspaceConnector(target);
    }
}
