package io.rotor.it;

import io.rotor.vault.DirectoryScenario;
import io.rotor.vault.InvalidFieldException;
import io.rotor.vault.MasterKey;
import io.rotor.vault.Vault;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The V2 directory migration and the onboard / offboard core scenario on the real PostgreSQL test cluster. */
class DirectoryOnPostgresIT {
    private static final String DATABASE = "rotor_directory_it";
    private static RealTargets targets;

    @TempDir
    Path dataDir;

    @BeforeAll
    static void createDatabase() throws Exception {
        targets = RealTargets.load();
        try (Connection c = targets.pgAdminConnection(); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + DATABASE + " WITH (FORCE)");
            s.execute("CREATE DATABASE " + DATABASE);
        }
    }

    @AfterAll
    static void dropDatabase() throws Exception {
        try (Connection c = targets.pgAdminConnection(); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + DATABASE + " WITH (FORCE)");
        }
    }

    private Vault open() {
        String url = "jdbc:postgresql://" + targets.pgHost() + ":" + targets.pgPort() + "/" + DATABASE + "?sslmode=disable";
        return Vault.open(url, targets.pgAdminUser(), new String(targets.pgAdminPassword()), dataDir,
                MasterKey.load(null, dataDir.resolve("master.key")), 2);
    }

    @Test
    void onboardThenOffboardOnPostgresql() throws Exception {
        try (Vault vault = open()) {
            DirectoryScenario.run(vault);

            assertThatThrownBy(() -> vault.users().ensureUserTarget("it", DirectoryScenario.VAULT)).isInstanceOf(InvalidFieldException.class)
                    .hasMessage("userTargetId 'pam' is a target of type 'vault'; a vault user target must have type 'vault-users'");

            try (Connection c = vault.dataSource().getConnection(); Statement s = c.createStatement()) {
                List<String> versions = new ArrayList<>();
                try (ResultSet r = s.executeQuery("SELECT version FROM flyway_schema_history WHERE success ORDER BY installed_rank")) {
                    while (r.next()) {
                        versions.add(r.getString(1));
                    }
                }
                assertThat(versions).contains("1", "2");
                // the foreign keys cascade on PostgreSQL as on H2: a deleted user leaves no access or membership behind
                s.executeUpdate("DELETE FROM vault_users WHERE id = 'bob'");
                try (ResultSet r = s.executeQuery("SELECT (SELECT count(*) FROM vault_access WHERE user_id = 'bob')"
                        + " + (SELECT count(*) FROM vault_group_members WHERE user_id = 'bob')")) {
                    r.next();
                    assertThat(r.getInt(1)).isZero();
                }
            }
        }
        try (Vault reopened = open()) {
            assertThat(reopened.access().canUse("carol", "db2-etl")).isTrue();
            assertThat(reopened.attributes().attribute("db1-app", DirectoryScenario.LINK)).containsExactly("db1.app");
        }
    }
}
