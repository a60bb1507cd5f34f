package io.rotor.vault;

import io.rotor.domain.CredentialType;
import io.rotor.domain.Slot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.rotor.vault.RepositoryScenarios.read;
import static io.rotor.vault.RepositoryScenarios.seed;
import static org.assertj.core.api.Assertions.assertThat;

/** Accounts on an H2 vault: declaration, checkout, deletion refusals, and the recovery and schedule lists. */
class AccountRepositoryTest {
    private static final String KNOWN = "Kn0wn-Secret-Value-'\"\\;$` end";

    @TempDir
    Path dataDir;

    private Vault vault;

    @BeforeEach
    void openVault() {
        vault = Vault.open(null, null, null, dataDir, MasterKey.load(null, dataDir.resolve("master.key")), 2);
    }

    @AfterEach
    void closeVault() {
        vault.close();
    }

    @Test
    void loadingTheSameAccountTwiceKeepsItsStateAndCredentials() {
        seed(vault, "acct", KNOWN);
        boolean created = vault.accounts().upsertAccount("acct", "t1", "acct", CredentialType.PASSWORD, null);

        assertThat(created).isFalse();
        assertThat(read(vault, "acct", Slot.CURRENT)).isEqualTo(KNOWN);
        assertThat(vault.accounts().findAccount("acct").orElseThrow().version()).isEqualTo(1);
    }

    @Test
    void checkoutIsExclusiveAndDeletionIsRefusedWhileTheAccountIsInUse() {
        RepositoryScenarios.checkoutAndDeletion(vault);
    }

    @Test
    void recoveryReconcileAndSchedulesSeeTheRightAccounts() {
        RepositoryScenarios.listsForRecoveryAndSchedules(vault);
    }
}
