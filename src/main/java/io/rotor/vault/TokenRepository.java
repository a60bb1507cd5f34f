package io.rotor.vault;

import io.rotor.domain.Role;
import io.rotor.domain.ServiceAccount;
import io.rotor.domain.TokenInfo;
import org.jdbi.v3.core.Handle;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.List;
import java.util.Optional;

/**
 * API tokens and service accounts (tables of migration V3). Only hashes are stored, never a token or a password:
 * the caller ({@code io.rotor.api.AuthStore} with {@code Credentials}) hashes before it calls. Every change writes
 * its audit record through {@link AuditLog} in the same transaction, so a failed audit write refuses the change.
 * Each row carries a {@link RowSeal} MAC (token: name, role, hash, revoked or not, bound identity; service account: username, role,
 * password hash): a row inserted or edited in the database fails authentication, with an audited
 * {@code ROW_MAC_MISMATCH}.
 */
public final class TokenRepository {
    private static final String TOKEN_SELECT = "SELECT name, role, created_at, created_by, revoked_at FROM api_tokens";
    private static final String SA_SELECT = "SELECT username, role, password_hash, created_at, created_by FROM service_accounts";
    static final String TOKENS = "api_tokens";
    static final String SERVICE_ACCOUNTS = "service_accounts";

    private final UnitOfWork work;
    private final AuditLog audit;
    private final RowSeal seal;

    public TokenRepository(UnitOfWork work, AuditLog audit, RowSeal seal) {
        this.work = work;
        this.audit = audit;
        this.seal = seal;
    }

    /** The MAC of an api_tokens row. */
    static String tokenMac(RowSeal seal, String name, String role, String tokenHash, boolean revoked, String identityId) {
        return seal.mac(TOKENS, name, role, tokenHash, revoked ? "revoked" : "active", identityId);
    }

    /** The MAC of a service_accounts row. */
    static String serviceAccountMac(RowSeal seal, String username, String role, String passwordHash) {
        return seal.mac(SERVICE_ACCOUNTS, username, role, passwordHash);
    }

    // ---------------------------------------------------------------- tokens

    /**
     * Stores a new token's hash.
     *
     * @throws IllegalArgumentException when the name is already used (revoked names stay taken)
     */
    public void createToken(String name, Role role, String tokenHash, String createdBy) {
        work.useTransaction(h -> {
            if (exists(h, "SELECT 1 FROM api_tokens WHERE name = :key", name)) {
                throw new IllegalArgumentException("a token named '" + name + "' already exists (revoked tokens keep their name)");
            }
            insertToken(h, name, role, tokenHash, createdBy, null);
            audit.write(h, succeeded(createdBy, "TOKEN_CREATE", "token '" + name + "' with role " + role.configName()));
        });
    }

    /**
     * Creates the admin token {@code name} from {@code tokenHash}, created by {@code "env:" + source}, when no admin
     * token has ever existed and the name is unused (a revoked one counts, so a revoked first token never comes
     * back).
     *
     * @param source the environment variable the token came from, for the record
     * @return true when the token was created
     */
    public boolean createFirstAdminToken(String name, String tokenHash, String source) {
        return work.inTransaction(h -> {
            if (exists(h, "SELECT 1 FROM api_tokens WHERE role = :key", Role.ADMIN.configName())
                    || exists(h, "SELECT 1 FROM api_tokens WHERE name = :key", name)) {
                return false;
            }
            String actor = "env:" + source;
            insertToken(h, name, Role.ADMIN, tokenHash, actor, null);
            audit.write(h, succeeded(actor, "TOKEN_CREATE", "token '" + name + "' with role admin from " + source));
            return true;
        });
    }

    /**
     * Stores a personal token (role identity) bound to the vault user {@code identityId}: the password
     * self-service lets it act for that user only.
     *
     * @throws IllegalArgumentException when the name is taken or the vault user does not exist
     */
    public void createIdentityToken(String name, String identityId, String tokenHash, String createdBy) {
        work.useTransaction(h -> {
            if (exists(h, "SELECT 1 FROM api_tokens WHERE name = :key", name)) {
                throw new IllegalArgumentException("a token named '" + name + "' already exists (revoked tokens keep their name)");
            }
            if (!exists(h, "SELECT 1 FROM vault_users WHERE id = :key", identityId)) {
                throw new IllegalArgumentException("--identity: no vault user has the id '" + identityId + "'");
            }
            insertToken(h, name, Role.IDENTITY, tokenHash, createdBy, identityId);
            audit.write(h, succeeded(createdBy, "TOKEN_CREATE", "token '" + name + "' for identity '" + identityId + "'"));
        });
    }

    /** The vault user an active identity token is bound to; empty for other tokens. */
    public Optional<String> boundIdentity(String tokenName) {
        return work.read(h -> h.createQuery("SELECT identity_id FROM api_tokens WHERE name = :name AND revoked_at IS NULL"
                        + " AND identity_id IS NOT NULL").bind("name", tokenName).mapTo(String.class).findFirst());
    }

    /** The active token with this hash; empty (and audited) when its row fails its MAC. */
    public Optional<TokenInfo> findActiveToken(String tokenHash) {
        record Sealed(TokenInfo token, boolean sealed) {
        }
        Optional<Sealed> found = work.read(h -> h.createQuery("SELECT name, role, created_at, created_by, revoked_at,"
                        + " token_hash, row_mac, identity_id FROM api_tokens WHERE token_hash = :hash AND revoked_at IS NULL")
                .bind("hash", tokenHash)
                .map((r, ctx) -> new Sealed(token(r), seal.matches(r.getString(7), TOKENS, r.getString(1), r.getString(2),
                        r.getString(6), "active", r.getString(8))))
                .findFirst());
        if (found.isPresent() && !found.get().sealed()) {
            refused("api token '" + found.get().token().name() + "'");
            return Optional.empty();
        }
        return found.map(Sealed::token);
    }

    public List<TokenInfo> listTokens() {
        return work.read(h -> h.createQuery(TOKEN_SELECT + " ORDER BY name").map((r, ctx) -> token(r)).list());
    }

    /** @return false when no active token has that name */
    public boolean revokeToken(String name, String actor) {
        return work.inTransaction(h -> {
            Optional<String[]> row = h.createQuery("SELECT role, token_hash, identity_id FROM api_tokens WHERE name = :name"
                            + " AND revoked_at IS NULL")
                    .bind("name", name).map((r, ctx) -> new String[]{r.getString(1), r.getString(2), r.getString(3)}).findFirst();
            if (row.isEmpty()) {
                return false;
            }
            // sealed as revoked: clearing revoked_at in the database later makes the row fail its MAC
            int changed = h.createUpdate("UPDATE api_tokens SET revoked_at = :now, row_mac = :rowMac"
                            + " WHERE name = :name AND revoked_at IS NULL")
                    .bind("now", now()).bind("name", name)
                    .bind("rowMac", tokenMac(seal, name, row.get()[0], row.get()[1], true, row.get()[2]))
                    .execute();
            if (changed == 1) {
                audit.write(h, succeeded(actor, "TOKEN_REVOKE", "token '" + name + "'"));
            }
            return changed == 1;
        });
    }

    // ---------------------------------------------------------------- service accounts

    /** @throws IllegalArgumentException when the username is already used */
    public void createServiceAccount(String username, Role role, String passwordHash, String createdBy) {
        work.useTransaction(h -> {
            if (exists(h, "SELECT 1 FROM service_accounts WHERE username = :key", username)) {
                throw new IllegalArgumentException("a service account named '" + username + "' already exists");
            }
            h.createUpdate("INSERT INTO service_accounts (username, role, password_hash, created_at, created_by, row_mac)"
                            + " VALUES (:username, :role, :hash, :now, :createdBy, :rowMac)")
                    .bind("username", username).bind("role", role.configName()).bind("hash", passwordHash)
                    .bind("rowMac", serviceAccountMac(seal, username, role.configName(), passwordHash))
                    .bind("now", now()).bind("createdBy", createdBy)
                    .execute();
            audit.write(h, succeeded(createdBy, "SERVICE_ACCOUNT_CREATE",
                    "service account '" + username + "' with role " + role.configName()));
        });
    }

    /** The service account; empty (and audited) when its row fails its MAC. */
    public Optional<ServiceAccount> findServiceAccount(String username) {
        record Sealed(ServiceAccount account, boolean sealed) {
        }
        Optional<Sealed> found = work.read(h -> h.createQuery("SELECT username, role, password_hash, created_at,"
                        + " created_by, row_mac FROM service_accounts WHERE username = :username")
                .bind("username", username)
                .map((r, ctx) -> new Sealed(serviceAccount(r), seal.matches(r.getString(6), SERVICE_ACCOUNTS,
                        r.getString(1), r.getString(2), r.getString(3))))
                .findFirst());
        if (found.isPresent() && !found.get().sealed()) {
            refused("service account '" + username + "'");
            return Optional.empty();
        }
        return found.map(Sealed::account);
    }

    private void refused(String what) {
        work.useTransaction(h -> audit.write(h, AuditRecord.of("system", "ROW_MAC_MISMATCH", null, null, null, "REFUSED",
                what + " fails its integrity check (written or edited outside Rotor); authentication refused")));
    }

    public List<ServiceAccount> listServiceAccounts() {
        return work.read(h -> h.createQuery(SA_SELECT + " ORDER BY username").map((r, ctx) -> serviceAccount(r)).list());
    }

    /** @return false when there is no such service account */
    public boolean deleteServiceAccount(String username, String actor) {
        return work.inTransaction(h -> {
            int changed = h.createUpdate("DELETE FROM service_accounts WHERE username = :username")
                    .bind("username", username)
                    .execute();
            if (changed == 1) {
                audit.write(h, succeeded(actor, "SERVICE_ACCOUNT_DELETE", "service account '" + username + "'"));
            }
            return changed == 1;
        });
    }

    // ---------------------------------------------------------------- helpers

    private void insertToken(Handle h, String name, Role role, String tokenHash, String createdBy, String identityId) {
        h.createUpdate("INSERT INTO api_tokens (name, role, token_hash, created_at, created_by, identity_id, row_mac)"
                        + " VALUES (:name, :role, :hash, :now, :createdBy, :identity, :rowMac)")
                .bind("name", name).bind("role", role.configName()).bind("hash", tokenHash).bind("now", now())
                .bind("identity", identityId)
                .bind("rowMac", tokenMac(seal, name, role.configName(), tokenHash, false, identityId))
                .bind("createdBy", createdBy)
                .execute();
    }

    private static boolean exists(Handle h, String sql, String key) {
        return h.createQuery(sql).bind("key", key).mapTo(Integer.class).findFirst().isPresent();
    }

    private static AuditRecord succeeded(String actor, String operation, String detail) {
        return AuditRecord.of(actor, operation, null, null, null, "SUCCEEDED", detail);
    }

    private Timestamp now() {
        return Timestamp.from(work.now());
    }

    private static TokenInfo token(ResultSet r) throws SQLException {
        Timestamp revoked = r.getTimestamp(5);
        return new TokenInfo(r.getString(1), Role.parse(r.getString(2)), r.getTimestamp(3).toInstant(), r.getString(4),
                revoked == null ? null : revoked.toInstant());
    }

    private static ServiceAccount serviceAccount(ResultSet r) throws SQLException {
        return new ServiceAccount(r.getString(1), Role.parse(r.getString(2)), r.getString(3),
                r.getTimestamp(4).toInstant(), r.getString(5));
    }
}
