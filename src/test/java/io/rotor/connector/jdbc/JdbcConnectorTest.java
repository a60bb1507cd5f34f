package io.rotor.connector.jdbc;

import io.rotor.connector.ChangeRequest;
import io.rotor.connector.ChangeResult;
import io.rotor.connector.ConnectorFactory;
import io.rotor.connector.Login;
import io.rotor.connector.TargetConnector;
import io.rotor.connector.VerifyRequest;
import io.rotor.connector.VerifyResult;
import io.rotor.domain.Secret;
import io.rotor.domain.Target;
import io.rotor.domain.TlsMode;
import org.apache.camel.CamelContext;
import org.apache.camel.Endpoint;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.net.ServerSocket;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Connector behaviour that needs no database: plumbing, refusals, unreachable targets. */
class JdbcConnectorTest {
    private CamelContext camel;
    private int closedPort;

    @BeforeEach
    void start() throws Exception {
        camel = new DefaultCamelContext();
        camel.start();
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
    }

    @AfterEach
    void stop() {
        camel.stop();
    }

    private Target target(String type, String id) {
        return new Target(id, type, "127.0.0.1", closedPort, null, TlsMode.DISABLE, null, null,
                Map.of("connectTimeoutSeconds", "2"));
    }

    private static Secret secret(String value) {
        return Secret.of(value.toCharArray());
    }

    @Test
    void serviceLoaderFindsTheFactories() {
        Map<String, ConnectorFactory> byType = ServiceLoader.load(ConnectorFactory.class).stream()
                .map(ServiceLoader.Provider::get)
                .collect(Collectors.toMap(ConnectorFactory::type, f -> f));
        assertThat(byType).containsKeys("postgresql", "mariadb", "mysql");
        assertThat(byType.get("postgresql")).isInstanceOf(PostgresConnectorFactory.class);
        assertThat(byType.get("mariadb")).isInstanceOf(MariaDbConnectorFactory.class);
    }

    @Test
    void factoriesRefuseOtherTypesAndMariaDbAcceptsMysql() {
        assertThatThrownBy(() -> new PostgresConnectorFactory().create(target("mariadb", "t1"), camel))
                .isInstanceOf(IllegalArgumentException.class);
        try (TargetConnector mysql = new MariaDbConnectorFactory().create(target("mysql", "t2"), camel)) {
            assertThat(mysql.type()).isEqualTo("mysql");
        }
        try (TargetConnector maria = new MySqlConnectorFactory().create(target("mariadb", "t3"), camel)) {
            assertThat(maria.type()).isEqualTo("mariadb");
        }
    }

    @Test
    void bindsTheDataSourceBeansAndUnbindsThemOnClose() {
        TargetConnector connector = new PostgresConnectorFactory().create(target("postgresql", "pg-1"), camel);
        assertThat(camel.getRegistry().lookupByNameAndType("rotor-target-pg-1-admin", DataSource.class)).isNotNull();
        assertThat(camel.getRegistry().lookupByNameAndType("rotor-target-pg-1-login", DataSource.class)).isNotNull();
        connector.verify(new VerifyRequest(null, new Login("someone", secret("pw 'x'"))));
        assertThat(jdbcEndpoints()).anyMatch(uri -> uri.contains("rotor-target-pg-1-login"));
        connector.close();
        assertThat(camel.getRegistry().lookupByName("rotor-target-pg-1-admin")).isNull();
        assertThat(camel.getRegistry().lookupByName("rotor-target-pg-1-login")).isNull();
        assertThat(jdbcEndpoints()).noneMatch(uri -> uri.contains("rotor-target-pg-1"));
    }

    @Test
    void oddTargetIdsGiveUriSafeBeanNames() {
        assertThat(AbstractJdbcConnector.beanSafe("db-01.prod")).isEqualTo("db-01.prod");
        assertThat(AbstractJdbcConnector.beanSafe("db 01/prod?x")).matches("db_01_prod_x-[0-9a-f]{8}");
        assertThat(AbstractJdbcConnector.beanSafe("a/b")).isNotEqualTo(AbstractJdbcConnector.beanSafe("a?b"));
    }

    @Test
    void unreachablePortIsUnreachableForBothDialects() {
        for (TargetConnector connector : new TargetConnector[] {
                new PostgresConnectorFactory().create(target("postgresql", "pg-2"), camel),
                new MariaDbConnectorFactory().create(target("mariadb", "maria-2"), camel)}) {
            try (connector) {
                VerifyResult result = connector.verify(new VerifyRequest(null, new Login("u", secret("S3cret 'x' \\"))));
                assertThat(result.outcome()).as(connector.type()).isEqualTo(VerifyResult.Outcome.UNREACHABLE);
                assertThat(result.detail()).doesNotContain("S3cret");
            }
        }
    }

    @Test
    void changeAgainstUnreachableTargetIsRejectedWithNothingSent() {
        try (TargetConnector connector = new MariaDbConnectorFactory().create(target("mariadb", "maria-3"), camel)) {
            ChangeResult self = connector.change(new ChangeRequest(null, "u", secret("old 'pw' \\"), secret("new 'pw' \\"), null));
            assertThat(self.outcome()).isEqualTo(ChangeResult.Outcome.REJECTED);
            assertThat(self.detail()).startsWith("target unreachable, nothing was sent").doesNotContain("pw");
            ChangeResult admin = connector.change(new ChangeRequest(null, "u", null, secret("new 'pw' \\"),
                    new Login("admin", secret("adm1n pw"))));
            assertThat(admin.outcome()).isEqualTo(ChangeResult.Outcome.REJECTED);
            assertThat(admin.detail()).doesNotContain("pw");
        }
    }

    @Test
    void secretsThatCannotBeSentSafelyAreRefusedBeforeConnecting() {
        try (TargetConnector maria = new MariaDbConnectorFactory().create(target("mariadb", "maria-4"), camel);
             TargetConnector pg = new PostgresConnectorFactory().create(target("postgresql", "pg-4"), camel)) {
            for (String bad : new String[] {"a\nb", "a\rb", "a\0b"}) {
                ChangeResult result = maria.change(new ChangeRequest(null, "u", secret("old"), secret(bad), null));
                assertThat(result.outcome()).isEqualTo(ChangeResult.Outcome.REJECTED);
                assertThat(result.detail()).contains("refused before contacting the target");
            }
            assertThat(pg.change(new ChangeRequest(null, "u", secret("old"), secret("a\0b"), null)).detail())
                    .contains("refused before contacting the target");
            assertThat(pg.change(new ChangeRequest(null, "x".repeat(64), secret("old"), secret("new"), null)).detail())
                    .contains("username refused");
            assertThat(pg.change(new ChangeRequest(null, "u", null, secret("new"), null)).outcome())
                    .isEqualTo(ChangeResult.Outcome.REJECTED);
        }
        assertThat(jdbcEndpoints()).isEmpty();
    }

    @Test
    void noCredentialInAnyEndpointUri() {
        try (TargetConnector connector = new PostgresConnectorFactory().create(target("postgresql", "pg-5"), camel)) {
            connector.change(new ChangeRequest(null, "u", null, secret("N3wSecretValue"),
                    new Login("admin", secret("AdminSecretValue"))));
            connector.verify(new VerifyRequest(null, new Login("u", secret("LoginSecretValue"))));
        }
        for (Endpoint endpoint : camel.getEndpoints()) {
            assertThat(endpoint.getEndpointUri()).doesNotContain("SecretValue");
        }
    }

    @Test
    void statementDebugLoggingIsSuppressed() {
        try (TargetConnector connector = new MariaDbConnectorFactory().create(target("mariadb", "maria-7"), camel)) {
            assertThat(org.slf4j.LoggerFactory.getLogger(org.apache.camel.component.jdbc.JdbcProducer.class).isDebugEnabled())
                    .isFalse();
            assertThat(org.slf4j.LoggerFactory.getLogger("org.mariadb.jdbc.client.impl.StandardClient").isTraceEnabled())
                    .isFalse();
            StatementLogGuard.Filter filter = new StatementLogGuard.Filter();
            // the guard leaves the driver's ordinary INFO logging to the configuration
            assertThat(filter.decide(null, (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("org.mariadb.jdbc.Connection"),
                    ch.qos.logback.classic.Level.INFO, "connected", null, null)).isEqualTo(ch.qos.logback.core.spi.FilterReply.NEUTRAL);
            ch.qos.logback.classic.Logger errorPacket = (ch.qos.logback.classic.Logger)
                    org.slf4j.LoggerFactory.getLogger("org.mariadb.jdbc.message.server.ErrorPacket");
            assertThat(filter.decide(null, errorPacket, ch.qos.logback.classic.Level.WARN, "Error: {}-{}: {}",
                    new Object[] {(short) 1064, "42000", "near 'secret'"}, null))
                    .isEqualTo(ch.qos.logback.core.spi.FilterReply.DENY);
            assertThat(filter.decide(null, errorPacket, ch.qos.logback.classic.Level.WARN, "Error: {}-{}: {}",
                    new Object[] {(short) 1045, "28000", "Access denied"}, null))
                    .isEqualTo(ch.qos.logback.core.spi.FilterReply.NEUTRAL);
        }
    }

    @Test
    void requestsForAnotherTargetAreRefused() {
        try (TargetConnector connector = new PostgresConnectorFactory().create(target("postgresql", "pg-6"), camel)) {
            assertThatThrownBy(() -> connector.verify(new VerifyRequest(target("postgresql", "other"),
                    new Login("u", secret("x"))))).isInstanceOf(IllegalArgumentException.class);
        }
    }

    private java.util.List<String> jdbcEndpoints() {
        return camel.getEndpoints().stream().map(Endpoint::getEndpointUri).filter(uri -> uri.startsWith("jdbc:")).toList();
    }
}
