package io.rotor.connector.ssh;

import io.rotor.connector.ConnectorContext;
import io.rotor.connector.ConnectorFactory;
import io.rotor.connector.TargetConnector;
import io.rotor.domain.Target;

/** Type {@code ssh}: Unix accounts over SSH. */
public class SshConnectorFactory implements ConnectorFactory {
    @Override
    public String type() {
        return "ssh";
    }

    @Override
    public TargetConnector create(Target target, ConnectorContext context) {
        ChangerCatalog catalog = context.changers();
        return catalog == null ? new SshConnector(target) : new SshConnector(target, catalog::get, catalog);
    }
}
