package io.rotor.connector.ssh;

import io.rotor.connector.ConnectorFactory;
import io.rotor.connector.TargetConnector;
import io.rotor.domain.Target;
import org.apache.camel.CamelContext;

/** Type {@code telnet}: Unix accounts over telnet (self-change). */
public class TelnetConnectorFactory implements ConnectorFactory {
    @Override
    public String type() {
        return "telnet";
    }

    @Override
    public TargetConnector create(Target target, CamelContext camelContext) {
        return new TelnetConnector(target, SshConnectorFactory.catalog(camelContext));
    }
}
