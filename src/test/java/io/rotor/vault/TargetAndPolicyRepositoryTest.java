package io.rotor.vault;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/** Targets and policies on an H2 vault. */
class TargetAndPolicyRepositoryTest {
    @TempDir
    Path dataDir;

    @Test
    void targetsAndPoliciesRoundTripAndAreNotDeletedWhileInUse() {
        try (Vault vault = Vault.open(null, null, null, dataDir, MasterKey.load(null, dataDir.resolve("master.key")), 2)) {
            RepositoryScenarios.targetsAndPolicies(vault);
        }
    }

    @Test
    void rowsEditedInTheDatabaseAreRefused() {
        try (Vault vault = Vault.open(null, null, null, dataDir, MasterKey.load(null, dataDir.resolve("master.key")), 2)) {
            RepositoryScenarios.tamperedRowsAreRefused(vault);
        }
    }
}
