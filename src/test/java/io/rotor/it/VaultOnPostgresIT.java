package io.rotor.it;

import io.rotor.domain.AccountStatus;
import io.rotor.domain.CredentialType;
import io.rotor.domain.Secret;
import io.rotor.domain.Slot;
import io.rotor.domain.Target;
import io.rotor.domain.TlsMode;
import io.rotor.vault.AccountLock;
import io.rotor.vault.AuditRecord;
import io.rotor.vault.MasterKey;
import io.rotor.vault.StoredCredential;
import io.rotor.vault.TamperedCredentialException;
import io.rotor.vault.Vault;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code rotor.vault.url=jdbc:postgresql://...}: the same Flyway migrations and vault behaviour on PostgreSQL. */
class VaultOnPostgresIT {
    private static final String DATABASE = "rotor_vault_it";
    private static RealTargets targets;

    @TempDir
    Path dataDir;

    @BeforeAll
    static void createDatabase() throws Exception {
        targets = RealTargets.load();
        try (Connection c = targets.pgAdminConnection(); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + DATABASE);
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
    void migratesStoresRotatesKeysAndDetectsTamperingOnPostgresql() throws Exception {
        try (Vault vault = open()) {
            vault.targets().upsertTarget(new Target("t", "postgresql", "127.0.0.1", 5432, "postgres", TlsMode.DISABLE, null, null, Map.of()));
            vault.accounts().upsertAccount("a", "t", "alice", CredentialType.PASSWORD, null);
            AccountLock lock = vault.accounts().tryLock("a", Duration.ofMinutes(1)).orElseThrow();
            vault.credentials().setCurrent(lock, "r1", Secret.fromUtf8("pg-vault-secret ' \\ ;".getBytes(StandardCharsets.UTF_8)),
                    AccountStatus.UNVERIFIED, AuditRecord.of("test", "SET_VAULT_ONLY", "a", "t", "r1", "SUCCEEDED", null));
            vault.accounts().unlock(lock);

            vault.credentials().crypto().addPrimaryKey();
            assertThat(vault.credentials().reencryptAll()).isEqualTo(1);
        }
        try (Vault reopened = open()) {
            try (StoredCredential c = reopened.credentials().read("a", Slot.CURRENT).orElseThrow()) {
                assertThat(c.secret().reveal()).isEqualTo("pg-vault-secret ' \\ ;");
            }
            try (Connection c = reopened.dataSource().getConnection(); Statement s = c.createStatement()) {
                try (ResultSet r = s.executeQuery("SELECT count(*) FROM flyway_schema_history WHERE success")) {
                    r.next();
                    assertThat(r.getInt(1)).isPositive();
                }
                try (ResultSet r = s.executeQuery("SELECT count(*) FROM credentials WHERE position(convert_to('pg-vault-secret', 'UTF8') in ciphertext) > 0")) {
                    r.next();
                    assertThat(r.getInt(1)).as("plaintext stored in the database").isZero();
                }
                s.executeUpdate("UPDATE credentials SET ciphertext = set_byte(ciphertext, 20, get_byte(ciphertext, 20) # 1) WHERE account_id = 'a'");
            }
            assertThatThrownBy(() -> reopened.credentials().read("a", Slot.CURRENT)).isInstanceOf(TamperedCredentialException.class);
        }
    }
}
