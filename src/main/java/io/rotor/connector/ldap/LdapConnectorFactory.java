package io.rotor.connector.ldap;

import io.rotor.connector.ConnectorContext;
import io.rotor.connector.ConnectorFactory;
import io.rotor.connector.TargetConnector;
import io.rotor.domain.Target;

/** Creates {@link LdapConnector}s for targets of type {@value LdapConnector#TYPE}. */
public final class LdapConnectorFactory implements ConnectorFactory {
    public LdapConnectorFactory() {
    }

    @Override
    public String type() {
        return LdapConnector.TYPE;
    }

    @Override
    public TargetConnector create(Target target, ConnectorContext context) {
        if (!LdapConnector.TYPE.equalsIgnoreCase(target.type())) {
            throw new IllegalArgumentException("target " + target.id() + " has type " + target.type()
                    + ", not " + LdapConnector.TYPE);
        }
        return new LdapConnector(target);
    }
}
