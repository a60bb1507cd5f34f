package io.rotor.api;

import io.rotor.domain.Role;
import io.rotor.vault.AuditRecord;
import io.rotor.vault.MasterKey;
import io.rotor.vault.Vault;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The attacks of the row-MAC item on API authentication, made with plain JDBC on the vault database: a token
 * hash inserted by hand, a service account promoted from operator to admin, a revoked token revived. Each is
 * refused with 401 and audited as ROW_MAC_MISMATCH.
 */
class RowMacAuthAttackTest {
    private static final String REQUEST = "GET /api/v1/targets";
    private static final String PASSWORD = "Seed-Script-pw-123";

    @TempDir
    Path dataDir;

    private Vault vault;
    private AuthStore auth;
    private Authenticator authenticator;

    @BeforeEach
    void open() {
        vault = Vault.open(null, null, null, dataDir, MasterKey.load(null, dataDir.resolve("master.key")), 2);
        auth = new AuthStore(vault.tokens());
        authenticator = new Authenticator(auth, vault.audit());
    }

    @AfterEach
    void close() {
        vault.close();
    }

    private void sql(String statement, Object... values) throws Exception {
        try (Connection c = vault.dataSource().getConnection(); PreparedStatement s = c.prepareStatement(statement)) {
            for (int i = 0; i < values.length; i++) {
                s.setObject(i + 1, values[i]);
            }
            assertThat(s.executeUpdate()).as(statement).isEqualTo(1);
        }
    }

    private void assertUnauthenticated(String header, Permission permission) {
        assertThatThrownBy(() -> authenticator.authorize(header, permission, REQUEST))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(401));
    }

    private long mismatches() {
        return vault.audit().trail(null, 1000).stream().filter(a -> a.operation().equals("ROW_MAC_MISMATCH")).count();
    }

    private static String basic(String username, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aTokenHashInsertedInTheDatabaseIsRefused() throws Exception {
        String genuine = Credentials.newToken();
        auth.createToken("ci", Role.OPERATOR, Credentials.tokenHash(genuine), "test");
        String forged = Credentials.newToken();
        // the attacker computes the hash exactly as Rotor does, and even copies a genuine row's MAC
        sql("INSERT INTO api_tokens (name, role, token_hash, created_at, created_by, row_mac)"
                + " SELECT 'backdoor', 'admin', ?, created_at, created_by, row_mac FROM api_tokens WHERE name = 'ci'",
                Credentials.tokenHash(forged));
        sql("INSERT INTO api_tokens (name, role, token_hash, created_at, created_by) VALUES ('backdoor2', 'admin', ?, ?, 'x')",
                Credentials.tokenHash(forged + "2"), Timestamp.from(Instant.now()));

        assertUnauthenticated("Bearer " + forged, Permission.READ_INVENTORY);
        assertUnauthenticated("Bearer " + forged + "2", Permission.READ_INVENTORY);

        assertThat(authenticator.authorize("Bearer " + genuine, Permission.READ_INVENTORY, REQUEST).role())
                .isEqualTo(Role.OPERATOR);
        assertThat(mismatches()).isEqualTo(2);
        assertThat(vault.audit().trail(null, 1000)).filteredOn(a -> a.operation().equals("ROW_MAC_MISMATCH"))
                .extracting(AuditRecord::detail).allSatisfy(d -> assertThat(d).contains("api token 'backdoor")
                        .doesNotContain(forged).doesNotContain(Credentials.tokenHash(forged)));
    }

    @Test
    void aTokensRoleRaisedOrARevokedTokenRevivedInTheDatabaseIsRefused() throws Exception {
        String operator = Credentials.newToken();
        auth.createToken("ci", Role.OPERATOR, Credentials.tokenHash(operator), "test");
        String revoked = Credentials.newToken();
        auth.createToken("old", Role.ADMIN, Credentials.tokenHash(revoked), "test");
        assertThat(auth.revokeToken("old", "test")).isTrue();

        sql("UPDATE api_tokens SET role = 'admin' WHERE name = 'ci'");
        sql("UPDATE api_tokens SET revoked_at = NULL WHERE name = 'old'");

        assertUnauthenticated("Bearer " + operator, Permission.READ_INVENTORY);
        assertUnauthenticated("Bearer " + revoked, Permission.READ_INVENTORY);
        assertThat(mismatches()).isEqualTo(2);
    }

    @Test
    void aServiceAccountPromotedFromOperatorToAdminInTheDatabaseIsRefused() throws Exception {
        auth.createServiceAccount("seed-script", Role.OPERATOR, Credentials.hashPassword(PASSWORD.toCharArray()), "test");
        assertThat(authenticator.authorize(basic("seed-script", PASSWORD), Permission.OPERATE, REQUEST).role())
                .isEqualTo(Role.OPERATOR);

        sql("UPDATE service_accounts SET role = 'admin' WHERE username = 'seed-script'");

        assertUnauthenticated(basic("seed-script", PASSWORD), Permission.OPERATE);
        assertThat(auth.findServiceAccount("seed-script")).isEmpty();
        assertThat(mismatches()).isGreaterThanOrEqualTo(1);

        // an account inserted with a password hash of the attacker's choosing: refused too
        try (Connection c = vault.dataSource().getConnection(); Statement s = c.createStatement()) {
            s.executeUpdate("INSERT INTO service_accounts (username, role, password_hash, created_at, created_by)"
                    + " SELECT 'intruder', 'admin', password_hash, created_at, created_by FROM service_accounts"
                    + " WHERE username = 'seed-script'");
        }
        assertUnauthenticated(basic("intruder", PASSWORD), Permission.OPERATE);
    }
    @Test
    void anIdentityTokenReboundToAnotherVaultUserInTheDatabaseIsRefused() throws Exception {
        vault.targets().upsertTarget(new io.rotor.domain.Target("staff", "vault-users", "localhost", 0, null,
                io.rotor.domain.TlsMode.DISABLE, null, null, java.util.Map.of()));
        vault.users().createUser("test", new io.rotor.domain.VaultUser("alice", "staff", "alice", null, false));
        vault.users().createUser("test", new io.rotor.domain.VaultUser("bob", "staff", "bob", null, false));
        String alices = Credentials.newToken();
        vault.tokens().createIdentityToken("alice-pat", "alice", Credentials.tokenHash(alices), "test");
        assertThat(authenticator.authorize("Bearer " + alices, Permission.SET_OWN_PASSWORD, REQUEST).role())
                .isEqualTo(Role.IDENTITY);

        // alice's personal token would now change bob's passwords
        sql("UPDATE api_tokens SET identity_id = 'bob' WHERE name = 'alice-pat'");

        assertUnauthenticated("Bearer " + alices, Permission.SET_OWN_PASSWORD);
        assertThat(mismatches()).isEqualTo(1);
    }
}
