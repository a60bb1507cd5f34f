package io.rotor.camel.route;

import io.rotor.connector.ConnectorContext;
import io.rotor.connector.ConnectorFactory;
import io.rotor.connector.TargetConnector;
import io.rotor.domain.Target;
import io.rotor.domain.TlsMode;
import org.apache.camel.CamelContext;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;

import java.util.HashMap;
import java.util.Map;

/** The shipped example route file, loaded into a Camel context with the beans Rotor binds for route connectors. */
final class ExampleRoutes {
    static final String FILE = "file:docs/examples/routes/http-app-password.camel.yaml";

    private ExampleRoutes() {
    }

    static CamelContext start() throws Exception {
        CamelContext camel = new DefaultCamelContext();
        bindBeans(camel);
        PluginHelper.getRoutesLoader(camel).loadRoutes(ResourceHelper.resolveResource(camel, FILE));
        camel.start();
        return camel;
    }

    static void bindBeans(CamelContext camel) {
        camel.getRegistry().bind("rotorRouteBodies", new RouteBodies());
        camel.getRegistry().bind("rotorHttpHeaders", new RouteHttpHeaders());
    }

    /** The example's settings, every timeout {@code timeoutSeconds}. */
    static Target target(String id, String host, int port, String adminAccountId, int timeoutSeconds) {
        Map<String, String> settings = new HashMap<>();
        settings.put("change", "direct:http-app-change");
        settings.put("verify", "direct:http-app-verify");
        settings.put("reconcile", "direct:http-app-change");
        settings.put("discover", "direct:http-app-discover");
        settings.put("timeoutSeconds", String.valueOf(timeoutSeconds));
        return new Target(id, "route", host, port, null, TlsMode.DISABLE, adminAccountId, null, settings);
    }

    /** The route connector factory with the engine's door to {@code camel}, as RotorRuntime.attach offers it. */
    static ConnectorFactory factory(CamelContext camel) {
        RouteCalls calls = new CamelRouteCalls(camel);
        RouteConnectorFactory factory = new RouteConnectorFactory();
        return new ConnectorFactory() {
            @Override
            public String type() {
                return factory.type();
            }

            @Override
            public TargetConnector create(Target target, ConnectorContext context) {
                return factory.create(target, context.with(RouteCalls.class, calls));
            }
        };
    }
}
