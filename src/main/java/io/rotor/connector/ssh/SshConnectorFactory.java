package io.rotor.connector.ssh;

import io.rotor.connector.ConnectorFactory;
import io.rotor.connector.TargetConnector;
import io.rotor.domain.Target;
import org.apache.camel.CamelContext;

/** Type {@code ssh}: Unix accounts over SSH. */
public class SshConnectorFactory implements ConnectorFactory {
    @Override
    public String type() {
        return "ssh";
    }

    @Override
    public TargetConnector create(Target target, CamelContext camelContext) {
        ChangerCatalog catalog = catalog(camelContext);
        return catalog == null ? new SshConnector(target) : new SshConnector(target, catalog::get, catalog);
    }

    /** The vault's changer catalog when the engine has one (user-defined changers), else null (built-ins only). */
    static ChangerCatalog catalog(CamelContext camelContext) {
        return camelContext == null ? null
                : camelContext.getRegistry().lookupByNameAndType(ChangerCatalog.BEAN, ChangerCatalog.class);
    }
}
