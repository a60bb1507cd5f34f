package io.rotor.cli;

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
import io.rotor.vault.Vault;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code rotor drift [--repair]} and {@code rotor accounts enable} against a real vault in a scratch directory. */
class DriftCommandTest {
    private static final String BACKING = "Backing-Secret-1";
    private static final String STALE = "Stale-Copy-1";

    @TempDir
    Path dataDir;

    private record Run(int exitCode, String out, String err) {
    }

    private Run rotor(String... args) {
        PrintStream originalOut = System.out;
        PrintStream originalErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            String[] withDir = java.util.stream.Stream.concat(java.util.Arrays.stream(args),
                    java.util.stream.Stream.of("--data-dir", dataDir.toString())).toArray(String[]::new);
            return new Run(RotorCommand.execute(withDir), out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(originalOut);
            System.setErr(originalErr);
        }
    }

    private Vault vault() {
        return Vault.open(null, null, null, dataDir, MasterKey.load(null, dataDir.resolve("master.key")), 2);
    }

    private static void store(Vault vault, String accountId, String value, AccountStatus status) {
        AccountLock lock = vault.accounts().tryLock(accountId, Duration.ofMinutes(1)).orElseThrow();
        try {
            vault.credentials().setCurrent(lock, "r-" + accountId, Secret.fromUtf8(value.getBytes(StandardCharsets.UTF_8)),
                    status, AuditRecord.of("test", "SET_VAULT_ONLY", accountId, null, null, "SUCCEEDED", "test"));
        } finally {
            vault.accounts().unlock(lock);
        }
    }

    @BeforeEach
    void driftedVault() {
        try (Vault vault = vault()) {
            vault.targets().upsertTarget(new Target("dir", "ldap", "127.0.0.1", 1, null, TlsMode.DISABLE, null, null, Map.of()));
            vault.templates().ensureVaultTarget("test", "vault");
            vault.accounts().upsertAccount("app", "dir", "app", CredentialType.PASSWORD, null);
            vault.accounts().upsertAccount("ops", "dir", "ops", CredentialType.PASSWORD, null);
            vault.accounts().upsertAccount("fine", "dir", "fine", CredentialType.PASSWORD, null);
            vault.accounts().upsertAccount("v-app", "vault", "app", CredentialType.PASSWORD, null);
            store(vault, "app", BACKING, AccountStatus.OUT_OF_SYNC);
            store(vault, "fine", BACKING, AccountStatus.IN_SYNC);
            store(vault, "v-app", STALE, AccountStatus.UNVERIFIED);
            vault.attributes().setAttribute("test", "v-app", "backing_account", List.of("app"));
            for (int i = 0; i < 5; i++) {
                vault.accounts().recordOutcome("ops", true, 5, Duration.ofHours(1), "rotate REJECTED: policy", "test");
            }
        }
    }

    @Test
    void theReportNamesEveryDriftPerTargetAndNoSecret() {
        Run run = rotor("drift");

        assertThat(run.exitCode()).as(run.err()).isEqualTo(ExitCodes.PARTIAL);
        assertThat(run.out()).contains("target dir: 3 account(s), 3 drift(s)")
                .contains("CURRENT_REJECTED  app (OUT_OF_SYNC)")
                .contains("DISABLED  ops (DISABLED): 5 consecutive failed operation(s)")
                .contains("LINK_DIFFERS  vault account v-app on vault (backing_account = app)")
                .doesNotContain("fine (").doesNotContain(BACKING).doesNotContain(STALE);
    }

    @Test
    void repairCopiesTheBackingCurrentIntoTheVaultAccountAndIsAudited() {
        Run run = rotor("drift", "--target", "dir", "--repair");

        assertThat(run.exitCode()).as("the account drift is left for a person").isEqualTo(ExitCodes.PARTIAL);
        assertThat(run.out()).contains("repaired 1 linked vault account(s); 0 still differ").doesNotContain("LINK_DIFFERS")
                .doesNotContain(BACKING);
        try (Vault vault = vault(); StoredCredential copy = vault.credentials().read("v-app", Slot.CURRENT).orElseThrow()) {
            assertThat(copy.secret().reveal()).isEqualTo(BACKING);
            assertThat(vault.audit().trail(null, 100)).extracting(AuditRecord::operation).contains("DRIFT_REPAIR");
        }
    }

    @Test
    void enableEndsDisabledOnceAndIsAudited() {
        Run enabled = rotor("accounts", "enable", "ops");
        Run again = rotor("accounts", "enable", "ops");

        assertThat(enabled.exitCode()).as(enabled.err()).isEqualTo(ExitCodes.SUCCESS);
        assertThat(enabled.out()).contains("ops: enabled for automatic work (status UNVERIFIED");
        assertThat(again.exitCode()).isEqualTo(ExitCodes.FAILURE);
        assertThat(again.err()).contains("is not DISABLED");
        try (Vault vault = vault()) {
            assertThat(vault.accounts().automaticState("ops").orElseThrow().disabled()).isFalse();
            assertThat(vault.audit().trail("ops", 20)).anySatisfy(a -> {
                assertThat(a.operation()).isEqualTo("ENABLE");
                assertThat(a.actor()).startsWith("cli:");
            });
        }
        assertThat(rotor("drift").out()).doesNotContain("DISABLED  ops");
    }

    @Test
    void aVaultViewOrAnUnknownTargetIsRefusedWithTheReason() {
        Run view = rotor("drift", "--target", "vault");
        Run unknown = rotor("drift", "--target", "ghost");

        assertThat(view.exitCode()).isNotZero();
        assertThat(view.err()).contains("vault view");
        assertThat(unknown.exitCode()).isNotZero();
        assertThat(unknown.err()).contains("unknown target id 'ghost'");
    }
}
