package io.rotor.api;

import io.rotor.vault.VaultException;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * API tokens and service accounts in the vault database (tables of {@code V3__api_auth.sql}). Only hashes are
 * stored (see {@link Credentials}). Every change writes its audit record in the same transaction, so a failed
 * audit write refuses the change.
 */
public final class AuthStore {
    /** Token names and service-account usernames: the inventory's id rule (and no ':' for HTTP Basic). */
    public static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");
    public static final String BOOTSTRAP_TOKEN_NAME = "bootstrap-admin";

    public record TokenInfo(String name, Role role, Instant createdAt, String createdBy, Instant revokedAt) {
        public boolean active() {
            return revokedAt == null;
        }
    }

    public record ServiceAccount(String username, Role role, String passwordHash, Instant createdAt, String createdBy) {
        @Override
        public String toString() {
            return "ServiceAccount[" + username + ", " + role.configName() + "]";
        }
    }

    private final DataSource dataSource;
    private final Clock clock;

    public AuthStore(DataSource dataSource, Clock clock) {
        this.dataSource = dataSource;
        this.clock = clock;
    }

    public static void checkName(String what, String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(what + " must match " + NAME.pattern());
        }
    }

    // ---------------------------------------------------------------- tokens

    /** Stores a new token's hash; refuses a name already used (revoked names stay taken). */
    public void createToken(String name, Role role, String tokenHash, String createdBy) {
        checkName("token name", name);
        inTransaction(c -> {
            if (exists(c, "SELECT 1 FROM api_tokens WHERE name = ?", name)) {
                throw new IllegalArgumentException("a token named '" + name + "' already exists (revoked tokens keep their name)");
            }
            insertToken(c, name, role, tokenHash, createdBy);
            audit(c, createdBy, "TOKEN_CREATE", "SUCCEEDED", "token '" + name + "' with role " + role.configName());
            return null;
        });
    }

    /**
     * ROTOR_ADMIN_TOKEN: creates the {@value #BOOTSTRAP_TOKEN_NAME} admin token from the given hash when no admin
     * token has ever existed (a revoked one counts, so a revoked bootstrap token never comes back).
     *
     * @return true when the token was created
     */
    public boolean bootstrapAdminToken(String tokenHash) {
        return inTransaction(c -> {
            if (exists(c, "SELECT 1 FROM api_tokens WHERE role = ?", Role.ADMIN.configName())
                    || exists(c, "SELECT 1 FROM api_tokens WHERE name = ?", BOOTSTRAP_TOKEN_NAME)) {
                return false;
            }
            insertToken(c, BOOTSTRAP_TOKEN_NAME, Role.ADMIN, tokenHash, "env:ROTOR_ADMIN_TOKEN");
            audit(c, "env:ROTOR_ADMIN_TOKEN", "TOKEN_CREATE", "SUCCEEDED",
                    "token '" + BOOTSTRAP_TOKEN_NAME + "' with role admin from ROTOR_ADMIN_TOKEN");
            return true;
        });
    }

    public Optional<TokenInfo> findActiveToken(String tokenHash) {
        return query(TOKEN_SELECT + " WHERE token_hash = ? AND revoked_at IS NULL", AuthStore::token, tokenHash)
                .stream().findFirst();
    }

    public List<TokenInfo> listTokens() {
        return query(TOKEN_SELECT + " ORDER BY name", AuthStore::token);
    }

    /** @return false when no active token has that name */
    public boolean revokeToken(String name, String actor) {
        return inTransaction(c -> {
            int changed;
            try (PreparedStatement s = c.prepareStatement(
                    "UPDATE api_tokens SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL")) {
                s.setTimestamp(1, now());
                s.setString(2, name);
                changed = s.executeUpdate();
            }
            if (changed == 1) {
                audit(c, actor, "TOKEN_REVOKE", "SUCCEEDED", "token '" + name + "'");
            }
            return changed == 1;
        });
    }

    private static final String TOKEN_SELECT = "SELECT name, role, created_at, created_by, revoked_at FROM api_tokens";

    private static TokenInfo token(ResultSet r) throws SQLException {
        Timestamp revoked = r.getTimestamp(5);
        return new TokenInfo(r.getString(1), Role.parse(r.getString(2)), r.getTimestamp(3).toInstant(), r.getString(4),
                revoked == null ? null : revoked.toInstant());
    }

    private void insertToken(Connection c, String name, Role role, String tokenHash, String createdBy) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("INSERT INTO api_tokens (name, role, token_hash, created_at, created_by)"
                + " VALUES (?,?,?,?,?)")) {
            s.setString(1, name);
            s.setString(2, role.configName());
            s.setString(3, tokenHash);
            s.setTimestamp(4, now());
            s.setString(5, createdBy);
            s.executeUpdate();
        }
    }

    // ---------------------------------------------------------------- service accounts

    public void createServiceAccount(String username, Role role, String passwordHash, String createdBy) {
        checkName("username", username);
        inTransaction(c -> {
            if (exists(c, "SELECT 1 FROM service_accounts WHERE username = ?", username)) {
                throw new IllegalArgumentException("a service account named '" + username + "' already exists");
            }
            try (PreparedStatement s = c.prepareStatement("INSERT INTO service_accounts (username, role, password_hash,"
                    + " created_at, created_by) VALUES (?,?,?,?,?)")) {
                s.setString(1, username);
                s.setString(2, role.configName());
                s.setString(3, passwordHash);
                s.setTimestamp(4, now());
                s.setString(5, createdBy);
                s.executeUpdate();
            }
            audit(c, createdBy, "SERVICE_ACCOUNT_CREATE", "SUCCEEDED",
                    "service account '" + username + "' with role " + role.configName());
            return null;
        });
    }

    public Optional<ServiceAccount> findServiceAccount(String username) {
        return query(SA_SELECT + " WHERE username = ?", AuthStore::serviceAccount, username).stream().findFirst();
    }

    public List<ServiceAccount> listServiceAccounts() {
        return query(SA_SELECT + " ORDER BY username", AuthStore::serviceAccount);
    }

    /** @return false when there is no such service account */
    public boolean deleteServiceAccount(String username, String actor) {
        return inTransaction(c -> {
            int changed;
            try (PreparedStatement s = c.prepareStatement("DELETE FROM service_accounts WHERE username = ?")) {
                s.setString(1, username);
                changed = s.executeUpdate();
            }
            if (changed == 1) {
                audit(c, actor, "SERVICE_ACCOUNT_DELETE", "SUCCEEDED", "service account '" + username + "'");
            }
            return changed == 1;
        });
    }

    private static final String SA_SELECT = "SELECT username, role, password_hash, created_at, created_by FROM service_accounts";

    private static ServiceAccount serviceAccount(ResultSet r) throws SQLException {
        return new ServiceAccount(r.getString(1), Role.parse(r.getString(2)), r.getString(3),
                r.getTimestamp(4).toInstant(), r.getString(5));
    }

    // ---------------------------------------------------------------- helpers

    private void audit(Connection c, String actor, String operation, String outcome, String detail) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("INSERT INTO audit_log (at, actor, operation, outcome, detail)"
                + " VALUES (?,?,?,?,?)")) {
            s.setTimestamp(1, now());
            s.setString(2, actor);
            s.setString(3, operation);
            s.setString(4, outcome);
            s.setString(5, detail);
            s.executeUpdate();
        }
    }

    private Timestamp now() {
        return Timestamp.from(clock.instant());
    }

    private static boolean exists(Connection c, String sql, String param) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, param);
            try (ResultSet r = s.executeQuery()) {
                return r.next();
            }
        }
    }

    @FunctionalInterface
    private interface RowMapper<T> {
        T map(ResultSet r) throws SQLException;
    }

    @FunctionalInterface
    private interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    private <T> List<T> query(String sql, RowMapper<T> mapper, Object... params) {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                s.setObject(i + 1, params[i]);
            }
            try (ResultSet r = s.executeQuery()) {
                List<T> rows = new ArrayList<>();
                while (r.next()) {
                    rows.add(mapper.map(r));
                }
                return rows;
            }
        } catch (SQLException e) {
            throw new VaultException("vault query failed: " + e.getMessage(), e);
        }
    }

    private <T> T inTransaction(Work<T> work) {
        try (Connection c = dataSource.getConnection()) {
            boolean autoCommit = c.getAutoCommit();
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(autoCommit);
            }
        } catch (SQLException e) {
            throw new VaultException("vault write failed, nothing was changed: " + e.getMessage(), e);
        }
    }
}
