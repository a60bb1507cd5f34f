package io.rotor.vault;

import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Rows written before migration V9 are stamped once when the vault is next opened (audited); afterwards a row
 * without a MAC is refused, and removing the record of the stamping does not get a forged row stamped.
 */
class RowSealStampingTest {
    @TempDir
    Path dataDir;

    private MasterKey key() {
        return MasterKey.load(null, dataDir.resolve("master.key"));
    }

    private void sql(String... statements) throws Exception {
        try (Connection c = DriverManager.getConnection(Vault.h2Url(dataDir)); Statement s = c.createStatement()) {
            for (String statement : statements) {
                s.executeUpdate(statement);
            }
        }
    }

    @Test
    void rowsFromBeforeV9AreStampedOnceThenARowWithoutAMacIsRefused() throws Exception {
        Vault.createPrivateDirectory(dataDir);
        // a vault as the previous release left it: migrated up to V6, with a target and a token
        org.h2.jdbcx.JdbcDataSource ds = new org.h2.jdbcx.JdbcDataSource();
        ds.setURL(Vault.h2Url(dataDir));
        Flyway.configure().dataSource(ds).locations(Vault.migrationLocations(ds)).target("6").load().migrate();
        sql("INSERT INTO targets (id, type, host, port, tls_mode, settings_json) VALUES"
                        + " ('legacy', 'postgresql', 'db.example', 5432, 'VERIFY_FULL', '{}')",
                "INSERT INTO api_tokens (name, role, token_hash, created_at, created_by) VALUES"
                        + " ('legacy-token', 'operator', '" + "ab".repeat(32) + "', CURRENT_TIMESTAMP, 'test')");

        try (Vault vault = Vault.open(null, null, null, dataDir, key(), 2)) {
            assertThat(vault.targets().findTarget("legacy")).get().extracting(t -> t.host()).isEqualTo("db.example");
            assertThat(vault.tokens().findActiveToken("ab".repeat(32))).isPresent();
            assertThat(vault.audit().trail(null, 100)).filteredOn(a -> a.operation().equals("ROW_MAC_STAMP"))
                    .singleElement().satisfies(a -> {
                        assertThat(a.outcome()).isEqualTo("SUCCEEDED");
                        assertThat(a.detail()).contains("2 row(s)").contains("target legacy").contains("token legacy-token");
                    });
        }
        // after the stamping, a row inserted without a MAC is a forged one; reopening stamps nothing
        sql("INSERT INTO targets (id, type, host, port, tls_mode, settings_json) VALUES"
                + " ('forged', 'postgresql', 'evil.example', 5432, 'DISABLE', '{}')");
        try (Vault vault = Vault.open(null, null, null, dataDir, key(), 2)) {
            assertThatThrownBy(() -> vault.targets().findTarget("forged")).hasMessageContaining("integrity check");
            assertThat(vault.audit().trail(null, 100)).filteredOn(a -> a.operation().equals("ROW_MAC_STAMP")).hasSize(1);
        }
        // removing the record of the stamping does not get the forged row stamped either
        sql("DELETE FROM vault_row_seal");
        try (Vault vault = Vault.open(null, null, null, dataDir, key(), 2)) {
            assertThatThrownBy(() -> vault.targets().findTarget("forged")).hasMessageContaining("integrity check");
            assertThat(vault.targets().findTarget("legacy")).isPresent();
            assertThat(vault.audit().trail(null, 100)).filteredOn(a -> a.operation().equals("ROW_MAC_STAMP")
                    && a.outcome().equals("REFUSED")).singleElement()
                    .satisfies(a -> assertThat(a.detail()).contains("nothing stamped"));
        }
    }

    @Test
    void aFreshVaultRecordsAtOnceThatNothingIsLeftToStamp() throws Exception {
        try (Vault vault = Vault.open(null, null, null, dataDir, key(), 2)) {
            assertThat(vault.audit().trail(null, 100)).noneMatch(a -> a.operation().equals("ROW_MAC_STAMP"));
        }
        sql("INSERT INTO targets (id, type, host, port, tls_mode, settings_json) VALUES"
                + " ('forged', 'postgresql', 'evil.example', 5432, 'DISABLE', '{}')");
        try (Vault vault = Vault.open(null, null, null, dataDir, key(), 2)) {
            assertThatThrownBy(() -> vault.targets().findTarget("forged")).hasMessageContaining("integrity check");
        }
    }
}
