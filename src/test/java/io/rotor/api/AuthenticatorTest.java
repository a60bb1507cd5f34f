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
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The authentication and permission rules against a real (H2) vault: tokens, service accounts, the audit trail. */
class AuthenticatorTest {
    private static final String PASSWORD = "s3rvice-Account-Pass ;'\"";
    private static final String REQUEST = "GET /api/v1/targets";

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

    private String token(String name, Role role) {
        String token = Credentials.newToken();
        auth.createToken(name, role, Credentials.tokenHash(token), "test");
        return token;
    }

    private static String basic(String username, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private List<AuditRecord> logins() {
        List<AuditRecord> all = new ArrayList<>(vault.audit().trail(null, 1000));
        all.removeIf(a -> !a.operation().startsWith("API_"));
        return all;
    }

    @Test
    void aBearerTokenAuthenticatesWithItsRoleAndTheLoginIsAudited() {
        String token = token("ci", Role.OPERATOR);

        Principal principal = authenticator.authorize("Bearer " + token, Permission.OPERATE, REQUEST);

        assertThat(principal).isEqualTo(new Principal("token", "ci", Role.OPERATOR));
        assertThat(principal.actor()).isEqualTo("api:token:ci");
        AuditRecord login = logins().get(0);
        assertThat(login.operation()).isEqualTo("API_LOGIN");
        assertThat(login.outcome()).isEqualTo("SUCCEEDED");
        assertThat(login.actor()).isEqualTo("api:token:ci");
        assertThat(login.detail()).contains(REQUEST).doesNotContain(token);
    }

    @Test
    void anUnknownOrRevokedTokenIsRefusedWith401AndAudited() {
        String token = token("gone", Role.ADMIN);
        assertThat(auth.revokeToken("gone", "test")).isTrue();

        for (String header : List.of("Bearer " + token, "Bearer " + Credentials.newToken(), "Bearer ", "Bearer x".repeat(200))) {
            assertThatThrownBy(() -> authenticator.authorize(header, Permission.READ_INVENTORY, REQUEST))
                    .isInstanceOfSatisfying(ApiException.class, e -> {
                        assertThat(e.status()).isEqualTo(401);
                        assertThat(e.code()).isEqualTo("UNAUTHENTICATED");
                    });
        }
        List<AuditRecord> logins = logins();
        assertThat(logins).hasSize(4).allSatisfy(a -> {
            assertThat(a.outcome()).isEqualTo("FAILED");
            assertThat(a.detail()).doesNotContain(token);
        });
    }

    @Test
    void missingOrUnsupportedCredentialsAre401() {
        for (String header : new String[]{null, "", "   ", "Digest abc", "Token abc"}) {
            assertThatThrownBy(() -> authenticator.authenticate(header, REQUEST))
                    .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(401));
        }
        assertThat(logins()).hasSize(5).allSatisfy(a -> assertThat(a.outcome()).isEqualTo("FAILED"));
        assertThat(logins()).anySatisfy(a -> assertThat(a.detail()).startsWith("no credentials"));
    }

    @Test
    void aServiceAccountAuthenticatesWithHttpBasic() {
        auth.createServiceAccount("seed-script", Role.OPERATOR, Credentials.hashPassword(PASSWORD.toCharArray()), "test");

        Principal first = authenticator.authenticate(basic("seed-script", PASSWORD), REQUEST);
        Principal again = authenticator.authenticate(basic("seed-script", PASSWORD), REQUEST);

        assertThat(first).isEqualTo(new Principal("service-account", "seed-script", Role.OPERATOR)).isEqualTo(again);
        assertThat(logins()).hasSize(2).allSatisfy(a -> {
            assertThat(a.outcome()).isEqualTo("SUCCEEDED");
            assertThat(a.detail()).doesNotContain(PASSWORD);
        });
        assertThat(auth.findServiceAccount("seed-script").orElseThrow().passwordHash()).doesNotContain(PASSWORD);
    }

    @Test
    void theConsoleSignInIsTheBasicCheckAndItsFailuresLockBasicOutToo() {
        auth.createServiceAccount("console-user", Role.AUDITOR, Credentials.hashPassword(PASSWORD.toCharArray()), "test");
        Authenticator limited = new Authenticator(auth, vault.audit(), new LoginThrottle(java.time.Clock.systemUTC(), 3,
                java.time.Duration.ofMinutes(15), java.time.Duration.ofHours(1), 4));

        assertThat(limited.authenticateServiceAccount("console-user", PASSWORD.toCharArray(), "10.0.0.9", "POST /sign-in"))
                .isEqualTo(new Principal("service-account", "console-user", Role.AUDITOR));
        for (int i = 0; i < 3; i++) {
            assertThatThrownBy(() -> limited.authenticateServiceAccount("console-user", "wrong".toCharArray(), "10.0.0.9",
                    "POST /sign-in")).isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(401));
        }
        assertThatThrownBy(() -> limited.authenticate(basic("console-user", PASSWORD), "10.0.0.10", REQUEST))
                .as("the username is locked for the API as well, from another address, with the right password")
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(429));
        assertThat(logins()).anySatisfy(a -> assertThat(a.operation()).isEqualTo("API_LOCKOUT"))
                .allSatisfy(a -> assertThat(a.detail()).doesNotContain(PASSWORD));
    }

    @Test
    void aWrongPasswordOrUnknownUserIsRefusedAndAuditedWithoutThePassword() {
        auth.createServiceAccount("seed-script", Role.ADMIN, Credentials.hashPassword(PASSWORD.toCharArray()), "test");

        for (String header : List.of(basic("seed-script", PASSWORD + "x"), basic("nobody", PASSWORD),
                basic("seed-script", ""), "Basic !!!not-base64", "Basic " + Base64.getEncoder().encodeToString("no-colon".getBytes()),
                basic("bad name\n", PASSWORD))) {
            assertThatThrownBy(() -> authenticator.authenticate(header, REQUEST))
                    .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(401));
        }
        List<AuditRecord> logins = logins();
        assertThat(logins).hasSize(6).allSatisfy(a -> {
            assertThat(a.outcome()).isEqualTo("FAILED");
            assertThat(a.detail()).doesNotContain(PASSWORD);
            assertThat(a.actor()).doesNotContain("\n");
        });
        assertThat(logins).anySatisfy(a -> assertThat(a.detail()).startsWith("wrong password"));
        assertThat(logins).anySatisfy(a -> assertThat(a.detail()).startsWith("unknown service account"));
    }

    @Test
    void aRememberedBasicLoginEndsWhenTheServiceAccountIsDeletedOrChanged() {
        auth.createServiceAccount("seed-script", Role.ADMIN, Credentials.hashPassword(PASSWORD.toCharArray()), "test");
        authenticator.authenticate(basic("seed-script", PASSWORD), REQUEST);

        auth.deleteServiceAccount("seed-script", "test");
        assertThatThrownBy(() -> authenticator.authenticate(basic("seed-script", PASSWORD), REQUEST))
                .isInstanceOf(ApiException.class);

        auth.createServiceAccount("seed-script", Role.AUDITOR, Credentials.hashPassword("another-password-1".toCharArray()), "test");
        assertThatThrownBy(() -> authenticator.authenticate(basic("seed-script", PASSWORD), REQUEST))
                .isInstanceOf(ApiException.class);
        assertThat(authenticator.authenticate(basic("seed-script", "another-password-1"), REQUEST).role()).isEqualTo(Role.AUDITOR);
    }

    @Test
    void aRoleWithoutThePermissionIs403AndAudited() {
        String token = token("reader", Role.AUDITOR);

        assertThatThrownBy(() -> authenticator.authorize("Bearer " + token, Permission.READ_SECRET, "POST /api/v1/accounts/a/checkout"))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.status()).isEqualTo(403);
                    assertThat(e.code()).isEqualTo("FORBIDDEN");
                    assertThat(e.getMessage()).contains("auditor").contains("admin").contains("operator");
                });
        assertThat(logins()).extracting(AuditRecord::operation).containsExactly("API_DENIED", "API_LOGIN");
        assertThat(authenticator.authorize("Bearer " + token, Permission.READ_AUDIT, REQUEST).role()).isEqualTo(Role.AUDITOR);
    }

    @Test
    void theAdminTokenFromTheEnvironmentIsCreatedOnceAndNeverRevived() {
        String supplied = "env-supplied-admin-token-0123456789-abcdef";

        assertThat(auth.bootstrapAdminToken(Credentials.tokenHash(supplied))).isTrue();
        assertThat(auth.bootstrapAdminToken(Credentials.tokenHash("another-admin-token-0123456789-abcdef"))).isFalse();
        assertThat(authenticator.authenticate("Bearer " + supplied, REQUEST))
                .isEqualTo(new Principal("token", AuthStore.BOOTSTRAP_TOKEN_NAME, Role.ADMIN));

        auth.revokeToken(AuthStore.BOOTSTRAP_TOKEN_NAME, "test");
        assertThat(auth.bootstrapAdminToken(Credentials.tokenHash(supplied))).as("a revoked bootstrap token stays revoked").isFalse();
        assertThatThrownBy(() -> authenticator.authenticate("Bearer " + supplied, REQUEST)).isInstanceOf(ApiException.class);
    }

    @Test
    void anExistingAdminTokenMeansNoBootstrap() {
        token("first-admin", Role.ADMIN);
        assertThat(auth.bootstrapAdminToken(Credentials.tokenHash("env-supplied-admin-token-0123456789-abcdef"))).isFalse();
    }

    @Test
    void tokenNamesAreUniqueAndValidAndOnlyHashesAreStored() throws Exception {
        String token = token("ci", Role.AUDITOR);
        assertThatThrownBy(() -> auth.createToken("ci", Role.ADMIN, Credentials.tokenHash(Credentials.newToken()), "test"))
                .hasMessageContaining("already exists");
        assertThatThrownBy(() -> auth.createToken("bad name", Role.ADMIN, "x", "test")).hasMessageContaining("must match");
        auth.revokeToken("ci", "test");
        assertThatThrownBy(() -> auth.createToken("ci", Role.ADMIN, Credentials.tokenHash(Credentials.newToken()), "test"))
                .as("a revoked token's name stays taken").hasMessageContaining("already exists");

        try (Connection c = vault.dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT * FROM api_tokens")) {
            while (r.next()) {
                for (int i = 1; i <= r.getMetaData().getColumnCount(); i++) {
                    assertThat(String.valueOf(r.getObject(i))).doesNotContain(token);
                }
            }
        }
        assertThat(vault.audit().trail(null, 100)).anySatisfy(a -> {
            assertThat(a.operation()).isEqualTo("TOKEN_CREATE");
            assertThat(a.detail()).contains("'ci'").doesNotContain(token);
        });
    }
}
