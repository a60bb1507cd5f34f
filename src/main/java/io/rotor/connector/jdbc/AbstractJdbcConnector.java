package io.rotor.connector.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.pool.HikariPool;
import io.rotor.connector.ChangeRequest;
import io.rotor.connector.ChangeResult;
import io.rotor.connector.DiscoverRequest;
import io.rotor.connector.DiscoverResult;
import io.rotor.connector.Login;
import io.rotor.connector.ReconcileRequest;
import io.rotor.connector.TargetConnector;
import io.rotor.connector.VerifyRequest;
import io.rotor.connector.VerifyResult;
import io.rotor.domain.Secret;
import io.rotor.domain.Target;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import javax.sql.DataSource;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;

/**
 * What the PostgreSQL and MariaDB connectors share: connections, sessions and the mapping of failures to
 * results. Plain JDBC through the driver, no Camel endpoint in between.
 *
 * <p>An operation runs all its statements on one connection (a {@link Session}), e.g. read
 * {@code @@SESSION.sql_mode}, then {@code ALTER USER} quoted for it:
 * <ul>
 *   <li>admin operations take a connection from a per-target HikariCP pool logged in as the admin account,
 *       created on first admin use, sized by the target setting {@code maxPoolSize} (default 4) and rebuilt
 *       when a different admin credential arrives (the connector keeps a keyed hash of it, not the value);</li>
 *   <li>a verify or a self-change opens one fresh physical connection as the account, never a pooled one.</li>
 * </ul>
 * Credentials travel only in {@link Properties} given to the driver ({@link PhysicalDataSource}): never in a
 * URI, a log line or the JDBC URL.
 *
 * <p>Target settings: {@code connectTimeoutSeconds} (10), {@code socketTimeoutSeconds} (30),
 * {@code maxPoolSize} (4), {@code sslrootcert} (CA file for verify-full), plus the dialect's own.
 */
public abstract class AbstractJdbcConnector implements TargetConnector {
    /** Where an operation failed: what was certainly not sent to the target yet. */
    enum Phase { CONNECT, PREPARE, APPLY }

    private static final SecureRandom RANDOM = new SecureRandom();

    protected final Target target;
    private final Driver driver;
    private final String url;
    private final Properties properties;
    private final String poolName;
    private final byte[] identityKey = new byte[32];
    private final Object poolLock = new Object();
    private HikariDataSource adminPool;
    private byte[] adminIdentity;
    private Secret adminPoolSecret;
    private volatile boolean closed;

    /** Reads the URL and driver properties at once: a target that cannot give them is refused here. */
    protected AbstractJdbcConnector(Target target, Driver driver) {
        this.target = Objects.requireNonNull(target, "target");
        this.driver = Objects.requireNonNull(driver, "driver");
        RANDOM.nextBytes(identityKey);
        StatementLogGuard.ensureInstalled();
        poolName = "rotor-target-" + logSafe(target.id()) + "-admin";
        url = jdbcUrl();
        properties = connectionProperties();
        if (statementTimeoutSeconds() >= socketTimeoutSeconds()) {
            throw new IllegalArgumentException("target " + target.id() + ": statementTimeoutSeconds (" + statementTimeoutSeconds()
                    + ") must be less than socketTimeoutSeconds (" + socketTimeoutSeconds() + "), so that the server gives"
                    + " up on a change before Rotor stops waiting and the outcome is rarely unknown");
        }
    }

    // ---------------------------------------------------------------- dialect

    /** The JDBC URL: host, port and database only, never a credential. */
    protected abstract String jdbcUrl();

    /** Driver properties for timeouts and TLS; the connector adds user and password per login. */
    protected abstract Properties connectionProperties();

    /** Whether the failure is the server refusing the credential. */
    protected abstract boolean isAuthenticationFailure(Throwable failure);

    /** A statement that proves a login works. */
    protected String probeStatement() {
        return "SELECT 1";
    }

    /** Runs the change of {@code username}'s credential in an open admin session. */
    protected abstract void adminChange(Session session, String username, Secret newSecret) throws StatementFailure;

    /** Runs the change of the session user's own credential in an open login session. */
    protected abstract void selfChange(Session session, String username, Secret newSecret) throws StatementFailure;

    /** Lists login accounts in an open admin session. */
    protected abstract DiscoverResult listAccounts(Session session, String filter) throws StatementFailure;

    /** Refuses what cannot be sent safely, before anything is sent; null when acceptable. */
    protected String refusal(String username, Secret newSecret) {
        return null;
    }

    /** Whether the driver message for this failure may quote the statement text (then it is not reported). */
    protected boolean messageQuotesStatement(Throwable failure) {
        return false;
    }

    /** Forms of a secret besides its clear text that could appear in a driver message (quoted literals). */
    protected List<String> secretForms(Secret secret) {
        return List.of(secret.reveal());
    }

    // ---------------------------------------------------------------- operations

    @Override
    public VerifyResult verify(VerifyRequest request) {
        checkOpen(request.target());
        Login login = request.login();
        if (login == null || login.username() == null || login.secret() == null) {
            throw new IllegalArgumentException("verify needs a login with a username and a secret");
        }
        String[] secrets = redactions(login.secret());
        try (Session session = loginSession(login)) {
            session.query(probeStatement());
            return VerifyResult.valid();
        } catch (StatementFailure f) {
            String detail = SqlFailures.describe(f.getCause(), secrets);
            if (f.phase == Phase.CONNECT && isAuthenticationFailure(f.getCause())) {
                return VerifyResult.rejected("login refused: " + detail);
            }
            return VerifyResult.unreachable((f.phase == Phase.CONNECT ? "cannot connect: " : "login check failed: ")
                    + detail);
        }
    }

    @Override
    public ChangeResult change(ChangeRequest request) {
        checkOpen(request.target());
        if (request.viaAdmin()) {
            return changeViaAdmin(request.admin(), request.username(), request.newSecret(), request.current());
        }
        String username = request.username();
        Secret newSecret = request.newSecret();
        requireAccount(username, newSecret);
        if (request.current() == null) {
            return ChangeResult.rejected("self-rotation needs the account's current credential (no admin login given)");
        }
        String refused = refusal(username, newSecret);
        if (refused != null) {
            return ChangeResult.rejected(refused);
        }
        String[] secrets = redactions(request.current(), newSecret);
        try (Session session = loginSession(new Login(username, request.current()))) {
            selfChange(session, username, newSecret);
            return ChangeResult.changed();
        } catch (StatementFailure f) {
            return changeFailure(f, "login as " + username, secrets);
        }
    }

    @Override
    public ChangeResult reconcile(ReconcileRequest request) {
        checkOpen(request.target());
        if (request.admin() == null) {
            return ChangeResult.rejected("reconcile needs the target's admin login");
        }
        return changeViaAdmin(request.admin(), request.username(), request.newSecret(), null);
    }

    @Override
    public DiscoverResult discover(DiscoverRequest request) {
        checkOpen(request.target());
        if (request.admin() == null) {
            throw new IllegalArgumentException("discover needs the target's admin login");
        }
        String[] secrets = redactions(request.admin().secret());
        try (Session session = adminSession(request.admin())) {
            return listAccounts(session, request.filter());
        } catch (StatementFailure f) {
            forgetAdminPoolAfter(f);
            throw new JdbcConnectorException("discover on target " + target.id() + " failed: "
                    + SqlFailures.describe(f.getCause(), secrets));
        }
    }

    private ChangeResult changeViaAdmin(Login admin, String username, Secret newSecret, Secret current) {
        requireAccount(username, newSecret);
        if (admin.username() == null || admin.secret() == null) {
            throw new IllegalArgumentException("the admin login needs a username and a secret");
        }
        String refused = refusal(username, newSecret);
        if (refused != null) {
            return ChangeResult.rejected(refused);
        }
        String[] secrets = redactions(admin.secret(), current, newSecret);
        try (Session session = adminSession(admin)) {
            adminChange(session, username, newSecret);
            return ChangeResult.changed();
        } catch (StatementFailure f) {
            forgetAdminPoolAfter(f);
            return changeFailure(f, "admin login as " + admin.username(), secrets);
        }
    }

    private ChangeResult changeFailure(StatementFailure f, String login, String[] secrets) {
        Throwable cause = f.getCause();
        String detail = messageQuotesStatement(cause)
                ? "[" + sqlStateOf(cause) + "] (server message withheld: it quotes the statement)"
                : SqlFailures.describe(cause, secrets);
        return switch (f.phase) {
            case CONNECT -> isAuthenticationFailure(cause)
                    ? ChangeResult.loginRefused(login + " refused: " + detail)
                    : ChangeResult.rejected("target unreachable, nothing was sent: " + detail);
            case PREPARE -> ChangeResult.rejected("failed before the change was sent: " + detail);
            case APPLY -> SqlFailures.isConnectionFailure(cause) || !(anySql(cause))
                    ? ChangeResult.unknown("outcome unknown: connection lost after ALTER was sent: " + detail)
                    : ChangeResult.rejected("target refused the change: " + detail);
        };
    }

    private static boolean anySql(Throwable cause) {
        return SqlFailures.any(cause, e -> true);
    }

    private static String sqlStateOf(Throwable cause) {
        for (Throwable t : SqlFailures.chain(cause)) {
            if (t instanceof SQLException sql && sql.getSQLState() != null) {
                return "SQLState " + sql.getSQLState() + ", code " + sql.getErrorCode();
            }
        }
        return cause.getClass().getSimpleName();
    }

    private static void requireAccount(String username, Secret newSecret) {
        if (username == null || username.isEmpty()) {
            throw new IllegalArgumentException("username must not be empty");
        }
        if (newSecret == null || newSecret.length() == 0) {
            throw new IllegalArgumentException("the new secret must not be empty");
        }
    }

    private String[] redactions(Secret... secrets) {
        List<String> forms = new ArrayList<>();
        for (Secret secret : secrets) {
            if (secret != null && secret.length() > 0) {
                forms.addAll(secretForms(secret));
            }
        }
        return forms.toArray(String[]::new);
    }

    // ---------------------------------------------------------------- sessions

    /** One operation's statements, all on one connection; closing the session gives the connection back. */
    protected final class Session implements AutoCloseable {
        private final Connection connection;
        private Phase phase = Phase.PREPARE;

        private Session(Connection connection) {
            this.connection = connection;
        }

        /** Runs a query and returns its rows (column label to value). */
        public List<Map<String, Object>> query(String sql) throws StatementFailure {
            try (Statement statement = connection.createStatement()) {
                if (!statement.execute(sql)) {
                    return List.of();
                }
                try (ResultSet rows = statement.getResultSet()) {
                    return readRows(rows);
                }
            } catch (SQLException | RuntimeException e) {
                throw new StatementFailure(phase, e);
            }
        }

        /** Runs the statement that changes the credential: from here on a lost connection means "unknown". */
        public void apply(String sql) throws StatementFailure {
            phase = Phase.APPLY;
            try (Statement statement = connection.createStatement()) {
                statement.execute(sql);
            } catch (SQLException | RuntimeException e) {
                throw new StatementFailure(phase, e);
            }
        }

        @Override
        public void close() {
            try {
                connection.close();
            } catch (SQLException | RuntimeException ignored) {
                // a broken connection: nothing left to release
            }
        }
    }

    private static List<Map<String, Object>> readRows(ResultSet rows) throws SQLException {
        ResultSetMetaData meta = rows.getMetaData();
        List<Map<String, Object>> out = new ArrayList<>();
        while (rows.next()) {
            Map<String, Object> row = new LinkedHashMap<>();
            for (int column = 1; column <= meta.getColumnCount(); column++) {
                row.put(meta.getColumnLabel(column), rows.getObject(column));
            }
            out.add(row);
        }
        return out;
    }

    /** A failed statement, with the phase it failed in. Its message is never shown; its cause is described. */
    protected static final class StatementFailure extends Exception {
        final Phase phase;

        StatementFailure(Phase phase, Throwable cause) {
            super(null, cause, false, false);
            this.phase = phase;
        }
    }

    /** A fresh physical connection logged in as {@code login}; a failure here means nothing was sent. */
    private Session loginSession(Login login) throws StatementFailure {
        try {
            return new Session(PhysicalDataSource.connect(driver, url, properties, login));
        } catch (SQLException | RuntimeException e) {
            throw new StatementFailure(Phase.CONNECT, e);
        }
    }

    /** A connection from the admin pool; a failure here means nothing was sent. */
    private Session adminSession(Login admin) throws StatementFailure {
        HikariDataSource pool = adminPoolFor(admin);
        try {
            return new Session(pool.getConnection());
        } catch (SQLException | RuntimeException e) {
            throw new StatementFailure(Phase.CONNECT, e);
        }
    }

    /** The admin pool for this credential: the current one, or a new one replacing a pool for another. */
    private HikariDataSource adminPoolFor(Login admin) throws StatementFailure {
        byte[] identity = identity(admin);
        synchronized (poolLock) {
            if (closed) {
                throw new IllegalStateException("connector closed");
            }
            if (adminPool != null && !adminPool.isClosed() && MessageDigest.isEqual(identity, adminIdentity)) {
                return adminPool;
            }
            closeAdminPool();
            Secret copy = Secret.of(admin.secret().chars());
            HikariConfig config = new HikariConfig();
            config.setPoolName(poolName);
            config.setDataSource(new PhysicalDataSource(driver, url, properties, new Login(admin.username(), copy)));
            config.setMaximumPoolSize(intSetting("maxPoolSize", 4, 1));
            config.setMinimumIdle(0);
            long connectMillis = connectTimeoutSeconds() * 1000L;
            config.setConnectionTimeout(Math.max(1000L, connectMillis + 1000L));
            config.setValidationTimeout(Math.max(250L, Math.min(5000L, connectMillis)));
            config.setIdleTimeout(60_000L);
            config.setInitializationFailTimeout(1); // one login attempt up front: a refused admin fails at once
            config.setRegisterMbeans(false);
            try {
                adminPool = new HikariDataSource(config);
            } catch (HikariPool.PoolInitializationException e) {
                copy.close();
                throw new StatementFailure(Phase.CONNECT, e.getCause() != null ? e.getCause() : e);
            } catch (RuntimeException e) {
                copy.close();
                throw new StatementFailure(Phase.CONNECT, e);
            }
            adminIdentity = identity;
            adminPoolSecret = copy;
            return adminPool;
        }
    }

    /** After a refused admin login the pool is dropped, so the next admin operation starts with one fresh attempt. */
    private void forgetAdminPoolAfter(StatementFailure failure) {
        if (failure.phase == Phase.CONNECT && isAuthenticationFailure(failure.getCause())) {
            synchronized (poolLock) {
                closeAdminPool();
            }
        }
    }

    private void closeAdminPool() {
        if (adminPool != null) {
            adminPool.close();
            adminPool = null;
        }
        adminIdentity = null;
        if (adminPoolSecret != null) {
            adminPoolSecret.close();
            adminPoolSecret = null;
        }
    }

    /** HMAC of username and secret under a key that lives only in this connector: tells credentials apart. */
    private byte[] identity(Login admin) {
        byte[] secret = admin.secret().utf8();
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(identityKey, "HmacSHA256"));
            mac.update(admin.username().getBytes(StandardCharsets.UTF_8));
            mac.update((byte) 0);
            return mac.doFinal(secret);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        } finally {
            Arrays.fill(secret, (byte) 0);
        }
    }

    // ---------------------------------------------------------------- settings and lifecycle

    protected final int connectTimeoutSeconds() {
        return intSetting("connectTimeoutSeconds", 10, 1);
    }

    protected final int socketTimeoutSeconds() {
        return intSetting("socketTimeoutSeconds", 30, 1);
    }

    /**
     * How long the server may spend on the statement that changes a credential, lock waits included; set on the
     * session before the change so that a change stuck behind a lock fails on the server (nothing changed) instead of
     * landing after Rotor has stopped waiting (docs/architecture.md, "Unknown outcomes").
     */
    protected final int statementTimeoutSeconds() {
        return intSetting("statementTimeoutSeconds", Math.max(1, Math.min(10, socketTimeoutSeconds() - 1)), 1);
    }

    protected final int intSetting(String key, int fallback, int min) {
        String value = target.setting(key, null);
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            int parsed = Integer.parseInt(value.trim());
            if (parsed < min) {
                throw new IllegalArgumentException("target setting " + key + " must be at least " + min);
            }
            return parsed;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("target setting " + key + " is not a number: " + value);
        }
    }

    /** Host for a JDBC URL (IPv6 literals in brackets). */
    protected final String urlHost() {
        String host = target.host();
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("target " + target.id() + " has no host");
        }
        if (host.contains(":") && !host.startsWith("[")) {
            return "[" + host + "]";
        }
        if (!host.matches("[A-Za-z0-9._\\-\\[\\]:%]+")) {
            throw new IllegalArgumentException("target " + target.id() + " has an invalid host");
        }
        return host;
    }

    /** The admin pool as it is now (null before the first admin operation): for tests that inspect its sessions. */
    DataSource currentAdminPool() {
        synchronized (poolLock) {
            return adminPool;
        }
    }

    private void checkOpen(Target requested) {
        if (closed) {
            throw new IllegalStateException("connector for target " + target.id() + " is closed");
        }
        if (requested != null && !Objects.equals(requested.id(), target.id())) {
            throw new IllegalArgumentException("request for target " + requested.id() + " sent to the connector of "
                    + target.id());
        }
    }

    @Override
    public void close() {
        synchronized (poolLock) {
            if (closed) {
                return;
            }
            closed = true;
            closeAdminPool();
        }
    }

    /**
     * The target id as it may appear in the pool's name, which ends up in thread names and pool log lines:
     * anything but letters, digits, {@code _ . -} is replaced, and a short hash keeps altered ids apart.
     */
    static String logSafe(String id) {
        if (id == null || id.isEmpty()) {
            throw new IllegalArgumentException("target id must not be empty");
        }
        String safe = id.replaceAll("[^A-Za-z0-9_.\\-]", "_");
        if (safe.equals(id)) {
            return id;
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(id.getBytes(StandardCharsets.UTF_8));
            return safe + "-" + HexFormat.of().formatHex(digest, 0, 4);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
