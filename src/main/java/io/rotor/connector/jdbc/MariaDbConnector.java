package io.rotor.connector.jdbc;

import io.rotor.connector.DiscoverResult;
import io.rotor.connector.LoginFacts;
import io.rotor.domain.Secret;
import io.rotor.domain.Target;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * MariaDB / MySQL connector (types {@code mariadb} and {@code mysql}), over MariaDB Connector/J.
 *
 * <p>Every change first reads {@code @@SESSION.sql_mode} (and {@code VERSION()}) on the connection that will
 * run it, and quotes literals for that mode ({@link SqlQuoting#mariaLiteral}). Secrets holding NUL, CR or LF
 * are refused before anything is sent.
 * <ul>
 *   <li>admin change and reconcile: {@code ALTER USER '<user>'@'<accountHost>' IDENTIFIED BY '<new>'}, through the
 *       admin pool; {@code accountHost} is a target setting (default {@code %});</li>
 *   <li>self-rotation, over a fresh login as the account: on MariaDB
 *       {@code SET PASSWORD = PASSWORD('<new>')} (what a user without privileges may run; it changes
 *       {@code CURRENT_USER()}), on MySQL {@code ALTER USER CURRENT_USER() IDENTIFIED BY '<new>'}.</li>
 * </ul>
 * The statement holds the clear password (the server offers no client-side verifier that works for every
 * authentication plugin), so it never goes to a log: the driver's debug logging is suppressed
 * by {@link StatementLogGuard}, the driver is told not to append queries to exceptions, and a syntax-error
 * message (which quotes the statement) is never reported.
 *
 * <p>TLS from {@link Target#tlsMode()}: {@code sslMode=disable}, {@code trust} (encrypted, not verified) or
 * {@code verify-full} (chain against {@code serverSslCert} = target setting {@code sslrootcert}, and host name).
 */
public class MariaDbConnector extends AbstractJdbcConnector {
    public static final String TYPE = "mariadb";
    public static final String MYSQL_TYPE = "mysql";
    /** ER_ACCESS_DENIED_ERROR. */
    private static final int ACCESS_DENIED = 1045;
    /** ER_ACCESS_DENIED_NO_PASSWORD_ERROR: MariaDB answers it instead of 1045 for some unknown users. */
    private static final int ACCESS_DENIED_NO_PASSWORD = 1698;
    /** ER_PARSE_ERROR and ER_SYNTAX_ERROR: their messages quote the statement. */
    private static final int PARSE_ERROR = 1064;
    private static final int SYNTAX_ERROR = 1149;

    public MariaDbConnector(Target target) {
        this(target, new org.mariadb.jdbc.Driver());
    }

    /** With another driver in front of the real one (tests record what reaches the driver). */
    MariaDbConnector(Target target, java.sql.Driver driver) {
        super(target, driver);
    }

    @Override
    public String type() {
        return MYSQL_TYPE.equalsIgnoreCase(target.type()) ? MYSQL_TYPE : TYPE;
    }

    @Override
    protected String jdbcUrl() {
        int port = target.port() > 0 ? target.port() : 3306;
        String database = target.database() == null ? "" : target.database();
        if (!database.matches("[A-Za-z0-9_$]*")) {
            throw new IllegalArgumentException("target " + target.id() + " has a database name that needs quoting");
        }
        return "jdbc:mariadb://" + urlHost() + ":" + port + "/" + database;
    }

    @Override
    protected Properties connectionProperties() {
        Properties props = new Properties();
        props.setProperty("connectTimeout", Integer.toString(connectTimeoutSeconds() * 1000));
        props.setProperty("socketTimeout", Integer.toString(socketTimeoutSeconds() * 1000));
        props.setProperty("dumpQueriesOnException", "false");
        props.setProperty("tcpKeepAlive", "true");
        switch (target.tlsMode()) {
            case DISABLE -> props.setProperty("sslMode", "disable");
            case REQUIRE -> props.setProperty("sslMode", "trust");
            case VERIFY_FULL -> {
                props.setProperty("sslMode", "verify-full");
                String rootCert = target.setting("sslrootcert", null);
                if (rootCert != null && !rootCert.isBlank()) {
                    props.setProperty("serverSslCert", rootCert);
                }
            }
        }
        return props;
    }

    /** Error 1045 or 1698 (access denied) or SQLState 28000. */
    @Override
    protected boolean isAuthenticationFailure(Throwable failure) {
        return SqlFailures.any(failure, e -> e.getErrorCode() == ACCESS_DENIED
                || e.getErrorCode() == ACCESS_DENIED_NO_PASSWORD || "28000".equals(e.getSQLState()));
    }

    @Override
    protected boolean messageQuotesStatement(Throwable failure) {
        return SqlFailures.any(failure, e -> e.getErrorCode() == PARSE_ERROR || e.getErrorCode() == SYNTAX_ERROR);
    }

    @Override
    protected String refusal(String username, Secret newSecret) {
        if (SqlQuoting.hasNulCrLf(username)) {
            return "username refused before contacting the target: it contains NUL, CR or LF";
        }
        char[] chars = newSecret.chars();
        try {
            if (SqlQuoting.hasNulCrLf(java.nio.CharBuffer.wrap(chars))) {
                return "new secret refused before contacting the target: it contains NUL, CR or LF";
            }
            return null;
        } finally {
            java.util.Arrays.fill(chars, '\0');
        }
    }

    /** The clear text and both quoted forms, since a server message could echo either. */
    @Override
    protected List<String> secretForms(Secret secret) {
        String clear = secret.reveal();
        List<String> forms = new ArrayList<>(List.of(clear));
        if (!SqlQuoting.hasNulCrLf(clear)) {
            for (boolean noBackslashEscapes : new boolean[] {false, true}) {
                String literal = SqlQuoting.mariaLiteral(clear, noBackslashEscapes);
                forms.add(literal.substring(1, literal.length() - 1));
            }
        }
        return forms;
    }

    private String accountHost() {
        String host = target.setting("accountHost", "%");
        if (SqlQuoting.hasNulCrLf(host)) {
            throw new IllegalArgumentException("target setting accountHost contains NUL, CR or LF");
        }
        return host;
    }

    /** What the session says about itself, read on the connection that will run the change. */
    private record SessionInfo(boolean noBackslashEscapes, boolean mariaDb) {
    }

    private static SessionInfo sessionInfo(Session session) throws StatementFailure {
        List<Map<String, Object>> rows = session.query("SELECT @@SESSION.sql_mode AS sql_mode, VERSION() AS version");
        Map<String, Object> row = rows.isEmpty() ? Map.of() : rows.get(0);
        String mode = row.get("sql_mode") == null ? "" : row.get("sql_mode").toString();
        String version = row.get("version") == null ? "" : row.get("version").toString();
        return new SessionInfo(SqlQuoting.noBackslashEscapes(mode), version.toLowerCase(Locale.ROOT).contains("mariadb"));
    }

    @Override
    protected void adminChange(Session session, String username, Secret newSecret) throws StatementFailure {
        SessionInfo info = sessionInfo(session);
        boundOnServer(session, info);
        session.apply("ALTER USER " + SqlQuoting.mariaAccount(username, accountHost(), info.noBackslashEscapes())
                + " IDENTIFIED BY " + SqlQuoting.mariaLiteral(newSecret.reveal(), info.noBackslashEscapes()));
    }

    @Override
    protected void selfChange(Session session, String username, Secret newSecret) throws StatementFailure {
        SessionInfo info = sessionInfo(session);
        boundOnServer(session, info);
        String literal = SqlQuoting.mariaLiteral(newSecret.reveal(), info.noBackslashEscapes());
        session.apply(info.mariaDb()
                ? "SET PASSWORD = PASSWORD(" + literal + ")"
                : "ALTER USER CURRENT_USER() IDENTIFIED BY " + literal);
    }

    /**
     * The server gives up on the change before Rotor stops waiting: a metadata-lock wait ends after
     * {@code statementTimeoutSeconds} (both servers), and MariaDB also bounds the statement itself.
     */
    private void boundOnServer(Session session, SessionInfo info) throws StatementFailure {
        int seconds = statementTimeoutSeconds();
        session.query("SET SESSION lock_wait_timeout = " + seconds);
        if (info.mariaDb()) {
            session.query("SET SESSION max_statement_time = " + seconds);
        }
    }

    /** Accounts of the connector's host, with the global privileges that make one an administrator. */
    @Override
    protected DiscoverResult listAccounts(Session session, String filter) throws StatementFailure {
        boolean nbe = sessionInfo(session).noBackslashEscapes();
        String sql = "SELECT User AS user_name, Super_priv AS super_priv, Grant_priv AS grant_priv,"
                + " Create_user_priv AS create_user_priv FROM mysql.user WHERE Host = " + SqlQuoting.mariaLiteral(accountHost(), nbe)
                + (filter == null || filter.isEmpty() ? "" : " AND User LIKE " + SqlQuoting.mariaLiteral(filter, nbe))
                + " ORDER BY User";
        List<String> names = new ArrayList<>();
        Map<String, LoginFacts> facts = new java.util.HashMap<>();
        for (Map<String, Object> row : session.query(sql)) {
            String name = String.valueOf(row.get("user_name"));
            names.add(name);
            java.util.Set<String> privileges = new java.util.TreeSet<>();
            granted(row, "super_priv", "SUPER", privileges);
            granted(row, "grant_priv", "GRANT OPTION", privileges);
            granted(row, "create_user_priv", "CREATE USER", privileges);
            facts.put(name, LoginFacts.privileges(privileges));
        }
        return new DiscoverResult(names, facts);
    }

    private static void granted(Map<String, Object> row, String column, String privilege, java.util.Set<String> into) {
        if ("Y".equalsIgnoreCase(String.valueOf(row.get(column)))) {
            into.add(privilege);
        }
    }
}
