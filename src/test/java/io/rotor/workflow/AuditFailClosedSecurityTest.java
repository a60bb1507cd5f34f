package io.rotor.workflow;

import io.rotor.connector.ConnectorRegistry;
import io.rotor.domain.CredentialType;
import io.rotor.domain.PasswordGenerator;
import io.rotor.domain.Secret;
import io.rotor.domain.Slot;
import io.rotor.domain.Target;
import io.rotor.domain.TlsMode;
import io.rotor.vault.MasterKey;
import io.rotor.vault.StoredCredential;
import io.rotor.vault.Vault;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Audit is fail-closed: when the audit trail cannot be written (here its table is gone), a rotation and a set
 * through {@link RotationService} are refused, the target is never touched and the vault does not change.
 */
class AuditFailClosedSecurityTest {
    private static final String INITIAL = "initial-Passw0rd!";

    @TempDir
    Path dataDir;

    private Vault vault;
    private FakeTarget target;
    private RotationService rotation;

    @BeforeEach
    void openVault() {
        vault = Vault.open(null, null, null, dataDir, MasterKey.load(null, dataDir.resolve("master.key")), 4);
        target = new FakeTarget();
        ConnectorRegistry registry = new ConnectorRegistry();
        registry.register(target);
        rotation = new RotationService(vault, registry, new PasswordGenerator(), new RotorMetrics(), Duration.ofMinutes(5), 3);
        vault.targets().upsertTarget(new Target("t1", "fake", "localhost", 1, null, TlsMode.DISABLE, null, null, Map.of()));
        vault.accounts().upsertAccount("alice", "t1", "alice", CredentialType.PASSWORD, null);
        target.passwords.put("alice", INITIAL);
        rotation.set("alice", Secret.fromUtf8(INITIAL.getBytes(StandardCharsets.UTF_8)), true, "test");
    }

    @AfterEach
    void close() throws Exception {
        vault.close();
    }

    private void sql(String statement) throws Exception {
        try (Connection c = vault.dataSource().getConnection(); Statement s = c.createStatement()) {
            s.execute(statement);
        }
    }

    /** Account status and every slot's version and value: what a refused operation must leave as it was. */
    private String vaultState() {
        StringBuilder s = new StringBuilder(vault.accounts().findAccount("alice").orElseThrow().status().toString());
        for (Slot slot : Slot.values()) {
            vault.credentials().read("alice", slot).ifPresent(c -> {
                try (StoredCredential credential = c) {
                    s.append(' ').append(slot).append('=').append(credential.version()).append(':')
                            .append(credential.secret().reveal());
                }
            });
        }
        return s.toString();
    }

    private static OperationResult.Outcome attempt(java.util.function.Supplier<OperationResult> operation) {
        try {
            return operation.get().outcome();
        } catch (RuntimeException refused) {
            return null;
        }
    }

    @Test
    void whenTheAuditTrailCannotBeWrittenRotationAndSetAreRefusedAndNothingChanges() throws Exception {
        String vaultBefore = vaultState();
        int auditBefore = vault.audit().trail(null, 10_000).size();
        sql("ALTER TABLE audit_log RENAME TO audit_log_unavailable");

        OperationResult.Outcome rotated = attempt(() -> rotation.rotate("alice", "attacker"));
        OperationResult.Outcome set = attempt(() -> rotation.set("alice",
                Secret.fromUtf8("chosen-Passw0rd!".getBytes(StandardCharsets.UTF_8)), false, "attacker"));

        assertThat(rotated).as("rotation without an audit trail").isNotIn(OperationResult.Outcome.SUCCEEDED);
        assertThat(set).as("set without an audit trail").isNotIn(OperationResult.Outcome.SUCCEEDED);
        assertThat(target.lastChange).as("the target was never asked to change").isNull();
        assertThat(target.passwords).containsExactly(Map.entry("alice", INITIAL));
        assertThat(vaultState()).isEqualTo(vaultBefore);

        sql("ALTER TABLE audit_log_unavailable RENAME TO audit_log");
        assertThat(vault.audit().trail(null, 10_000)).hasSize(auditBefore);
        // and with the audit trail back, the same rotation goes through: the refusal was the audit's doing
        assertThat(rotation.rotate("alice", "test").outcome()).isEqualTo(OperationResult.Outcome.SUCCEEDED);
        assertThat(target.passwords.get("alice")).isNotEqualTo(INITIAL);
    }
}
