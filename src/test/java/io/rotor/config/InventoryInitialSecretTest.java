package io.rotor.config;

import io.rotor.domain.CredentialType;
import io.rotor.domain.Secret;
import io.rotor.domain.Slot;
import io.rotor.domain.Target;
import io.rotor.domain.TlsMode;
import io.rotor.vault.AccountLock;
import io.rotor.vault.AuditRecord;
import io.rotor.vault.MasterKey;
import io.rotor.vault.StoredCredential;
import io.rotor.vault.Vault;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The inventory's {@code initialSecretEnv} never touches an account that holds a credential, PENDING included. */
class InventoryInitialSecretTest {
    @TempDir
    Path dataDir;

    private Vault vault;
    private final Target target = new Target("t1", "postgresql", "127.0.0.1", 5432, "postgres", TlsMode.DISABLE, null, null, Map.of());

    @BeforeEach
    void openVault() {
        vault = Vault.open(null, null, null, dataDir, MasterKey.load(null, dataDir.resolve("master.key")), 2);
    }

    @AfterEach
    void closeVault() {
        vault.close();
    }

    private Inventory inventory() {
        return new Inventory(List.of(), List.of(target), List.of(
                new AccountSpec("fresh", "t1", "fresh", CredentialType.PASSWORD, null, "FRESH_PW"),
                new AccountSpec("midway", "t1", "midway", CredentialType.PASSWORD, null, "MIDWAY_PW")));
    }

    private String stored(String id, Slot slot) {
        return vault.credentials().read(id, slot).map(c -> {
            try (StoredCredential credential = c) {
                return credential.secret().reveal();
            }
        }).orElse(null);
    }

    @Test
    void anAccountWhoseFirstRotationWasCutOffKeepsItsPendingCandidate() {
        Map<String, String> env = Map.of("FRESH_PW", "Fresh-Initial-1!", "MIDWAY_PW", "Midway-Initial-1!");
        new InventoryApplier(vault, env).apply(inventory(), false);
        // an admin-driven first rotation wrote PENDING, changed the target, and the process died before the commit
        AccountLock lock = vault.accounts().tryLock("midway", Duration.ofMinutes(1)).orElseThrow();
        vault.credentials().writePending(lock, "r1", Secret.fromUtf8("Live-Candidate-9!".getBytes(StandardCharsets.UTF_8)),
                AuditRecord.of("test", "PENDING_WRITTEN", "midway", "t1", "r1", "PENDING", null));
        vault.accounts().unlock(lock);

        InventoryApplier.Summary summary = new InventoryApplier(vault, env).apply(inventory());

        assertThat(summary.initialSecretsStored()).isEqualTo(1);
        assertThat(stored("fresh", Slot.CURRENT)).isEqualTo("Fresh-Initial-1!");
        assertThat(stored("midway", Slot.PENDING)).as("the possibly live candidate is kept").isEqualTo("Live-Candidate-9!");
        assertThat(stored("midway", Slot.CURRENT)).isNull();
    }

    @Test
    void serveDefersInitialCredentialsUntilAfterRecovery() {
        Map<String, String> env = Map.of("FRESH_PW", "Fresh-Initial-1!", "MIDWAY_PW", "Midway-Initial-1!");

        InventoryApplier applier = new InventoryApplier(vault, env);
        assertThat(applier.apply(inventory(), false).initialSecretsStored()).isZero();
        assertThat(vault.credentials().has("fresh", Slot.CURRENT)).isFalse();

        assertThat(applier.storeInitialSecrets(inventory())).isEqualTo(2);
        assertThat(applier.storeInitialSecrets(inventory())).as("never over an existing credential").isZero();
    }
}
