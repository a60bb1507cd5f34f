package io.rotor.connector.ssh;

import io.rotor.connector.ConnectorContext;
import io.rotor.connector.ConnectorFactory;
import io.rotor.connector.TargetConnector;
import io.rotor.domain.Target;

/** Type {@code telnet}: Unix accounts over telnet (self-change). */
public class TelnetConnectorFactory implements ConnectorFactory {
    @Override
    public String type() {
        return "telnet";
    }

    @Override
    public TargetConnector create(Target target, ConnectorContext context) {
        return new TelnetConnector(target, context.changers());
    }
}
