package io.rotor.camel;

import org.apache.camel.Endpoint;
import org.apache.camel.spi.annotations.Component;
import org.apache.camel.support.DefaultComponent;

import java.util.Map;

/**
 * The {@code rotor} component: drives Rotor from a route (docs/architecture.md, "The rotor component"):
 * {@code rotor:rotate?account=db1-app}, {@code rotor:verify}, {@code rotor:reconcile}, {@code rotor:checkin},
 * {@code rotor:checkout}, {@code rotor:workflow?name=single-user-offboard}. It calls the same entry points as the
 * REST API ({@code direct:rotate-account}..., {@code JobApi}, {@code Checkouts}); the only operation whose answer
 * holds a secret is {@code checkout}, audited, with the Secret in the body.
 */
@Component("rotor")
public class RotorComponent extends DefaultComponent {
    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        RotorEndpoint endpoint = new RotorEndpoint(uri, this, RotorOperation.parse(remaining), new RotorConfiguration());
        setProperties(endpoint, parameters);
        endpoint.validate();
        return endpoint;
    }
}
