package io.rotor.connector;

import io.rotor.domain.Target;
import org.apache.camel.CamelContext;

import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Finds the connector for a target. Factories are discovered with {@link ServiceLoader}
 * ({@code META-INF/services/io.rotor.connector.ConnectorFactory}); one connector instance per target is kept
 * (it owns that target's pool) and replaced when the target's definition changes.
 */
public class ConnectorRegistry implements AutoCloseable {
    private volatile CamelContext camelContext;
    private final Map<String, ConnectorFactory> factories = new TreeMap<>();
    private final Map<String, Entry> connectors = new ConcurrentHashMap<>();

    private record Entry(Target definition, TargetConnector connector) {
    }

    public ConnectorRegistry() {
        for (ConnectorFactory factory : ServiceLoader.load(ConnectorFactory.class)) {
            factories.put(factory.type(), factory);
        }
    }

    /** Connectors reach their targets through this engine's endpoints; it must be attached before first use. */
    public void attach(CamelContext camelContext) {
        this.camelContext = camelContext;
    }

    /** For tests: registers a factory (replacing one of the same type). */
    public void register(ConnectorFactory factory) {
        factories.put(factory.type(), factory);
    }

    public boolean supports(String type) {
        return factories.containsKey(type);
    }

    public java.util.Set<String> types() {
        return java.util.Collections.unmodifiableSet(factories.keySet());
    }

    public TargetConnector connectorFor(Target target) {
        Entry entry = connectors.compute(target.id(), (id, existing) -> {
            if (existing != null && existing.definition().equals(target)) {
                return existing;
            }
            if (existing != null) {
                existing.connector().close();
            }
            if (camelContext == null) {
                throw new IllegalStateException("the connector registry is not attached to a Camel engine yet");
            }
            ConnectorFactory factory = factories.get(target.type());
            if (factory == null) {
                throw new IllegalArgumentException("target '" + target.id() + "' has type '" + target.type()
                        + "', for which no connector is installed (known: " + String.join(", ", factories.keySet()) + ")");
            }
            return new Entry(target, new GuardedConnector(factory.create(target, camelContext)));
        });
        return entry.connector();
    }

    @Override
    public void close() {
        connectors.values().forEach(e -> e.connector().close());
        connectors.clear();
    }
}
