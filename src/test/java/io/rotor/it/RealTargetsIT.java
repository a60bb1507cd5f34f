package io.rotor.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.Properties;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Proves that the targets of scripts/targets.sh and the {@link RealTargets} helper do what they claim. */
class RealTargetsIT {

    /** Every printable ASCII character, space included: ' " \ ; $ ` and friends. */
    static final String EVERY_PRINTABLE;

    static {
        StringBuilder sb = new StringBuilder();
        for (char c = 0x20; c <= 0x7e; c++) {
            sb.append(c);
        }
        EVERY_PRINTABLE = sb.toString();
    }

    static RealTargets targets;

    @BeforeAll
    static void load() {
        targets = RealTargets.load();
    }

    static String uniqueName(String prefix) {
        byte[] b = new byte[4];
        new SecureRandom().nextBytes(b);
        return prefix + HexFormat.of().formatHex(b);
    }

    /** Wrong in ways a quoting bug would produce: backslash collapsed, quote doubled, one char off. */
    static char[][] wrongVariants(String password) {
        return new char[][] {
            password.replace("\\", "").toCharArray(),
            password.replace("'", "''").toCharArray(),
            (password.substring(0, password.length() - 1) + "X").toCharArray(),
            new char[0],
        };
    }

    @Test
    void pgRoleWithEveryPrintableAsciiPassword() throws Exception {
        String role = uniqueName("rotor_it_helper_");
        String password = EVERY_PRINTABLE + " trailing space ";
        try {
            targets.pgCreateRole(role, password.toCharArray());
            assertThat(targets.pgLogin(role, password.toCharArray())).isTrue();
            for (char[] wrong : wrongVariants(password)) {
                assertThat(targets.pgLogin(role, wrong)).as("wrong password %s", new String(wrong)).isFalse();
            }
            // recreate = new password; the old one stops working
            targets.pgCreateRole(role, "second \\' password".toCharArray());
            assertThat(targets.pgLogin(role, "second \\' password".toCharArray())).isTrue();
            assertThat(targets.pgLogin(role, password.toCharArray())).isFalse();
        } finally {
            targets.pgDropRole(role);
        }
        assertThat(targets.pgLogin(role, password.toCharArray())).isFalse();
        targets.pgDropRole(role); // dropping what is gone is fine
    }

    @Test
    void pgRoleNameIsQuoted() throws Exception {
        String role = uniqueName("rotor_it_Odd \"Name\"; ");
        try {
            targets.pgCreateRole(role, EVERY_PRINTABLE.toCharArray());
            assertThat(targets.pgLogin(role, EVERY_PRINTABLE.toCharArray())).isTrue();
        } finally {
            targets.pgDropRole(role);
        }
        assertThat(targets.pgLogin(role, EVERY_PRINTABLE.toCharArray())).isFalse();
    }

    @Test
    void mariaUserWithEveryPrintableAsciiPassword() throws Exception {
        String user = uniqueName("rotor_it_helper_");
        String password = EVERY_PRINTABLE + " trailing space ";
        try {
            targets.mariaCreateUser(user, password.toCharArray());
            assertThat(targets.mariaLogin(user, password.toCharArray())).isTrue();
            for (char[] wrong : wrongVariants(password)) {
                assertThat(targets.mariaLogin(user, wrong)).as("wrong password %s", new String(wrong)).isFalse();
            }
            targets.mariaCreateUser(user, "second \\' password".toCharArray());
            assertThat(targets.mariaLogin(user, "second \\' password".toCharArray())).isTrue();
            assertThat(targets.mariaLogin(user, password.toCharArray())).isFalse();
        } finally {
            targets.mariaDropUser(user);
        }
        assertThat(targets.mariaLogin(user, password.toCharArray())).isFalse();
        targets.mariaDropUser(user);
    }

    @Test
    void mariaUserNameIsQuoted() throws Exception {
        String user = uniqueName("rotor_it_o'q\\");
        try {
            targets.mariaCreateUser(user, EVERY_PRINTABLE.toCharArray());
            assertThat(targets.mariaLogin(user, EVERY_PRINTABLE.toCharArray())).isTrue();
        } finally {
            targets.mariaDropUser(user);
        }
        assertThat(targets.mariaLogin(user, EVERY_PRINTABLE.toCharArray())).isFalse();
    }

    @Test
    void unknownUsersAreRejectedNotErrors() throws Exception {
        // MariaDB answers 1045 or 1698 at random for a user that does not exist: ask often enough to meet both
        for (int i = 0; i < 20; i++) {
            assertThat(targets.mariaLogin(uniqueName("rotor_it_nobody_"), "x".toCharArray())).isFalse();
            assertThat(targets.pgLogin(uniqueName("rotor_it_nobody_"), "x".toCharArray())).isFalse();
        }
    }

    @Test
    void adminConnectionsWork() throws Exception {
        try (Connection c = targets.pgAdminConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT current_user, current_database(), "
                     + "(SELECT rolsuper FROM pg_roles WHERE rolname = current_user)")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo(targets.pgAdminUser());
            assertThat(rs.getString(2)).isEqualTo(targets.pgDatabase());
            assertThat(rs.getBoolean(3)).isTrue();
        }
        try (Connection c = targets.mariaAdminConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT CURRENT_USER()")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).startsWith(targets.mariaAdminUser() + "@");
        }
        assertThat(targets.pgLogin(targets.pgAdminUser(), "not-the-password".toCharArray())).isFalse();
        assertThat(targets.mariaLogin(targets.mariaAdminUser(), "not-the-password".toCharArray())).isFalse();
    }

    @Test
    void pgServesTlsVerifiableWithTheCaFile() throws Exception {
        assertThat(targets.pgCaFile()).isRegularFile();
        for (String host : new String[] {targets.pgHost(), "localhost"}) {
            String url = "jdbc:postgresql://" + host + ":" + targets.pgPort() + "/" + targets.pgDatabase()
                    + "?sslmode=verify-full&sslrootcert=" + targets.pgCaFile();
            Properties p = new Properties();
            p.setProperty("user", targets.pgAdminUser());
            p.setProperty("password", new String(targets.pgAdminPassword()));
            try (Connection c = DriverManager.getConnection(url, p); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getBoolean(1)).as("TLS via %s", host).isTrue();
            }
        }
    }

    @Test
    void loadFailsClearlyWhenTargetsAreNotRunning(@TempDir Path empty) throws Exception {
        assertThatThrownBy(() -> RealTargets.load(empty))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("real targets are not running: start them with scripts/targets.sh start");
        Files.writeString(empty.resolve("targets.env"), "PG_HOST=127.0.0.1\n");
        assertThatThrownBy(() -> RealTargets.load(empty)).isInstanceOf(IllegalStateException.class);
    }
}
