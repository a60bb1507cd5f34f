package io.rotor.connector.jdbc;

import io.rotor.connector.DiscoverResult;
import io.rotor.connector.LoginFacts;
import io.rotor.domain.Secret;
import io.rotor.domain.Target;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * PostgreSQL connector (type {@code postgresql}).
 *
 * <p>A change sends {@code ALTER ROLE "<name>" PASSWORD '<SCRAM-SHA-256 verifier>'}: the verifier is computed
 * here ({@link ScramSha256Verifier}), so the clear password never reaches the server or its log. Through
 * the admin pool for an admin change or reconcile; for self-rotation over a fresh login as the account with its
 * current password, naming the role explicitly (if the session had switched to another role, the server
 * refuses rather than changing that role). Identifiers are double-quoted; names PostgreSQL would truncate
 * (over 63 bytes) and NUL are refused.
 *
 * <p>TLS from {@link Target#tlsMode()}: {@code sslmode=disable}, {@code require} (encrypted, not verified) or
 * {@code verify-full} (certificate chain against the target setting {@code sslrootcert}, else
 * {@code ~/.postgresql/root.crt}, and host name). A failed handshake fails the login; it is never retried
 * without TLS.
 */
public class PostgresConnector extends AbstractJdbcConnector {
    public static final String TYPE = "postgresql";

    public PostgresConnector(Target target) {
        this(target, new org.postgresql.Driver());
    }

    /** With another driver in front of the real one (tests record what reaches the driver). */
    PostgresConnector(Target target, java.sql.Driver driver) {
        super(target, driver);
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    protected String jdbcUrl() {
        String database = target.database() == null || target.database().isBlank() ? "postgres" : target.database();
        if (!database.matches("[A-Za-z0-9_.\\-$]+")) {
            throw new IllegalArgumentException("target " + target.id() + " has a database name that needs quoting");
        }
        int port = target.port() > 0 ? target.port() : 5432;
        return "jdbc:postgresql://" + urlHost() + ":" + port + "/" + database;
    }

    @Override
    protected Properties connectionProperties() {
        Properties props = new Properties();
        props.setProperty("connectTimeout", Integer.toString(connectTimeoutSeconds()));
        props.setProperty("loginTimeout", Integer.toString(connectTimeoutSeconds()));
        props.setProperty("socketTimeout", Integer.toString(socketTimeoutSeconds()));
        props.setProperty("ApplicationName", "rotor");
        props.setProperty("gssEncMode", "disable");
        props.setProperty("tcpKeepAlive", "true");
        switch (target.tlsMode()) {
            case DISABLE -> props.setProperty("sslmode", "disable");
            case REQUIRE -> props.setProperty("sslmode", "require");
            case VERIFY_FULL -> {
                props.setProperty("sslmode", "verify-full");
                String rootCert = target.setting("sslrootcert", null);
                if (rootCert != null && !rootCert.isBlank()) {
                    props.setProperty("sslrootcert", rootCert);
                }
            }
        }
        return props;
    }

    /** 28P01 invalid_password, 28000 invalid_authorization_specification (no pg_hba entry, cannot log in). */
    @Override
    protected boolean isAuthenticationFailure(Throwable failure) {
        return SqlFailures.hasSqlState(failure, "28P01", "28000");
    }

    @Override
    protected String refusal(String username, Secret newSecret) {
        try {
            SqlQuoting.pgIdentifier(username);
        } catch (IllegalArgumentException e) {
            return "username refused before contacting the target: " + e.getMessage();
        }
        char[] chars = newSecret.chars();
        try {
            for (char c : chars) {
                if (c == '\0') {
                    return "new secret refused before contacting the target: it contains NUL";
                }
            }
            java.util.Arrays.fill(SaslPrep.prepare(chars), (byte) 0);
            return null;
        } catch (IllegalArgumentException e) {
            return "new secret refused before contacting the target: " + e.getMessage();
        } finally {
            java.util.Arrays.fill(chars, '\0');
        }
    }

    @Override
    protected List<String> secretForms(Secret secret) {
        return List.of(secret.reveal());
    }

    @Override
    protected void adminChange(Session session, String username, Secret newSecret) throws StatementFailure {
        boundOnServer(session);
        session.apply(alterRole(username, newSecret));
    }

    @Override
    protected void selfChange(Session session, String username, Secret newSecret) throws StatementFailure {
        boundOnServer(session);
        session.apply(alterRole(username, newSecret));
    }

    /** The server gives up on the ALTER ROLE (lock wait included) before Rotor stops waiting: nothing lands late. */
    private void boundOnServer(Session session) throws StatementFailure {
        String limit = SqlQuoting.pgLiteral(statementTimeoutSeconds() + "s");
        session.query("SET lock_timeout = " + limit);
        session.query("SET statement_timeout = " + limit);
    }

    private static String alterRole(String username, Secret newSecret) {
        char[] chars = newSecret.chars();
        try {
            return "ALTER ROLE " + SqlQuoting.pgIdentifier(username) + " PASSWORD "
                    + SqlQuoting.pgLiteral(ScramSha256Verifier.compute(chars));
        } finally {
            java.util.Arrays.fill(chars, '\0');
        }
    }

    /** Predefined roles whose members read or write server files or run programs: superuser in all but name. */
    private static final String SERVER_ROLES = "'pg_execute_server_program', 'pg_read_server_files', 'pg_write_server_files'";

    /**
     * Login roles (roles that cannot log in are never listed), with what makes each privileged: the attributes
     * SUPERUSER, REPLICATION, BYPASSRLS and CREATEROLE, and membership (direct or inherited) in a server-file role.
     */
    @Override
    protected DiscoverResult listAccounts(Session session, String filter) throws StatementFailure {
        String sql = "SELECT r.rolname, r.rolsuper, r.rolreplication, r.rolbypassrls, r.rolcreaterole,"
                // a superuser is a member of every role: its SUPERUSER says it all
                + " CASE WHEN r.rolsuper THEN NULL ELSE (SELECT string_agg(g.rolname, ',' ORDER BY g.rolname)"
                + " FROM pg_roles g WHERE g.rolname IN (" + SERVER_ROLES + ") AND pg_has_role(r.oid, g.oid, 'MEMBER'))"
                + " END AS server_roles"
                + " FROM pg_roles r WHERE r.rolcanlogin"
                + (filter == null || filter.isEmpty() ? "" : " AND r.rolname LIKE " + SqlQuoting.pgLiteral(filter))
                + " ORDER BY r.rolname";
        List<String> names = new ArrayList<>();
        Map<String, LoginFacts> facts = new java.util.HashMap<>();
        for (Map<String, Object> row : session.query(sql)) {
            String name = String.valueOf(row.get("rolname"));
            names.add(name);
            java.util.Set<String> privileges = new java.util.TreeSet<>();
            flag(row, "rolsuper", "SUPERUSER", privileges);
            flag(row, "rolreplication", "REPLICATION", privileges);
            flag(row, "rolbypassrls", "BYPASSRLS", privileges);
            flag(row, "rolcreaterole", "CREATEROLE", privileges);
            Object serverRoles = row.get("server_roles");
            if (serverRoles != null) {
                for (String role : serverRoles.toString().split(",")) {
                    privileges.add("member of " + role);
                }
            }
            facts.put(name, LoginFacts.privileges(privileges));
        }
        return new DiscoverResult(names, facts);
    }

    private static void flag(Map<String, Object> row, String column, String privilege, java.util.Set<String> into) {
        if (Boolean.TRUE.equals(row.get(column))) {
            into.add(privilege);
        }
    }
}
