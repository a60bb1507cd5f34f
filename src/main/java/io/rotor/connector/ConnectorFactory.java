package io.rotor.connector;

import io.rotor.domain.Target;
import org.apache.camel.CamelContext;

/** Creates the connector for one target of a given type. Registered per type in the connector registry. */
public interface ConnectorFactory {
    String type();

    TargetConnector create(Target target, CamelContext camelContext);
}
