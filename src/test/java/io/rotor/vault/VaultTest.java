package io.rotor.vault;

import io.rotor.domain.Slot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;

import static io.rotor.vault.RepositoryScenarios.read;
import static io.rotor.vault.RepositoryScenarios.seed;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class VaultTest {
    private static final String KNOWN = "Kn0wn-Secret-Value-'\"\\;$` end";

    @TempDir
    Path dataDir;

    private Vault open() {
        return Vault.open(null, null, null, dataDir, MasterKey.load(null, dataDir.resolve("master.key")), 2);
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
            seed(vault, "acct", KNOWN);
            assertThat(read(vault, "acct", Slot.CURRENT)).isEqualTo(KNOWN);
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
    void aWrongMasterKeyRefusesToStartAndSaysWhy() {
        try (Vault vault = open()) {
            seed(vault, "acct", KNOWN);
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

}
