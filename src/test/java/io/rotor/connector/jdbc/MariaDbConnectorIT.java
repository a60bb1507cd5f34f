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

import javax.sql.DataSource;
import java.security.SecureRandom;
import java.sql.Connection;
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

/** The MariaDB connector against the real server of scripts/targets.sh (users 'rotor_it_*'@'%'). */
class MariaDbConnectorIT {
    private static final String PREFIX = "rotor_it_mdc_" + HexFormat.of().formatHex(randomBytes(3)) + "_";
    private static final int ACCOUNTS = 52;

    private static RealTargets real;
    private static TargetConnector connector;
    private static final List<String> users = new ArrayList<>();
    private static final ItPasswords passwords = new ItPasswords();

    @BeforeAll
    static void start() throws Exception {
        real = RealTargets.load();
        connector = new MariaDbConnectorFactory().create(target("it-maria", TlsMode.DISABLE, real.mariaPort(), Map.of()));
    }

    @AfterAll
    static void stop() throws Exception {
        if (connector != null) {
            connector.close();
        }
        for (String user : users) {
            real.mariaDropUser(user);
        }
    }

    private static Target target(String id, TlsMode tls, int port, Map<String, String> extra) {
        Map<String, String> settings = new HashMap<>(Map.of("connectTimeoutSeconds", "5", "socketTimeoutSeconds", "10"));
        settings.putAll(extra);
        return new Target(id, "mariadb", real.mariaHost(), port, null, tls, null, null, settings);
    }

    private static Login admin() {
        return new Login(real.mariaAdminUser(), Secret.of(real.mariaAdminPassword()));
    }

    private static Secret secret(char[] value) {
        return Secret.of(value.clone());
    }

    private static String newUser(String suffix, char[] password) throws Exception {
        String user = PREFIX + suffix;
        users.add(user);
        real.mariaCreateUser(user, password);
        return user;
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
            names.add(newUser("bulk_" + i, old));
            olds.add(old);
            news.add(passwords.next());
        }
        List<char[]> all = new ArrayList<>(olds);
        all.addAll(news);
        assertThat(ItPasswords.symbolsIn(all)).isEqualTo(ItPasswords.SYMBOLS);
        assertThat(all).allSatisfy(pw -> assertThat(new String(pw)).contains("'", "\\", " "));

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
            assertThat(real.mariaLogin(names.get(i), news.get(i))).as("new password of %s", names.get(i)).isTrue();
            assertThat(real.mariaLogin(names.get(i), olds.get(i))).as("old password of %s", names.get(i)).isFalse();
        }
    }

    /**
     * The literal follows the sql_mode of the session that runs the statement: an admin pool connection whose
     * session has NO_BACKSLASH_ESCAPES (the global mode has not) gets backslashes written as they are.
     */
    @Test
    void adminChangeFollowsTheSessionSqlMode() throws Exception {
        try (TargetConnector single = new MariaDbConnectorFactory().create(
                target("it-maria-nbe", TlsMode.DISABLE, real.mariaPort(), Map.of("maxPoolSize", "1")))) {
            char[] first = passwords.next();
            String user = newUser("nbe", first);
            char[] second = passwords.next();
            assertThat(single.change(new ChangeRequest(null, user, null, secret(second), admin())).outcome())
                    .isEqualTo(ChangeResult.Outcome.CHANGED);
            DataSource adminBean = ((AbstractJdbcConnector) single).currentAdminPool();
            try (Connection c = adminBean.getConnection(); Statement s = c.createStatement()) {
                s.execute("SET SESSION sql_mode = CONCAT(@@SESSION.sql_mode, ',NO_BACKSLASH_ESCAPES')");
            }
            for (int i = 0; i < 4; i++) {
                char[] next = passwords.next();
                ChangeResult result = single.change(new ChangeRequest(null, user, null, secret(next), admin()));
                assertThat(result.outcome()).as(result.detail()).isEqualTo(ChangeResult.Outcome.CHANGED);
                assertThat(real.mariaLogin(user, next)).isTrue();
                assertThat(real.mariaLogin(user, second)).isFalse();
                second = next;
            }
            try (Connection c = adminBean.getConnection(); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT @@SESSION.sql_mode")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).as("the pool's one connection kept its session mode").contains("NO_BACKSLASH_ESCAPES");
            }
        }
    }

    /** Self-rotation under NO_BACKSLASH_ESCAPES: needs the server default, set for a moment and restored. */
    @Test
    void selfChangeFollowsTheSqlModeToo() throws Exception {
        List<String> names = new ArrayList<>();
        List<char[]> olds = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            char[] old = passwords.next();
            names.add(newUser("nbe_self_" + i, old));
            olds.add(old);
        }
        List<char[]> news = new ArrayList<>();
        String globalMode;
        try (Connection c = real.mariaAdminConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT @@GLOBAL.sql_mode")) {
            rs.next();
            globalMode = rs.getString(1);
        }
        assertThat(globalMode).doesNotContain("NO_BACKSLASH_ESCAPES");
        try (TargetConnector fresh = new MariaDbConnectorFactory().create(
                target("it-maria-nbe-self", TlsMode.DISABLE, real.mariaPort(), Map.of()))) {
            try (Connection c = real.mariaAdminConnection(); Statement s = c.createStatement()) {
                s.execute("SET GLOBAL sql_mode = CONCAT(@@GLOBAL.sql_mode, ',NO_BACKSLASH_ESCAPES')");
            }
            try {
                for (int i = 0; i < names.size(); i++) {
                    char[] next = passwords.next();
                    news.add(next);
                    ChangeResult result = fresh.change(new ChangeRequest(null, names.get(i), secret(olds.get(i)), secret(next), null));
                    assertThat(result.outcome()).as(result.detail()).isEqualTo(ChangeResult.Outcome.CHANGED);
                }
            } finally {
                try (Connection c = real.mariaAdminConnection();
                     java.sql.PreparedStatement ps = c.prepareStatement("SET GLOBAL sql_mode = ?")) {
                    ps.setString(1, globalMode);
                    ps.execute();
                }
            }
        }
        for (int i = 0; i < names.size(); i++) {
            assertThat(real.mariaLogin(names.get(i), news.get(i))).isTrue();
            assertThat(real.mariaLogin(names.get(i), olds.get(i))).isFalse();
        }
    }

    @Test
    void usernamesWithQuotesAndBackslashesAreQuotedLiterals() throws Exception {
        char[] pw1 = passwords.next();
        String user = newUser("o'q\\x y", pw1);
        char[] pw2 = passwords.next();
        ChangeResult viaAdmin = connector.change(new ChangeRequest(null, user, null, secret(pw2), admin()));
        assertThat(viaAdmin.outcome()).as(viaAdmin.detail()).isEqualTo(ChangeResult.Outcome.CHANGED);
        assertThat(real.mariaLogin(user, pw2)).isTrue();
        assertThat(real.mariaLogin(user, pw1)).isFalse();

        char[] pw3 = passwords.next();
        ChangeResult self = connector.change(new ChangeRequest(null, user, secret(pw2), secret(pw3), null));
        assertThat(self.outcome()).as(self.detail()).isEqualTo(ChangeResult.Outcome.CHANGED);
        assertThat(real.mariaLogin(user, pw3)).isTrue();
        assertThat(real.mariaLogin(user, pw2)).isFalse();
        assertThat(connector.verify(new VerifyRequest(null, new Login(user, secret(pw3)))).isValid()).isTrue();
        assertThat(connector.discover(new DiscoverRequest(null, admin(), PREFIX + "o''q%")).usernames()).isEmpty();
        assertThat(connector.discover(new DiscoverRequest(null, admin(), PREFIX + "o'q%")).usernames()).containsExactly(user);
    }

    @Test
    void discoverListsUsersOfTheAccountHost() throws Exception {
        String a = newUser("disc_a", passwords.next());
        String b = newUser("disc_b", passwords.next());
        assertThat(connector.discover(new DiscoverRequest(null, admin(), PREFIX + "disc%")).usernames())
                .containsExactly(a, b);
        assertThat(connector.discover(new DiscoverRequest(null, admin(), null)).usernames())
                .contains(real.mariaAdminUser(), a, b);
        try (TargetConnector localhost = new MariaDbConnectorFactory().create(
                target("it-maria-localhost", TlsMode.DISABLE, real.mariaPort(), Map.of("accountHost", "localhost")))) {
            assertThat(localhost.discover(new DiscoverRequest(null, admin(), null)).usernames())
                    .contains(real.mariaAdminUser()).doesNotContain(a, b);
        }
    }

    @Test
    void refusedSelfLoginAndServerRefusalsAreRejected() throws Exception {
        char[] pw = passwords.next();
        String user = newUser("refused", pw);
        char[] wrong = passwords.next();
        char[] fresh = passwords.next();
        ChangeResult badLogin = connector.change(new ChangeRequest(null, user, secret(wrong), secret(fresh), null));
        assertThat(badLogin.outcome()).isEqualTo(ChangeResult.Outcome.REJECTED);
        assertThat(badLogin.detail()).startsWith("login as " + user + " refused");
        assertNoSecretIn(badLogin.detail(), pw, wrong, fresh);
        assertThat(real.mariaLogin(user, pw)).isTrue();

        // a user without CREATE USER may not alter another account: a definite permission error
        char[] otherPw = passwords.next();
        String other = newUser("refused_other", otherPw);
        ChangeResult denied = connector.change(new ChangeRequest(null, other, null, secret(fresh), new Login(user, secret(pw))));
        assertThat(denied.outcome()).isEqualTo(ChangeResult.Outcome.REJECTED);
        assertThat(denied.detail()).startsWith("target refused the change").contains("1227");
        assertNoSecretIn(denied.detail(), pw, fresh);
        assertThat(real.mariaLogin(other, otherPw)).isTrue();

        ChangeResult missing = connector.change(new ChangeRequest(null, PREFIX + "missing", null, secret(fresh), admin()));
        assertThat(missing.outcome()).isEqualTo(ChangeResult.Outcome.REJECTED);
        assertThat(missing.detail()).contains("1396");
        assertNoSecretIn(missing.detail(), fresh);
    }

    @Test
    void aRefusedAdminCredentialIsRejectedAndTheRightOneRebuildsThePool() throws Exception {
        char[] pw = passwords.next();
        String user = newUser("adminswap", pw);
        char[] fresh = passwords.next();
        try (TargetConnector own = new MariaDbConnectorFactory().create(target("it-maria-swap", TlsMode.DISABLE, real.mariaPort(), Map.of()))) {
            ChangeResult refused = own.change(new ChangeRequest(null, user, null, secret(fresh),
                    new Login(real.mariaAdminUser(), secret("not the admin password".toCharArray()))));
            assertThat(refused.outcome()).isEqualTo(ChangeResult.Outcome.REJECTED);
            assertThat(refused.detail()).startsWith("admin login as " + real.mariaAdminUser() + " refused");
            assertThat(real.mariaLogin(user, pw)).isTrue();
            ChangeResult changed = own.change(new ChangeRequest(null, user, null, secret(fresh), admin()));
            assertThat(changed.outcome()).as(changed.detail()).isEqualTo(ChangeResult.Outcome.CHANGED);
            assertThat(real.mariaLogin(user, fresh)).isTrue();
        }
    }

    /** The server of scripts/targets.sh has no TLS: asking for it must fail, never fall back to plain text. */
    @Test
    void tlsIsNeverDowngraded() throws Exception {
        char[] pw = passwords.next();
        String user = newUser("tls", pw);
        String haveSsl;
        try (Connection c = real.mariaAdminConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT @@have_ssl")) {
            rs.next();
            haveSsl = rs.getString(1);
        }
        for (TlsMode mode : new TlsMode[] {TlsMode.REQUIRE, TlsMode.VERIFY_FULL}) {
            try (TargetConnector tls = new MariaDbConnectorFactory().create(
                    target("it-maria-" + mode.configName(), mode, real.mariaPort(), Map.of()))) {
                VerifyResult result = tls.verify(new VerifyRequest(null, new Login(user, secret(pw))));
                if ("YES".equalsIgnoreCase(haveSsl) && mode == TlsMode.REQUIRE) {
                    assertThat(result.outcome()).as(result.detail()).isEqualTo(VerifyResult.Outcome.VALID);
                } else {
                    assertThat(result.outcome()).as("%s with have_ssl=%s: %s", mode, haveSsl, result.detail())
                            .isEqualTo(VerifyResult.Outcome.UNREACHABLE);
                    assertThat(result.detail()).containsIgnoringCase("ssl");
                    char[] fresh = passwords.next();
                    ChangeResult notSent = tls.change(new ChangeRequest(null, user, null, secret(fresh), admin()));
                    assertThat(notSent.outcome()).isEqualTo(ChangeResult.Outcome.REJECTED);
                    assertThat(notSent.detail()).startsWith("target unreachable, nothing was sent");
                    assertThat(real.mariaLogin(user, pw)).isTrue();
                }
            }
        }
    }

}
