package io.rotor.it;

import io.rotor.vault.MasterKey;
import io.rotor.vault.RepositoryScenarios;
import io.rotor.vault.Vault;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;

/**
 * The vault repositories' contract ({@link RepositoryScenarios}, also run on H2 by the repository tests) on a
 * PostgreSQL vault: compare-and-set on lock tokens, row locks, rollbacks and the audit trail behave the same.
 */
class RepositoriesOnPostgresIT {
    private static final String DATABASE = "rotor_repositories_it";
    private static RealTargets targets;

    @TempDir
    Path dataDir;

    private Vault vault;

    @BeforeAll
    static void loadTargets() {
        targets = RealTargets.load();
    }

    @AfterAll
    static void dropDatabase() throws Exception {
        try (Connection c = targets.pgAdminConnection(); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + DATABASE + " WITH (FORCE)");
        }
    }

    /** A fresh scratch database per test: each test has its own master key (in its own data directory). */
    @BeforeEach
    void open() throws Exception {
        try (Connection c = targets.pgAdminConnection(); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + DATABASE + " WITH (FORCE)");
            s.execute("CREATE DATABASE " + DATABASE);
        }
        String url = "jdbc:postgresql://" + targets.pgHost() + ":" + targets.pgPort() + "/" + DATABASE + "?sslmode=disable";
        vault = Vault.open(url, targets.pgAdminUser(), new String(targets.pgAdminPassword()), dataDir,
                MasterKey.load(null, dataDir.resolve("master.key")), 4);
    }

    @AfterEach
    void close() {
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
    void rowsEditedInTheDatabaseAreRefused() {
        RepositoryScenarios.tamperedRowsAreRefused(vault);
    }

    @Test
    void checkoutIsExclusiveAndDeletionIsRefusedWhileTheAccountIsInUse() {
        RepositoryScenarios.checkoutAndDeletion(vault);
    }

    @Test
    void recoveryReconcileAndSchedulesSeeTheRightAccounts() {
        RepositoryScenarios.listsForRecoveryAndSchedules(vault);
    }

    @Test
    void targetsAndPoliciesRoundTripAndAreNotDeletedWhileInUse() {
        RepositoryScenarios.targetsAndPolicies(vault);
    }
}
