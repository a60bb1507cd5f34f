package io.rotor.connector.jdbc;

import io.rotor.connector.ChangeRequest;
import io.rotor.connector.ChangeResult;
import io.rotor.connector.DiscoverRequest;
import io.rotor.connector.Login;
import io.rotor.connector.TargetConnector;
import io.rotor.connector.VerifyRequest;
import io.rotor.connector.VerifyResult;
import io.rotor.domain.Secret;
import io.rotor.domain.Target;
import io.rotor.domain.TlsMode;
import io.rotor.it.RealTargets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.sql.DataSource;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/** The PostgreSQL connector against the real cluster of scripts/targets.sh (SCRAM only, TLS on). */
class PostgresConnectorIT {
    private static final String PREFIX = "rotor_it_pgc_" + HexFormat.of().formatHex(randomBytes(3)) + "_";
    private static final int ACCOUNTS = 52;

    private static RealTargets real;
    private static TargetConnector connector;
    private static final List<String> roles = new ArrayList<>();
    private static final ItPasswords passwords = new ItPasswords();

    @BeforeAll
    static void start() throws Exception {
        real = RealTargets.load();
        connector = new PostgresConnectorFactory().create(target("it-pg", TlsMode.DISABLE, real.pgPort(), Map.of()));
    }

    @AfterAll
    static void stop() throws Exception {
        if (connector != null) {
            connector.close();
        }
        for (String role : roles) {
            real.pgDropRole(role);
        }
    }

    private static Target target(String id, TlsMode tls, int port, Map<String, String> extra) {
        Map<String, String> settings = new HashMap<>(Map.of("connectTimeoutSeconds", "5", "socketTimeoutSeconds", "10"));
        settings.putAll(extra);
        return new Target(id, "postgresql", real.pgHost(), port, real.pgDatabase(), tls, null, null, settings);
    }

    private static Login admin() {
        return new Login(real.pgAdminUser(), Secret.of(real.pgAdminPassword()));
    }

    private static Secret secret(char[] value) {
        return Secret.of(value.clone());
    }

    private static String newRole(String suffix, char[] password) throws Exception {
        String role = PREFIX + suffix;
        roles.add(role);
        real.pgCreateRole(role, password);
        return role;
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        new SecureRandom().nextBytes(b);
        return b;
    }

    private static void assertNoSecretIn(String detail, char[]... secrets) {
        for (char[] s : secrets) {
            assertThat(detail).doesNotContain(new String(s));
        }
    }

    @Test
    void rotatesFiftyTwoAccountsHalfThroughAdminHalfSelfAndOnlyTheNewPasswordWorks() throws Exception {
        List<String> names = new ArrayList<>();
        List<char[]> olds = new ArrayList<>();
        List<char[]> news = new ArrayList<>();
        for (int i = 0; i < ACCOUNTS; i++) {
            char[] old = passwords.next();
            names.add(newRole("bulk_" + i, old));
            olds.add(old);
            news.add(passwords.next());
        }
        List<char[]> all = new ArrayList<>(olds);
        all.addAll(news);
        assertThat(ItPasswords.symbolsIn(all)).isEqualTo(ItPasswords.SYMBOLS);
        assertThat(all).allSatisfy(pw -> assertThat(new String(pw)).contains("'", "\\", " "));

        // in parallel, as a batch would run them: admin pool and per-call logins side by side
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<ChangeResult>> results = new ArrayList<>();
            for (int i = 0; i < ACCOUNTS; i++) {
                int n = i;
                results.add(pool.submit(() -> n % 2 == 0
                        ? connector.change(new ChangeRequest(null, names.get(n), null, secret(news.get(n)), admin()))
                        : connector.change(new ChangeRequest(null, names.get(n), secret(olds.get(n)), secret(news.get(n)), null))));
            }
            for (int i = 0; i < ACCOUNTS; i++) {
                ChangeResult result = results.get(i).get();
                assertThat(result.outcome()).as("%s: %s", names.get(i), result.detail()).isEqualTo(ChangeResult.Outcome.CHANGED);
            }
        } finally {
            pool.shutdownNow();
        }
        for (int i = 0; i < ACCOUNTS; i++) {
            assertThat(real.pgLogin(names.get(i), news.get(i))).as("new password of %s", names.get(i)).isTrue();
            assertThat(real.pgLogin(names.get(i), olds.get(i))).as("old password of %s", names.get(i)).isFalse();
        }
    }

    @Test
    void usernamesWithQuotesAreQuotedIdentifiers() throws Exception {
        char[] pw1 = passwords.next();
        String role = newRole("o'q\"x y;", pw1);
        char[] pw2 = passwords.next();
        ChangeResult viaAdmin = connector.change(new ChangeRequest(null, role, null, secret(pw2), admin()));
        assertThat(viaAdmin.outcome()).as(viaAdmin.detail()).isEqualTo(ChangeResult.Outcome.CHANGED);
        assertThat(real.pgLogin(role, pw2)).isTrue();
        assertThat(real.pgLogin(role, pw1)).isFalse();

        char[] pw3 = passwords.next();
        ChangeResult self = connector.change(new ChangeRequest(null, role, secret(pw2), secret(pw3), null));
        assertThat(self.outcome()).as(self.detail()).isEqualTo(ChangeResult.Outcome.CHANGED);
        assertThat(real.pgLogin(role, pw3)).isTrue();
        assertThat(real.pgLogin(role, pw2)).isFalse();
        assertThat(connector.verify(new VerifyRequest(null, new Login(role, secret(pw3)))).isValid()).isTrue();
        assertThat(connector.discover(new DiscoverRequest(null, admin(), PREFIX + "o'q%")).usernames()).containsExactly(role);
    }

    @Test
    void discoverListsLoginRolesOnly() throws Exception {
        String a = newRole("disc_a", passwords.next());
        String b = newRole("disc_b", passwords.next());
        try (Connection c = real.pgAdminConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE ROLE \"" + PREFIX + "disc_nologin\" NOLOGIN");
        }
        roles.add(PREFIX + "disc_nologin");
        assertThat(connector.discover(new DiscoverRequest(null, admin(), PREFIX + "disc%")).usernames())
                .containsExactly(a, b);
        assertThat(connector.discover(new DiscoverRequest(null, admin(), null)).usernames())
                .contains(real.pgAdminUser(), a, b).doesNotContain(PREFIX + "disc_nologin");
    }

    @Test
    void refusedSelfLoginAndServerRefusalsAreRejected() throws Exception {
        char[] pw = passwords.next();
        String role = newRole("refused", pw);
        char[] wrong = passwords.next();
        char[] fresh = passwords.next();
        ChangeResult badLogin = connector.change(new ChangeRequest(null, role, secret(wrong), secret(fresh), null));
        assertThat(badLogin.outcome()).isEqualTo(ChangeResult.Outcome.REJECTED);
        assertThat(badLogin.detail()).startsWith("login as " + role + " refused");
        assertNoSecretIn(badLogin.detail(), pw, wrong, fresh);
        assertThat(real.pgLogin(role, pw)).isTrue();

        // a role that may not alter another role: a definite server-side permission error
        char[] otherPw = passwords.next();
        String other = newRole("refused_other", otherPw);
        ChangeResult denied = connector.change(new ChangeRequest(null, other, null, secret(fresh), new Login(role, secret(pw))));
        assertThat(denied.outcome()).isEqualTo(ChangeResult.Outcome.REJECTED);
        assertThat(denied.detail()).startsWith("target refused the change").contains("42501");
        assertNoSecretIn(denied.detail(), pw, fresh);
        assertThat(real.pgLogin(other, otherPw)).isTrue();

        ChangeResult missing = connector.change(new ChangeRequest(null, PREFIX + "missing", null, secret(fresh), admin()));
        assertThat(missing.outcome()).isEqualTo(ChangeResult.Outcome.REJECTED);
        assertThat(missing.detail()).contains("42704");
    }

    @Test
    void aRefusedAdminCredentialIsRejectedAndTheRightOneRebuildsThePool() throws Exception {
        char[] pw = passwords.next();
        String role = newRole("adminswap", pw);
        char[] fresh = passwords.next();
        char[] wrongAdmin = "not the admin password".toCharArray();
        try (TargetConnector own = new PostgresConnectorFactory().create(target("it-pg-swap", TlsMode.DISABLE, real.pgPort(), Map.of()))) {
            ChangeResult refused = own.change(new ChangeRequest(null, role, null, secret(fresh),
                    new Login(real.pgAdminUser(), secret(wrongAdmin))));
            assertThat(refused.outcome()).isEqualTo(ChangeResult.Outcome.REJECTED);
            assertThat(refused.detail()).startsWith("admin login as " + real.pgAdminUser() + " refused");
            assertThat(real.pgLogin(role, pw)).isTrue();
            ChangeResult changed = own.change(new ChangeRequest(null, role, null, secret(fresh), admin()));
            assertThat(changed.outcome()).as(changed.detail()).isEqualTo(ChangeResult.Outcome.CHANGED);
            assertThat(real.pgLogin(role, fresh)).isTrue();
        }
    }

    @Test
    void tlsRequireAndVerifyFullEncryptAndAWrongCaIsRefusedNotDowngraded(@TempDir Path tmp) throws Exception {
        char[] pw = passwords.next();
        String role = newRole("tls", pw);
        Map<TlsMode, Map<String, String>> good = Map.of(
                TlsMode.REQUIRE, Map.of(),
                TlsMode.VERIFY_FULL, Map.of("sslrootcert", real.pgCaFile().toString()));
        for (Map.Entry<TlsMode, Map<String, String>> mode : good.entrySet()) {
            String id = "it-pg-" + mode.getKey().configName();
            try (TargetConnector tls = new PostgresConnectorFactory().create(target(id, mode.getKey(), real.pgPort(), mode.getValue()))) {
                VerifyResult verified = tls.verify(new VerifyRequest(null, new Login(role, secret(pw))));
                assertThat(verified.outcome()).as("%s: %s", mode.getKey(), verified.detail()).isEqualTo(VerifyResult.Outcome.VALID);
                char[] fresh = passwords.next();
                ChangeResult changed = tls.change(new ChangeRequest(null, role, null, secret(fresh), admin()));
                assertThat(changed.outcome()).as(changed.detail()).isEqualTo(ChangeResult.Outcome.CHANGED);
                assertThat(real.pgLogin(role, fresh)).isTrue();
                pw = fresh;
                // the admin pool really speaks TLS
                DataSource adminBean = ((AbstractJdbcConnector) tls).currentAdminPool();
                try (Connection c = adminBean.getConnection();
                     Statement s = c.createStatement();
                     ResultSet rs = s.executeQuery("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getBoolean(1)).as("TLS in %s", mode.getKey()).isTrue();
                }
            }
        }

        Path wrongCa = WrongCa.create(tmp);
        try (TargetConnector wrong = new PostgresConnectorFactory().create(target("it-pg-wrong-ca", TlsMode.VERIFY_FULL,
                real.pgPort(), Map.of("sslrootcert", wrongCa.toString())))) {
            VerifyResult refused = wrong.verify(new VerifyRequest(null, new Login(role, secret(pw))));
            assertThat(refused.outcome()).isEqualTo(VerifyResult.Outcome.UNREACHABLE);
            assertThat(refused.detail()).containsIgnoringCase("SSL");
            char[] fresh = passwords.next();
            ChangeResult notSent = wrong.change(new ChangeRequest(null, role, null, secret(fresh), admin()));
            assertThat(notSent.outcome()).isEqualTo(ChangeResult.Outcome.REJECTED);
            assertThat(notSent.detail()).startsWith("target unreachable, nothing was sent");
            ChangeResult selfNotSent = wrong.change(new ChangeRequest(null, role, secret(pw), secret(fresh), null));
            assertThat(selfNotSent.outcome()).isEqualTo(ChangeResult.Outcome.REJECTED);
            assertThat(real.pgLogin(role, pw)).isTrue();
            assertThat(real.pgLogin(role, fresh)).isFalse();
        }
    }

    /**
     * Known-answer check against the server itself: PostgreSQL computes the verifier (with its own
     * SASLprep) for a clear password; recomputing with the stored salt and iterations must give the same.
     */
    @Test
    void verifierEqualsWhatPostgresComputesForTheSamePassword() throws Exception {
        String[] samples = {
            "pencil", ItPasswords.SYMBOLS + "abcXYZ019", "pässwörd", "ﬁnance", "x\u00A0y", "a\u00ADb", "Ⅸ-ⅻ",
            "日本語パスワード", "ＦＵＬＬ　ｗｉｄｔｈ", "e\u0301t\u00e9", "\u05d0\u05d1a", "\u05d0\u05d1\u05d2",
            "é\uD83D\uDE00", "é\u0007", "\u00AD", "\uE000é",
        };
        int n = 0;
        for (String sample : samples) {
            String role = newRole("kat_" + n++, sample.toCharArray());
            String stored;
            try (Connection c = real.pgAdminConnection();
                 PreparedStatement ps = c.prepareStatement("SELECT rolpassword FROM pg_authid WHERE rolname = ?")) {
                ps.setString(1, role);
                try (ResultSet rs = ps.executeQuery()) {
                    assertThat(rs.next()).isTrue();
                    stored = rs.getString(1);
                }
            }
            ScramSha256Verifier.Parts parts = ScramSha256Verifier.parse(stored);
            assertThat(ScramSha256Verifier.compute(sample.toCharArray(), parts.salt(), parts.iterations()))
                    .as("verifier for %s", sample).isEqualTo(stored);
        }
        // and a verifier Rotor computed for a non-ASCII password lets pgjdbc log in
        String role = newRole("kat_rotor", "start'\\ 1".toCharArray());
        char[] unicode = "Grüße 'ﬁ' \\ Ⅸ".toCharArray();
        ChangeResult result = connector.change(new ChangeRequest(null, role, null, secret(unicode), admin()));
        assertThat(result.outcome()).as(result.detail()).isEqualTo(ChangeResult.Outcome.CHANGED);
        assertThat(real.pgLogin(role, unicode)).isTrue();
    }
}
