package io.rotor.api;

import io.rotor.domain.Role;
import io.rotor.domain.ServiceAccount;
import io.rotor.domain.TokenInfo;
import io.rotor.vault.TokenRepository;

import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * API tokens and service accounts: the naming rules here, the records in the vault ({@link TokenRepository}, which
 * writes each change's audit record in the same transaction). Only hashes are stored (see {@link Credentials}).
 */
public final class AuthStore {
    /** Token names and service-account usernames: the inventory's id rule (and no ':' for HTTP Basic). */
    public static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");
    public static final String BOOTSTRAP_TOKEN_NAME = "bootstrap-admin";
    /** The environment variable the bootstrap admin token comes from. */
    public static final String BOOTSTRAP_TOKEN_SOURCE = "ROTOR_ADMIN_TOKEN";

    private final TokenRepository tokens;

    public AuthStore(TokenRepository tokens) {
        this.tokens = tokens;
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
        tokens.createToken(name, role, tokenHash, createdBy);
    }

    /**
     * ROTOR_ADMIN_TOKEN: creates the {@value #BOOTSTRAP_TOKEN_NAME} admin token from the given hash when no admin
     * token has ever existed (a revoked one counts, so a revoked bootstrap token never comes back).
     *
     * @return true when the token was created
     */
    public boolean bootstrapAdminToken(String tokenHash) {
        return tokens.createFirstAdminToken(BOOTSTRAP_TOKEN_NAME, tokenHash, BOOTSTRAP_TOKEN_SOURCE);
    }

    public Optional<TokenInfo> findActiveToken(String tokenHash) {
        return tokens.findActiveToken(tokenHash);
    }

    public List<TokenInfo> listTokens() {
        return tokens.listTokens();
    }

    /** @return false when no active token has that name */
    public boolean revokeToken(String name, String actor) {
        return tokens.revokeToken(name, actor);
    }

    // ---------------------------------------------------------------- service accounts

    public void createServiceAccount(String username, Role role, String passwordHash, String createdBy) {
        checkName("username", username);
        tokens.createServiceAccount(username, role, passwordHash, createdBy);
    }

    public Optional<ServiceAccount> findServiceAccount(String username) {
        return tokens.findServiceAccount(username);
    }

    public List<ServiceAccount> listServiceAccounts() {
        return tokens.listServiceAccounts();
    }

    /** @return false when there is no such service account */
    public boolean deleteServiceAccount(String username, String actor) {
        return tokens.deleteServiceAccount(username, actor);
    }
}
