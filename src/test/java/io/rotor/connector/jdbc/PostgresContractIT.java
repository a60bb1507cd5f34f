package io.rotor.connector.jdbc;

import io.rotor.connector.ConnectorContract;
import io.rotor.connector.ConnectorFactory;
import io.rotor.connector.Login;
import io.rotor.domain.Secret;
import io.rotor.domain.Target;
import io.rotor.domain.TlsMode;
import io.rotor.it.RealTargets;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The connector contract on the real PostgreSQL cluster (SCRAM). */
class PostgresContractIT extends ConnectorContract {
    private final RealTargets real = RealTargets.load();
    private final String prefix = "rotor_it_cc_pg_" + runTag() + "_";
    private final List<String> roles = new ArrayList<>();

    @Override
    protected ConnectorFactory factory() {
        return new PostgresConnectorFactory();
    }

    @Override
    protected String host() {
        return real.pgHost();
    }

    @Override
    protected int port() {
        return real.pgPort();
    }

    @Override
    protected Target target(String host, int port) {
        String t = Integer.toString(TIMEOUT_SECONDS);
        return new Target("it-pg-contract", "postgresql", host, port, real.pgDatabase(), TlsMode.DISABLE, null, null,
                Map.of("connectTimeoutSeconds", t, "socketTimeoutSeconds", t));
    }

    @Override
    protected String newAccount(String tag, String password) throws Exception {
        String role = prefix + tag;
        roles.add(role);
        real.pgCreateRole(role, password.toCharArray());
        return role;
    }

    @Override
    protected void removeAccounts() throws Exception {
        for (String role : roles) {
            real.pgDropRole(role);
        }
    }

    @Override
    protected Login admin() {
        return new Login(real.pgAdminUser(), Secret.of(real.pgAdminPassword()));
    }

    @Override
    protected boolean logsIn(String username, String password) throws Exception {
        return real.pgLogin(username, password.toCharArray());
    }

    @Override
    protected String passwordState(String username) throws Exception {
        try (Connection c = real.pgAdminConnection();
             PreparedStatement ps = c.prepareStatement("SELECT rolpassword FROM pg_authid WHERE rolname = ?")) {
            ps.setString(1, username);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    /** PostgreSQL strings cannot hold NUL: the connector refuses it before contacting the server. */
    @Override
    protected String rejectedCandidate() {
        return "Nul-\0-" + runTag();
    }
}
