package io.rotor.camel.route;

import org.apache.camel.http.base.HttpHeaderFilterStrategy;

/**
 * Bean {@code rotorHttpHeaders}: the header filter a route connector's {@code http:} call uses
 * ({@code headerFilterStrategy=#rotorHttpHeaders}). Besides Camel's own headers it keeps the contract's
 * {@code Rotor*} headers from going out to the target as HTTP headers, and keeps a target from answering
 * {@code Rotor*} headers (say {@code RotorOutcome: CHANGED}) into the exchange.
 */
public class RouteHttpHeaders extends HttpHeaderFilterStrategy {
    @Override
    protected void initialize() {
        super.initialize();
        String[] prefixes = {"Camel", "camel", "org.apache.camel.", "Rotor", "rotor"};
        setOutFilterStartsWith(prefixes);
        setInFilterStartsWith(prefixes);
    }
}
