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
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverPropertyInfo;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.ServiceLoader;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Connector behaviour that needs no database: what reaches the driver, refusals, unreachable targets. */
class JdbcConnectorTest {
    private int closedPort;

    @BeforeEach
    void start() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
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
        assertThatThrownBy(() -> new PostgresConnectorFactory().create(target("mariadb", "t1")))
                .isInstanceOf(IllegalArgumentException.class);
        try (TargetConnector mysql = new MariaDbConnectorFactory().create(target("mysql", "t2"))) {
            assertThat(mysql.type()).isEqualTo("mysql");
        }
        try (TargetConnector maria = new MySqlConnectorFactory().create(target("mariadb", "t3"))) {
            assertThat(maria.type()).isEqualTo("mariadb");
        }
    }

    @Test
    void eachVerifyOpensItsOwnConnectionAndAClosedConnectorSendsNothing() {
        RecordingDriver driver = new RecordingDriver(new org.postgresql.Driver());
        TargetConnector connector = new PostgresConnector(target("postgresql", "pg-1"), driver);
        connector.verify(new VerifyRequest(null, new Login("someone", secret("pw 'x'"))));
        connector.verify(new VerifyRequest(null, new Login("someone", secret("pw 'x'"))));
        assertThat(driver.connects).hasSize(2);
        connector.close();
        assertThatThrownBy(() -> connector.verify(new VerifyRequest(null, new Login("someone", secret("pw 'x'")))))
                .isInstanceOf(IllegalStateException.class);
        assertThat(driver.connects).hasSize(2);
    }

    @Test
    void oddTargetIdsGiveLogSafePoolNames() {
        assertThat(AbstractJdbcConnector.logSafe("db-01.prod")).isEqualTo("db-01.prod");
        assertThat(AbstractJdbcConnector.logSafe("db 01/prod?x")).matches("db_01_prod_x-[0-9a-f]{8}");
        assertThat(AbstractJdbcConnector.logSafe("a/b")).isNotEqualTo(AbstractJdbcConnector.logSafe("a?b"));
        assertThat(AbstractJdbcConnector.logSafe("db\r\nFAKE LOG LINE")).doesNotContain("\r", "\n");
    }

    @Test
    void unreachablePortIsUnreachableForBothDialects() {
        for (TargetConnector connector : new TargetConnector[] {
                new PostgresConnectorFactory().create(target("postgresql", "pg-2")),
                new MariaDbConnectorFactory().create(target("mariadb", "maria-2"))}) {
            try (connector) {
                VerifyResult result = connector.verify(new VerifyRequest(null, new Login("u", secret("S3cret 'x' \\"))));
                assertThat(result.outcome()).as(connector.type()).isEqualTo(VerifyResult.Outcome.UNREACHABLE);
                assertThat(result.detail()).doesNotContain("S3cret");
            }
        }
    }

    @Test
    void changeAgainstUnreachableTargetIsRejectedWithNothingSent() {
        try (TargetConnector connector = new MariaDbConnectorFactory().create(target("mariadb", "maria-3"))) {
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
        RecordingDriver mariaDriver = new RecordingDriver(new org.mariadb.jdbc.Driver());
        RecordingDriver pgDriver = new RecordingDriver(new org.postgresql.Driver());
        try (TargetConnector maria = new MariaDbConnector(target("mariadb", "maria-4"), mariaDriver);
             TargetConnector pg = new PostgresConnector(target("postgresql", "pg-4"), pgDriver)) {
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
        assertThat(mariaDriver.connects).isEmpty();
        assertThat(pgDriver.connects).isEmpty();
    }

    @Test
    void noCredentialInAnyJdbcUrlAndThePasswordCopyIsClearedAfterTheDriverHadIt() {
        for (boolean postgres : new boolean[] {true, false}) {
            RecordingDriver driver = new RecordingDriver(postgres ? new org.postgresql.Driver() : new org.mariadb.jdbc.Driver());
            try (TargetConnector connector = postgres
                    ? new PostgresConnector(target("postgresql", "pg-5"), driver)
                    : new MariaDbConnector(target("mariadb", "maria-5"), driver)) {
                connector.change(new ChangeRequest(null, "u", null, secret("N3wSecretValue"),
                        new Login("admin", secret("AdminSecretValue"))));
                connector.verify(new VerifyRequest(null, new Login("u", secret("LoginSecretValue"))));
            }
            assertThat(driver.connects).as("admin login and verify login").hasSize(2);
            assertThat(driver.connects).extracting(Connect::user).containsExactly("admin", "u");
            for (Connect connect : driver.connects) {
                assertThat(connect.url()).doesNotContain("SecretValue", "password", "user");
                assertThat(connect.passwordGiven()).as("the password goes in the driver properties").isTrue();
                assertThat(connect.properties()).as("the copy holding the password is cleared").isEmpty();
            }
        }
    }

    @Test
    void statementDebugLoggingIsSuppressed() {
        try (TargetConnector connector = new MariaDbConnectorFactory().create(target("mariadb", "maria-7"))) {
            assertThat(org.slf4j.LoggerFactory.getLogger("org.mariadb.jdbc.client.impl.StandardClient").isDebugEnabled())
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
        try (TargetConnector connector = new PostgresConnectorFactory().create(target("postgresql", "pg-6"))) {
            assertThatThrownBy(() -> connector.verify(new VerifyRequest(target("postgresql", "other"),
                    new Login("u", secret("x"))))).isInstanceOf(IllegalArgumentException.class);
        }
    }

    /** One call of {@link Driver#connect}: the URL, who logged in, and the properties object the driver was given. */
    record Connect(String url, String user, boolean passwordGiven, Properties properties) {
    }

    /** A driver in front of the real one that records every connection attempt. */
    static final class RecordingDriver implements Driver {
        final List<Connect> connects = new CopyOnWriteArrayList<>();
        private final Driver real;

        RecordingDriver(Driver real) {
            this.real = real;
        }

        @Override
        public Connection connect(String url, Properties info) throws SQLException {
            connects.add(new Connect(url, info.getProperty("user"), info.getProperty("password") != null, info));
            return real.connect(url, info);
        }

        @Override
        public boolean acceptsURL(String url) throws SQLException {
            return real.acceptsURL(url);
        }

        @Override
        public DriverPropertyInfo[] getPropertyInfo(String url, Properties info) throws SQLException {
            return real.getPropertyInfo(url, info);
        }

        @Override
        public int getMajorVersion() {
            return real.getMajorVersion();
        }

        @Override
        public int getMinorVersion() {
            return real.getMinorVersion();
        }

        @Override
        public boolean jdbcCompliant() {
            return real.jdbcCompliant();
        }

        @Override
        public java.util.logging.Logger getParentLogger() throws SQLFeatureNotSupportedException {
            return real.getParentLogger();
        }
    }
}
