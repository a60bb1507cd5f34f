package io.rotor.vault;

import io.rotor.domain.Slot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;

import static io.rotor.vault.RepositoryScenarios.read;
import static io.rotor.vault.RepositoryScenarios.seed;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Credential versions on an H2 vault: encryption at rest, key rotation, and the protocol writes. */
class CredentialRepositoryTest {
    private static final String KNOWN = "Kn0wn-Secret-Value-'\"\\;$` end";

    @TempDir
    Path dataDir;

    private Vault vault;

    private Vault open() {
        return Vault.open(null, null, null, dataDir, MasterKey.load(null, dataDir.resolve("master.key")), 2);
    }

    @BeforeEach
    void openVault() {
        vault = open();
    }

    @AfterEach
    void closeVault() {
        vault.close();
    }

    @Test
    void theProtocolWritesMoveVersionsBetweenSlotsWithTheirAuditRecords() {
        RepositoryScenarios.protocol(vault);
    }

    @Test
    void aWorkerWhoseLockWasTakenOverCommitsNothing() {
        RepositoryScenarios.staleLock(vault);
    }

    @Test
    void aFailedAuditWriteRefusesTheChange() {
        RepositoryScenarios.auditFailureRollsBackTheChange(vault);
    }

    @Test
    void repositoryCallsJoinTheCallersTransaction() {
        RepositoryScenarios.repositoriesJoinTheCallersTransaction(vault);
    }

    @Test
    void oneFlippedByteInAStoredCiphertextIsReportedAsTampering() throws Exception {
        seed(vault, "acct", KNOWN);
        try (Connection c = vault.dataSource().getConnection()) {
            byte[] ciphertext;
            try (PreparedStatement s = c.prepareStatement("SELECT ciphertext FROM credentials WHERE account_id = 'acct' AND slot = 'CURRENT'");
                 ResultSet r = s.executeQuery()) {
                r.next();
                ciphertext = r.getBytes(1);
            }
            ciphertext[ciphertext.length / 2] ^= 0x01;
            try (PreparedStatement s = c.prepareStatement("UPDATE credentials SET ciphertext = ? WHERE account_id = 'acct' AND slot = 'CURRENT'")) {
                s.setBytes(1, ciphertext);
                s.executeUpdate();
            }
        }

        assertThatThrownBy(() -> vault.credentials().read("acct", Slot.CURRENT))
                .isInstanceOf(TamperedCredentialException.class)
                .hasMessageContaining("'acct'").hasMessageContaining("tampered")
                .hasMessageNotContaining("Kn0wn");
    }

    @Test
    void aCiphertextMovedToAnotherAccountNeverDecrypts() throws Exception {
        seed(vault, "a", KNOWN);
        seed(vault, "b", "other-value-123");
        try (Connection c = vault.dataSource().getConnection();
             PreparedStatement s = c.prepareStatement("UPDATE credentials SET ciphertext ="
                     + " (SELECT ciphertext FROM credentials WHERE account_id = 'a' AND slot = 'CURRENT'),"
                     + " version = (SELECT version FROM credentials WHERE account_id = 'a' AND slot = 'CURRENT')"
                     + " WHERE account_id = 'b' AND slot = 'CURRENT'")) {
            s.executeUpdate();
        }

        assertThatThrownBy(() -> vault.credentials().read("b", Slot.CURRENT)).isInstanceOf(TamperedCredentialException.class);
    }

    @Test
    void keyRotationReencryptsEveryRecordAndAnotherOpenProcessKeepsReading() throws Exception {
        Vault server = vault;
        try (Vault cli = open()) {
            for (int i = 0; i < 20; i++) {
                seed(server, "acct" + i, KNOWN + i);
            }
            List<byte[]> before = ciphertexts(server);
            int keysBefore = server.credentials().crypto().keyCount();

            long generation = cli.credentials().crypto().addPrimaryKey();
            int reencrypted = cli.credentials().reencryptAll();

            assertThat(generation).isEqualTo(2);
            assertThat(reencrypted).isEqualTo(20);
            assertThat(cli.credentials().crypto().keyCount()).isEqualTo(keysBefore + 1);
            List<byte[]> after = ciphertexts(server);
            for (int i = 0; i < before.size(); i++) {
                assertThat(after.get(i)).isNotEqualTo(before.get(i));
            }
            // the "server" still holds the old keyset in memory: it must reload and keep serving
            for (int i = 0; i < 20; i++) {
                assertThat(read(server, "acct" + i, Slot.CURRENT)).isEqualTo(KNOWN + i);
            }
        }
        vault.close();
        vault = open();
        assertThat(read(vault, "acct7", Slot.CURRENT)).isEqualTo(KNOWN + 7);
    }

    private static List<byte[]> ciphertexts(Vault vault) throws Exception {
        try (Connection c = vault.dataSource().getConnection();
             PreparedStatement s = c.prepareStatement("SELECT ciphertext FROM credentials ORDER BY account_id, slot");
             ResultSet r = s.executeQuery()) {
            List<byte[]> rows = new ArrayList<>();
            while (r.next()) {
                rows.add(r.getBytes(1));
            }
            return rows;
        }
    }
}
