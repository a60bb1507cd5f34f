package io.rotor.vault;

import io.rotor.domain.AccountStatus;
import io.rotor.domain.CredentialType;
import io.rotor.domain.Slot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;

import static io.rotor.vault.RepositoryScenarios.read;
import static io.rotor.vault.RepositoryScenarios.secret;
import static io.rotor.vault.RepositoryScenarios.seed;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A backing account's commit and the update of its linked vault accounts are one transaction (docs/architecture.md,
 * "Linked vault accounts"): both move, or neither does.
 */
class LinkedMirrorsTest {
    @TempDir
    Path dataDir;

    private Vault vault;
    private CredentialRepository credentials;

    @BeforeEach
    void openVault() {
        vault = Vault.open(null, null, null, dataDir, MasterKey.load(null, dataDir.resolve("master.key")), 2);
        credentials = vault.credentials();
        seed(vault, "db-app", "Old-Passw0rd!1");
        vault.templates().ensureVaultTarget("test", "vault");
        vault.accounts().upsertAccount("v-db-app", "vault", "db-app (vault)", CredentialType.PASSWORD, null);
        vault.attributes().setAttribute("test", "v-db-app", "backing_account", List.of("db-app"));
        // an association attribute that happens to hold the same id is not a link
        vault.accounts().upsertAccount("v-other", "vault", "other", CredentialType.PASSWORD, null);
        vault.attributes().setAttribute("test", "v-other", "owners", List.of("db-app"));
        assertThat(vault.attributes().registerLinkAttribute("test", "vault", "backing_account")).isTrue();
        assertThat(vault.attributes().registerLinkAttribute("test", "vault", "backing_account")).as("idempotent").isFalse();
        credentials.syncMirrors("db-app", "test");
    }

    @AfterEach
    void closeVault() {
        vault.close();
    }

    private AccountLock pending(String value) {
        AccountLock lock = vault.accounts().tryLock("db-app", Duration.ofMinutes(1)).orElseThrow();
        credentials.writePending(lock, "rot-2", secret(value), AuditRecord.of("test", "PENDING_WRITTEN", "db-app", "t1", "rot-2", "PENDING", null));
        return lock;
    }

    @Test
    void theCommitUpdatesTheLinkedVaultAccountInTheSameTransaction() {
        assertThat(read(vault, "v-db-app", Slot.CURRENT)).isEqualTo("Old-Passw0rd!1");

        credentials.commitPending(pending("New-Passw0rd!2"), AuditRecord.of("test", "ROTATE", "db-app", "t1", "rot-2", "SUCCEEDED", null), true);

        assertThat(read(vault, "db-app", Slot.CURRENT)).isEqualTo("New-Passw0rd!2");
        assertThat(read(vault, "v-db-app", Slot.CURRENT)).isEqualTo("New-Passw0rd!2");
        assertThat(read(vault, "v-db-app", Slot.PREVIOUS)).isEqualTo("Old-Passw0rd!1");
        assertThat(vault.credentials().has("v-other", Slot.CURRENT)).as("not linked through a link attribute").isFalse();
        assertThat(vault.audit().trail("v-db-app", 10)).extracting(AuditRecord::operation).contains("LINKED_UPDATE");
        assertThat(credentials.syncMirrors("db-app", "test")).as("nothing left to repair").isZero();
    }

    @Test
    void whenTheLinkedUpdateFailsTheBackingCommitIsRolledBackToo() throws Exception {
        AccountLock lock = pending("New-Passw0rd!2");
        // the mirror's row cannot be decrypted any more: its update fails inside the commit's transaction
        try (Connection c = vault.dataSource().getConnection()) {
            c.createStatement().executeUpdate("UPDATE credentials SET version = version + 100 WHERE account_id = 'v-db-app'");
        }

        assertThatThrownBy(() -> credentials.commitPending(lock, AuditRecord.of("test", "ROTATE", "db-app", "t1", "rot-2",
                "SUCCEEDED", null), true)).isInstanceOf(RuntimeException.class);

        assertThat(read(vault, "db-app", Slot.CURRENT)).as("nothing committed").isEqualTo("Old-Passw0rd!1");
        assertThat(read(vault, "db-app", Slot.PENDING)).isEqualTo("New-Passw0rd!2");
        assertThat(vault.accounts().findAccount("db-app").orElseThrow().status()).isEqualTo(AccountStatus.PENDING);
    }

    @Test
    void aStaleWorkersCommitMovesNeitherAccount() {
        AccountLock stalled = pending("New-Passw0rd!2");
        AccountLock stolen = new AccountLock("db-app", "someone-else", stalled.owner());

        assertThatThrownBy(() -> credentials.commitPending(stolen, AuditRecord.of("test", "ROTATE", "db-app", "t1", "rot-2",
                "SUCCEEDED", null))).isInstanceOf(StaleLockException.class);

        assertThat(read(vault, "db-app", Slot.CURRENT)).isEqualTo("Old-Passw0rd!1");
        assertThat(read(vault, "v-db-app", Slot.CURRENT)).isEqualTo("Old-Passw0rd!1");
    }
}
