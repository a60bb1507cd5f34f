package io.rotor.camel.route;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import io.rotor.connector.ChangeRequest;
import io.rotor.connector.ChangeResult;
import io.rotor.connector.ConnectorContext;
import io.rotor.connector.ConnectorRegistry;
import io.rotor.connector.Login;
import io.rotor.connector.Redactor;
import io.rotor.connector.TargetConnector;
import io.rotor.connector.VerifyRequest;
import io.rotor.connector.VerifyResult;
import io.rotor.domain.Secret;
import io.rotor.domain.Target;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangePropertyKey;
import org.apache.camel.MessageHistory;
import org.apache.camel.main.MainConfigurationProperties;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.spi.Registry;
import org.apache.camel.support.EventNotifierSupport;
import org.apache.camel.support.MessageHelper;
import org.apache.camel.support.processor.DefaultExchangeFormatter;
import org.apache.camel.test.main.junit5.CamelMainTestSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * No secret reaches Camel's tracing, message history, logs or headers while a route connector runs: the shipped
 * example route runs a self-change, an admin change, a verify and a change cut after it was applied (so Camel's error
 * handler logs the exchange with its message history), with {@code camel.main.tracing=true}, message history on and
 * every Camel logger at DEBUG. Every captured text is searched for each secret and each encoded form
 * of it ({@link Redactor#forms}).
 */
class RouteSecretsTest extends CamelMainTestSupport {
    private static final String OLD = "Old-Secret-31337-xyz";
    private static final String NEW = "New-Secret-27182-abc";
    private static final String ADMIN = "Admin-Secret-16180-q";
    private static final String NEWER = "Newer-Secret-14142-w";

    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private final List<String> histories = new CopyOnWriteArrayList<>();
    private final List<String> headers = new CopyOnWriteArrayList<>();
    private PasswordApp app;
    private Level rootLevel;

    @Override
    protected void configure(MainConfigurationProperties configuration) {
        configuration.withRoutesIncludePattern(ExampleRoutes.FILE).withTracing(true).withMessageHistory(true);
    }

    @Override
    protected Properties useOverridePropertiesWithPropertiesComponent() {
        Properties p = new Properties();
        p.setProperty("camel.main.tracing", "true");
        p.setProperty("camel.main.message-history", "true");
        p.setProperty("camel.server.enabled", "false");
        p.setProperty("camel.management.enabled", "false");
        return p;
    }

    @Override
    protected void bindToRegistry(Registry registry) throws Exception {
        registry.bind("rotorRouteBodies", new RouteBodies());
        registry.bind("rotorHttpHeaders", new RouteHttpHeaders());
        // everything at DEBUG, as an operator chasing a problem would set it: the tracer logs under the routes' source
        // locations (http-app-password.camel.yaml:31), the error handler under org.apache.camel; only what Rotor's
        // logback.xml switches off stays off (the HTTP client's wire log, which would print any request body)
        ((Logger) LoggerFactory.getLogger("org.apache.camel")).setLevel(Level.DEBUG);
        ((Logger) LoggerFactory.getLogger("io.rotor")).setLevel(Level.DEBUG);
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        rootLevel = root.getLevel();
        root.setLevel(Level.DEBUG);
        logs.start();
        root.addAppender(logs);
        app = new PasswordApp();
        app.passwords.put("alice", OLD);
        app.passwords.put("root", ADMIN);
        app.admins.add("root");
    }

    @AfterEach
    void stopCapturing() {
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.detachAppender(logs);
        root.setLevel(rootLevel);
        ((Logger) LoggerFactory.getLogger("org.apache.camel")).setLevel(null);
        ((Logger) LoggerFactory.getLogger("io.rotor")).setLevel(null);
        if (app != null) {
            app.close();
        }
    }

    private static Secret s(String value) {
        return Secret.fromUtf8(value.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void noSecretReachesTracingMessageHistoryLogsOrHeaders() throws Exception {
        context.getManagementStrategy().addEventNotifier(new EventNotifierSupport() {
            @Override
            public void notify(CamelEvent event) {
                if (event instanceof CamelEvent.ExchangeEvent e && (event instanceof CamelEvent.ExchangeCompletedEvent
                        || event instanceof CamelEvent.ExchangeFailedEvent)) {
                    Exchange exchange = e.getExchange();
                    DefaultExchangeFormatter everything = new DefaultExchangeFormatter();
                    everything.setShowAll(true);
                    everything.setMultiline(true);
                    histories.add(MessageHelper.dumpMessageHistoryStacktrace(exchange, everything, true));
                    List<?> history = exchange.getProperty(ExchangePropertyKey.MESSAGE_HISTORY, List.class);
                    if (history != null) {
                        history.forEach(h -> histories.add(String.valueOf(((MessageHistory) h).getMessage())));
                    }
                    histories.add(everything.format(exchange));
                    headers.add(String.valueOf(exchange.getMessage().getHeaders()));
                }
            }
        });
        ConnectorRegistry registry = new ConnectorRegistry();
        registry.attach(new ConnectorContext(null).with(RouteCalls.class, new CamelRouteCalls(context)));
        Target target = ExampleRoutes.target("app", "127.0.0.1", app.port(), null, 5);

        TargetConnector connector = registry.connectorFor(target);
        ChangeResult self = connector.change(new ChangeRequest(target, "alice", s(OLD), s(NEW), null, null, "alice-app"));
        assertThat(self.outcome()).as(self.detail()).isEqualTo(ChangeResult.Outcome.CHANGED);
        ChangeResult viaAdmin = connector.change(new ChangeRequest(target, "alice", null, s(NEWER),
                new Login("root", s(ADMIN)), null, "alice-app"));
        assertThat(viaAdmin.outcome()).as(viaAdmin.detail()).isEqualTo(ChangeResult.Outcome.CHANGED);
        assertThat(app.passwords.get("alice")).isEqualTo(NEWER);
        VerifyResult verified = connector.verify(new VerifyRequest(target, new Login("alice", s(NEWER)), null, "alice-app"));
        assertThat(verified.outcome()).isEqualTo(VerifyResult.Outcome.VALID);

        // a change whose connection is cut after the application applied it: the route ends with an exception, which
        // Camel's error handler logs with the exchange and its message history
        try (io.rotor.connector.FaultProxy cut = new io.rotor.connector.FaultProxy("127.0.0.1", app.port(),
                io.rotor.connector.FaultProxy.Mode.CUT_AFTER_CHANGE, () -> !NEWER.equals(app.passwords.get("alice")))) {
            Target cutTarget = ExampleRoutes.target("cut", "127.0.0.1", cut.port(), null, 5);
            ChangeResult failed = registry.connectorFor(cutTarget).change(new ChangeRequest(cutTarget, "alice",
                    s(NEWER), s(NEW), null, null, "alice-app"));
            assertThat(failed.outcome()).as(failed.detail()).isEqualTo(ChangeResult.Outcome.UNKNOWN);
            assertThat(app.passwords.get("alice")).isEqualTo(NEW);
        }

        StringBuilder logged = new StringBuilder();
        for (ILoggingEvent event : logs.list) {
            logged.append(event.getFormattedMessage()).append('\n');
            if (event.getThrowableProxy() != null) {
                logged.append(ThrowableProxyUtil.asString(event.getThrowableProxy())).append('\n');
            }
        }

        // the capture did see the routes: the tracer printed their steps and headers, the error handler the failure
        assertThat(logged).as("tracer output").contains("http-app-change").contains("RotorUsername");
        assertThat(logged).as("the error handler logged the failed change").contains("Failed delivery");
        assertThat(histories).isNotEmpty();
        assertThat(String.join("\n", histories)).contains("http-app-change").contains("RotorRequestSent");
        assertThat(String.join("\n", headers)).contains("RotorOutcome");

        for (String secret : List.of(OLD, NEW, ADMIN, NEWER)) {
            for (String form : Redactor.forms(secret)) {
                assertThat(logged.toString()).as("log").doesNotContain(form);
                assertThat(String.join("\n", histories)).as("message history").doesNotContain(form);
                assertThat(String.join("\n", headers)).as("headers").doesNotContain(form);
            }
        }
    }
}
