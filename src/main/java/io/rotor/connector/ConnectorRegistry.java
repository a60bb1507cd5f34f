package io.rotor.connector;

import io.rotor.domain.Target;

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
    private volatile ConnectorContext context = ConnectorContext.NONE;
    private final Map<String, ConnectorFactory> factories = new TreeMap<>();
    private final Map<String, Entry> connectors = new ConcurrentHashMap<>();
    private volatile SiteConnectors sites = SiteConnectors.NONE;

    private record Entry(Target definition, TargetConnector connector) {
    }

    public ConnectorRegistry() {
        for (ConnectorFactory factory : ServiceLoader.load(ConnectorFactory.class)) {
            factories.put(factory.type(), factory);
        }
    }

    /**
     * Gives the connectors Rotor's services (until then: {@link ConnectorContext#NONE}). Connectors created
     * before are closed and dropped, so none keeps working without the services it was meant to have.
     */
    public void attach(ConnectorContext context) {
        java.util.Objects.requireNonNull(context, "context");
        if (context.equals(this.context)) {
            return;
        }
        this.context = context;
        for (String id : java.util.List.copyOf(connectors.keySet())) {
            Entry dropped = connectors.remove(id);
            if (dropped != null) {
                dropped.connector().close();
            }
        }
    }

    /**
     * How targets with a site are reached (through their agents); until then {@link SiteConnectors#NONE}. Connectors
     * made before are dropped, as in {@link #attach}.
     */
    public void useSites(SiteConnectors sites) {
        this.sites = java.util.Objects.requireNonNull(sites, "sites");
        for (String id : java.util.List.copyOf(connectors.keySet())) {
            Entry dropped = connectors.remove(id);
            if (dropped != null) {
                dropped.connector().close();
            }
        }
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
            ConnectorFactory factory = factories.get(target.type());
            if (target.site() != null) {
                // never reached directly (docs/architecture.md, "Agents"): the site's agents run the real connector
                if (factory == null) {
                    throw new IllegalArgumentException("target '" + target.id() + "' has type '" + target.type()
                            + "', for which no connector is installed");
                }
                return new Entry(target, new GuardedConnector(sites.create(target)));
            }
            if (factory == null) {
                throw new IllegalArgumentException("target '" + target.id() + "' has type '" + target.type()
                        + "', for which no connector is installed (known: " + String.join(", ", factories.keySet()) + ")");
            }
            return new Entry(target, new GuardedConnector(factory.create(target, context)));
        });
        return entry.connector();
    }

    @Override
    public void close() {
        connectors.values().forEach(e -> e.connector().close());
        connectors.clear();
    }
}
