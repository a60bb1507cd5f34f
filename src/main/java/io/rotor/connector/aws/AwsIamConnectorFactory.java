package io.rotor.connector.aws;

import io.rotor.connector.ConnectorContext;
import io.rotor.connector.ConnectorFactory;
import io.rotor.connector.TargetConnector;
import io.rotor.domain.Target;

/** Creates {@link AwsIamConnector}s for targets of type {@value AwsIamConnector#TYPE}; the settings are checked here. */
public final class AwsIamConnectorFactory implements ConnectorFactory {
    public AwsIamConnectorFactory() {
    }

    @Override
    public String type() {
        return AwsIamConnector.TYPE;
    }

    @Override
    public TargetConnector create(Target target, ConnectorContext context) {
        if (!AwsIamConnector.TYPE.equalsIgnoreCase(target.type())) {
            throw new IllegalArgumentException("target " + target.id() + " has type " + target.type()
                    + ", not " + AwsIamConnector.TYPE);
        }
        return new AwsIamConnector(target);
    }
}
