package io.rotor.vault;

import io.rotor.domain.AccountStatus;
import io.rotor.domain.CredentialType;
import io.rotor.domain.Secret;
import io.rotor.domain.Slot;
import io.rotor.domain.Target;
import io.rotor.domain.TlsMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class VaultTest {
    private static final String KNOWN = "Kn0wn-Secret-Value-'\"\\;$` end";

    @TempDir
    Path dataDir;

    private Vault open() {
        return Vault.open(null, null, null, dataDir, MasterKey.load(null, dataDir.resolve("master.key")), 2);
    }

    private static Secret secret(String value) {
        return Secret.fromUtf8(value.getBytes(StandardCharsets.UTF_8));
    }

    private static void seed(VaultStore store, String accountId, String value) {
        store.upsertTarget(new Target("t1", "postgresql", "127.0.0.1", 5432, "postgres", TlsMode.DISABLE, null, null, Map.of()));
        store.upsertAccount(accountId, "t1", accountId, CredentialType.PASSWORD, null);
        AccountLock lock = store.tryLock(accountId, Duration.ofMinutes(1)).orElseThrow();
        try {
            store.setCurrent(lock, "r-" + accountId, secret(value), AccountStatus.UNVERIFIED,
                    AuditRecord.of("test", "SET_VAULT_ONLY", accountId, "t1", "r", "SUCCEEDED", null));
        } finally {
            store.unlock(lock);
        }
    }

    private static String read(VaultStore store, String accountId) {
        try (StoredCredential c = store.read(accountId, Slot.CURRENT).orElseThrow()) {
            return c.secret().reveal();
        }
    }

    @Test
    void theDataDirectoryAndKeyFileAreCreatedOwnerOnly() throws Exception {
        Path fresh = dataDir.resolve("fresh");
        try (Vault vault = Vault.open(null, null, null, fresh, MasterKey.load(null, fresh.resolve("master.key")), 2)) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(fresh))).isEqualTo("rwx------");
        }
        try (Vault vault = open()) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dataDir.resolve("master.key"))))
                    .isEqualTo("rw-------");
        }
    }

    @Test
    void aKeyFileReadableByOthersIsRefused() throws Exception {
        open().close();
        Files.setPosixFilePermissions(dataDir.resolve("master.key"), PosixFilePermissions.fromString("rw-r--r--"));

        assertThatThrownBy(this::open).isInstanceOf(VaultException.class)
                .hasMessageContaining("master.key").hasMessageContaining("rw-r--r--").hasMessageContaining("chmod 600");
    }

    @Test
    void noKnownPasswordCanBeFoundByGreppingTheDatabaseFile() throws Exception {
        try (Vault vault = open()) {
            seed(vault.store(), "acct", KNOWN);
            assertThat(read(vault.store(), "acct")).isEqualTo(KNOWN);
        }
        byte[] needleUtf8 = "Kn0wn-Secret".getBytes(StandardCharsets.UTF_8);
        byte[] needleUtf16 = "Kn0wn-Secret".getBytes(StandardCharsets.UTF_16BE);
        try (Stream<Path> files = Files.walk(dataDir)) {
            List<Path> all = files.filter(Files::isRegularFile).toList();
            assertThat(all).anyMatch(p -> p.getFileName().toString().startsWith("vault"));
            for (Path file : all) {
                byte[] content = Files.readAllBytes(file);
                assertThat(indexOf(content, needleUtf8)).as("plaintext in " + file).isEqualTo(-1);
                assertThat(indexOf(content, needleUtf16)).as("UTF-16 plaintext in " + file).isEqualTo(-1);
            }
        }
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    @Test
    void oneFlippedByteInAStoredCiphertextIsReportedAsTampering() throws Exception {
        try (Vault vault = open()) {
            seed(vault.store(), "acct", KNOWN);
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

            assertThatThrownBy(() -> vault.store().read("acct", Slot.CURRENT))
                    .isInstanceOf(TamperedCredentialException.class)
                    .hasMessageContaining("'acct'").hasMessageContaining("tampered")
                    .hasMessageNotContaining("Kn0wn");
        }
    }

    @Test
    void aCiphertextMovedToAnotherAccountNeverDecrypts() throws Exception {
        try (Vault vault = open()) {
            seed(vault.store(), "a", KNOWN);
            seed(vault.store(), "b", "other-value-123");
            try (Connection c = vault.dataSource().getConnection();
                 PreparedStatement s = c.prepareStatement("UPDATE credentials SET ciphertext ="
                         + " (SELECT ciphertext FROM credentials WHERE account_id = 'a' AND slot = 'CURRENT'),"
                         + " version = (SELECT version FROM credentials WHERE account_id = 'a' AND slot = 'CURRENT')"
                         + " WHERE account_id = 'b' AND slot = 'CURRENT'")) {
                s.executeUpdate();
            }

            assertThatThrownBy(() -> vault.store().read("b", Slot.CURRENT)).isInstanceOf(TamperedCredentialException.class);
        }
    }

    @Test
    void aWrongMasterKeyRefusesToStartAndSaysWhy() {
        try (Vault vault = open()) {
            seed(vault.store(), "acct", KNOWN);
        }
        byte[] other = new byte[32];
        other[0] = 7;
        String wrongKey = Base64.getEncoder().encodeToString(other);

        assertThatThrownBy(() -> Vault.open(null, null, null, dataDir, MasterKey.load(wrongKey, dataDir.resolve("master.key")), 2))
                .isInstanceOf(VaultException.class)
                .hasMessageContaining("ROTOR_MASTER_KEY").hasMessageContaining("wrong key");
    }

    @Test
    void aMalformedMasterKeyIsRefusedWithTheExpectedFormat() {
        assertThatThrownBy(() -> MasterKey.load("not base64 at all!", dataDir.resolve("k")))
                .hasMessageContaining("base64");
        assertThatThrownBy(() -> MasterKey.load(Base64.getEncoder().encodeToString(new byte[16]), dataDir.resolve("k")))
                .hasMessageContaining("16 bytes").hasMessageContaining("32 bytes");
    }

    @Test
    void keyRotationReencryptsEveryRecordAndAnotherOpenProcessKeepsReading() throws Exception {
        try (Vault server = open(); Vault cli = open()) {
            for (int i = 0; i < 20; i++) {
                seed(server.store(), "acct" + i, KNOWN + i);
            }
            List<byte[]> before = ciphertexts(server);
            int keysBefore = server.store().crypto().keyCount();

            long generation = cli.store().crypto().addPrimaryKey();
            int reencrypted = cli.store().reencryptAll();

            assertThat(generation).isEqualTo(2);
            assertThat(reencrypted).isEqualTo(20);
            assertThat(cli.store().crypto().keyCount()).isEqualTo(keysBefore + 1);
            List<byte[]> after = ciphertexts(server);
            for (int i = 0; i < before.size(); i++) {
                assertThat(after.get(i)).isNotEqualTo(before.get(i));
            }
            // the "server" still holds the old keyset in memory: it must reload and keep serving
            for (int i = 0; i < 20; i++) {
                assertThat(read(server.store(), "acct" + i)).isEqualTo(KNOWN + i);
            }
        }
        try (Vault reopened = open()) {
            assertThat(read(reopened.store(), "acct7")).isEqualTo(KNOWN + 7);
        }
    }

    private static List<byte[]> ciphertexts(Vault vault) throws Exception {
        try (Connection c = vault.dataSource().getConnection();
             PreparedStatement s = c.prepareStatement("SELECT ciphertext FROM credentials ORDER BY account_id, slot");
             ResultSet r = s.executeQuery()) {
            List<byte[]> rows = new java.util.ArrayList<>();
            while (r.next()) {
                rows.add(r.getBytes(1));
            }
            return rows;
        }
    }

    @Test
    void loadingTheSameAccountTwiceKeepsItsStateAndCredentials() {
        try (Vault vault = open()) {
            seed(vault.store(), "acct", KNOWN);
            boolean created = vault.store().upsertAccount("acct", "t1", "acct", CredentialType.PASSWORD, null);

            assertThat(created).isFalse();
            assertThat(read(vault.store(), "acct")).isEqualTo(KNOWN);
            assertThat(vault.store().findAccount("acct").orElseThrow().version()).isEqualTo(1);
        }
    }
}
