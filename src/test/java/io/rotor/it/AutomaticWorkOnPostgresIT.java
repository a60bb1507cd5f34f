package io.rotor.it;

import io.rotor.domain.AccountStatus;
import io.rotor.domain.CredentialType;
import io.rotor.domain.Target;
import io.rotor.domain.TlsMode;
import io.rotor.vault.AccountRepository;
import io.rotor.vault.AccountRepository.AutomaticState;
import io.rotor.vault.AuditRecord;
import io.rotor.vault.MasterKey;
import io.rotor.vault.RepositoryScenarios;
import io.rotor.vault.Vault;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Migration V8 (disable after N failures) and the automatic-work queries on a PostgreSQL vault: the run of failures,
 * DISABLED with its reason, enable, the heartbeat list and the vault links behave as on H2.
 */
class AutomaticWorkOnPostgresIT {
    private static final String DATABASE = "rotor_it_aw_vault";

    @TempDir
    Path dataDir;

    private RealTargets targets;
    private Vault vault;

    @BeforeEach
    void open() throws Exception {
        targets = RealTargets.load();
        try (Connection c = targets.pgAdminConnection(); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + DATABASE + " WITH (FORCE)");
            s.execute("CREATE DATABASE " + DATABASE);
        }
        String url = "jdbc:postgresql://" + targets.pgHost() + ":" + targets.pgPort() + "/" + DATABASE + "?sslmode=disable";
        vault = Vault.open(url, targets.pgAdminUser(), new String(targets.pgAdminPassword()), dataDir,
                MasterKey.load(null, dataDir.resolve("master.key")), 4);
    }

    @AfterEach
    void close() throws Exception {
        if (vault != null) {
            vault.close();
        }
        try (Connection c = targets.pgAdminConnection(); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + DATABASE + " WITH (FORCE)");
        }
    }

    @Test
    void aRunOfFailuresDisablesAndOnlyEnableEndsIt() {
        AccountRepository accounts = vault.accounts();
        vault.targets().upsertTarget(new Target("t", "postgresql", "h", 1, null, TlsMode.DISABLE, null, null, Map.of()));
        accounts.upsertAccount("a", "t", "a", CredentialType.PASSWORD, null);

        accounts.recordOutcome("a", true, 3, Duration.ofHours(1), "verify OUT_OF_SYNC", "heartbeat");
        accounts.recordOutcome("a", false, 3, Duration.ofHours(1), "ok", "heartbeat");
        assertThat(accounts.automaticState("a").orElseThrow().failedOperations()).isZero();
        AutomaticState state = null;
        for (int i = 0; i < 3; i++) {
            state = accounts.recordOutcome("a", true, 3, Duration.ofHours(1), "rotate REJECTED: policy", "schedule");
        }

        assertThat(state.disabled()).isTrue();
        assertThat(state.disabledReason()).startsWith("3 consecutive failed operation(s)");
        assertThat(accounts.findAccount("a").orElseThrow().status()).isEqualTo(AccountStatus.DISABLED);
        assertThat(accounts.accountsOnRealTargets()).doesNotContain("a");
        assertThat(vault.audit().trail("a", 10)).extracting(AuditRecord::operation).contains("DISABLE");

        assertThat(accounts.enable("a", AuditRecord.of("cli:root", "ENABLE", "a", "t", null, "SUCCEEDED", "test"))).isTrue();
        assertThat(accounts.findAccount("a").orElseThrow().status()).isEqualTo(AccountStatus.UNVERIFIED);
        assertThat(accounts.automaticState("a").orElseThrow().disabled()).isFalse();
        assertThat(accounts.accountsOnRealTargets()).contains("a");
    }

    @Test
    void vaultLinksNameRealBackingAccountsOnly() {
        vault.targets().upsertTarget(new Target("t", "postgresql", "h", 1, null, TlsMode.DISABLE, null, null, Map.of()));
        vault.templates().ensureVaultTarget("test", "vault");
        vault.accounts().upsertAccount("b", "t", "b", CredentialType.PASSWORD, null);
        vault.accounts().upsertAccount("v-b", "vault", "b", CredentialType.PASSWORD, null);
        vault.attributes().setAttribute("test", "v-b", "backing_account", List.of("b"));
        vault.attributes().setAttribute("test", "v-b", "note", List.of("not-an-account"));

        assertThat(vault.accounts().vaultLinks("t")).containsExactly(
                new AccountRepository.VaultLink("v-b", "vault", "backing_account", "b", "t"));
        assertThat(vault.accounts().vaultLinks(null)).hasSize(1);
    }

    @Test
    void theSharedRepositoryScenarioForSchedulesStillHolds() {
        RepositoryScenarios.listsForRecoveryAndSchedules(vault);
    }
}
