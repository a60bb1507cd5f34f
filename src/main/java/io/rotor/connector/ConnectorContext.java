package io.rotor.connector;

import io.rotor.connector.ssh.ChangerCatalog;

import java.util.Map;
import java.util.Optional;

/**
 * What Rotor gives a connector besides its target: Rotor's own services, plain Java, never a Camel type
 * (the Camel boundary rule in {@link ConnectorFactory}).
 *
 * @param changers the password changers (built-in and stored) and where a failed dialogue's transcript is
 *                 kept; null when only the built-in changers are available
 * @param services further services the engine offers, by the interface a connector asks for: the route connector
 *                 ({@code io.rotor.camel.route}) asks for its narrow {@code RouteCalls}; this package never names
 *                 their types (docs/architecture.md, "The Camel boundary")
 */
public record ConnectorContext(ChangerCatalog changers, Map<Class<?>, Object> services) {
    /** Nothing beyond the target: built-in password changers only. */
    public static final ConnectorContext NONE = new ConnectorContext(null);

    public ConnectorContext {
        services = services == null ? Map.of() : Map.copyOf(services);
        services.forEach((type, service) -> {
            if (!type.isInstance(service)) {
                throw new IllegalArgumentException("service for " + type.getName() + " is a " + service.getClass().getName());
            }
        });
    }

    public ConnectorContext(ChangerCatalog changers) {
        this(changers, Map.of());
    }

    /** The service the engine offers as {@code type}, if any. */
    public <T> Optional<T> service(Class<T> type) {
        return Optional.ofNullable(services.get(type)).map(type::cast);
    }

    /** This context with {@code service} offered as {@code type}. */
    public <T> ConnectorContext with(Class<T> type, T service) {
        java.util.HashMap<Class<?>, Object> more = new java.util.HashMap<>(services);
        more.put(type, service);
        return new ConnectorContext(changers, more);
    }
}
