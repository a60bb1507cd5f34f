package io.rotor.camel;

import org.apache.camel.Category;
import org.apache.camel.Consumer;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.spi.Metadata;
import org.apache.camel.spi.UriEndpoint;
import org.apache.camel.spi.UriParam;
import org.apache.camel.spi.UriPath;
import org.apache.camel.support.DefaultEndpoint;

import java.util.Set;

/** One {@code rotor:operation?...} endpoint; producer only. */
@UriEndpoint(firstVersion = "0.1.0", scheme = "rotor", title = "Rotor", syntax = "rotor:operation", producerOnly = true,
        category = {Category.SECURITY}, headersClass = RotorHeaders.class)
public class RotorEndpoint extends DefaultEndpoint {
    static final Set<String> WORKFLOWS = Set.of("mass-password-reset", "mass-onboard", "single-user-offboard");

    @UriPath(description = "rotate, verify, reconcile, checkin, checkout or workflow")
    @Metadata(required = true)
    private final RotorOperation operation;
    @UriParam
    private final RotorConfiguration configuration;

    RotorEndpoint(String uri, RotorComponent component, RotorOperation operation, RotorConfiguration configuration) {
        super(uri, component);
        this.operation = operation;
        this.configuration = configuration;
    }

    /** Bad parameters are refused when the route starts, naming the parameter. */
    void validate() {
        if (operation == RotorOperation.WORKFLOW) {
            if (configuration.getName() == null || !WORKFLOWS.contains(configuration.getName())) {
                throw new IllegalArgumentException("rotor:workflow: parameter 'name' must be one of "
                        + new java.util.TreeSet<>(WORKFLOWS) + ", not '" + io.rotor.domain.VisibleText.clean(
                        String.valueOf(configuration.getName()), 60) + "'");
            }
            if (configuration.getAccount() != null) {
                throw new IllegalArgumentException("rotor:workflow: parameter 'account' does not apply (the body is the request)");
            }
        } else if (configuration.getName() != null) {
            throw new IllegalArgumentException("rotor:" + operation.name().toLowerCase(java.util.Locale.ROOT)
                    + ": parameter 'name' applies to rotor:workflow only");
        }
        if (configuration.getAccount() != null && !configuration.getAccount().matches(io.rotor.domain.Ids.ID_REGEX)) {
            throw new IllegalArgumentException("rotor: parameter 'account': not an account id (letters, digits, '_', '.', '-')");
        }
    }

    public RotorOperation getOperation() {
        return operation;
    }

    public RotorConfiguration getConfiguration() {
        return configuration;
    }

    // the configuration's parameters, for Camel's property binding
    public void setAccount(String account) {
        configuration.setAccount(account);
    }

    public void setName(String name) {
        configuration.setName(name);
    }

    public void setDryRun(boolean dryRun) {
        configuration.setDryRun(dryRun);
    }

    public void setReport(boolean report) {
        configuration.setReport(report);
    }

    @Override
    public Producer createProducer() {
        return new RotorProducer(this);
    }

    @Override
    public Consumer createConsumer(Processor processor) {
        throw new UnsupportedOperationException("rotor: endpoints are producers only (use them in to:)");
    }
}
