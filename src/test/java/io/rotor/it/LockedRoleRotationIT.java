package io.rotor.it;

import io.rotor.connector.ConnectorRegistry;
import io.rotor.connector.jdbc.PostgresConnectorFactory;
import io.rotor.domain.AccountStatus;
import io.rotor.domain.CredentialType;
import io.rotor.domain.PasswordGenerator;
import io.rotor.domain.Secret;
import io.rotor.domain.Slot;
import io.rotor.domain.Target;
import io.rotor.domain.TlsMode;
import io.rotor.vault.MasterKey;
import io.rotor.vault.StoredCredential;
import io.rotor.vault.Vault;
import io.rotor.workflow.OperationResult;
import io.rotor.workflow.OperationResult.Outcome;
import io.rotor.workflow.RotationService;
import io.rotor.workflow.RotorMetrics;
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
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The reproduction of an unknown outcome (docs/architecture.md, "Unknown outcomes"): in psql,
 * {@code BEGIN; ALTER ROLE app VALID UNTIL 'infinity';} holds the role while Rotor rotates it, and the transaction is
 * rolled back only after Rotor has given up. With the change bounded on the server ({@code lock_timeout}) the queued
 * ALTER ROLE cannot land late: it fails on the server, the account keeps a working CURRENT and ends IN_SYNC instead of
 * OUT_OF_SYNC with no stored version working.
 */
class LockedRoleRotationIT {
    private static final String ROLE = "rotor_it_pc_locked";
    private static final String INITIAL = "Init-Locked-Passw0rd-1";

    @TempDir
    Path dataDir;

    private RealTargets targets;
    private Vault vault;
    private ConnectorRegistry registry;
    private RotationService rotation;

    @BeforeEach
    void setUp() throws Exception {
        targets = RealTargets.load();
        targets.pgCreateRole(ROLE, INITIAL.toCharArray());
        vault = Vault.open(null, null, null, dataDir, MasterKey.load(null, dataDir.resolve("master.key")), 4);
        registry = new ConnectorRegistry();
        rotation = new RotationService(vault, registry, new PasswordGenerator(), new RotorMetrics(), Duration.ofMinutes(5), 2);
        vault.targets().upsertTarget(new Target("pg-locked", "postgresql", targets.pgHost(), targets.pgPort(), targets.pgDatabase(),
                TlsMode.DISABLE, null, null, Map.of("socketTimeoutSeconds", "10", "statementTimeoutSeconds", "2")));
        vault.accounts().upsertAccount("locked", "pg-locked", ROLE, CredentialType.PASSWORD, null);
        rotation.set("locked", Secret.fromUtf8(INITIAL.getBytes(StandardCharsets.UTF_8)), true, "test");
        assertThat(rotation.verify("locked", "test").outcome()).isEqualTo(Outcome.SUCCEEDED);
    }

    @AfterEach
    void tearDown() throws Exception {
        registry.close();
        vault.close();
        targets.pgDropRole(ROLE);
    }

    private String stored(Slot slot) {
        return vault.credentials().read("locked", slot).map(c -> {
            try (StoredCredential credential = c) {
                return credential.secret().reveal();
            }
        }).orElse(null);
    }

    @Test
    void aRotationQueuedBehindALockedRoleNeverLandsAfterRotorGaveUp() throws Exception {
        OperationResult result;
        try (Connection psql = targets.pgAdminConnection(); Statement s = psql.createStatement()) {
            psql.setAutoCommit(false);
            s.execute("ALTER ROLE " + ROLE + " VALID UNTIL 'infinity'"); // holds the role's row until ROLLBACK

            result = rotation.rotate("locked", "test");

            assertThat(result.outcome()).as(result.detail()).isEqualTo(Outcome.REJECTED);
            assertThat(vault.credentials().has("locked", Slot.PENDING)).as("nothing left in doubt while the lock is still held").isFalse();
            psql.rollback(); // after Rotor's timeout: a queued ALTER ROLE would land now
        }
        Thread.sleep(500); // give a (wrongly) queued statement the moment it would need to land

        assertThat(result.outcome()).isEqualTo(Outcome.REJECTED);
        // lock_not_available or query_canceled: the server stopped the change, so nothing changed
        assertThat(result.detail()).containsAnyOf("55P03", "57014");
        assertThat(stored(Slot.CURRENT)).isEqualTo(INITIAL);
        assertThat(targets.pgLogin(ROLE, INITIAL.toCharArray())).as("CURRENT still opens the role").isTrue();
        assertThat(vault.accounts().findAccount("locked").orElseThrow().status()).isEqualTo(AccountStatus.IN_SYNC);
        assertThat(rotation.verify("locked", "test").outcome()).isEqualTo(Outcome.SUCCEEDED);

        OperationResult again = rotation.rotate("locked", "test");
        assertThat(again.outcome()).isEqualTo(Outcome.SUCCEEDED);
        assertThat(targets.pgLogin(ROLE, stored(Slot.CURRENT).toCharArray())).isTrue();
        assertThat(targets.pgLogin(ROLE, INITIAL.toCharArray())).isFalse();
    }

    @Test
    void aServerBoundThatDoesNotEndBeforeRotorStopsWaitingIsRefused() {
        Target unbounded = new Target("pg-unbounded", "postgresql", targets.pgHost(), targets.pgPort(), targets.pgDatabase(),
                TlsMode.DISABLE, null, null, Map.of("socketTimeoutSeconds", "5", "statementTimeoutSeconds", "5"));

        assertThatThrownBy(() -> new PostgresConnectorFactory().create(unbounded))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("statementTimeoutSeconds (5) must be less than socketTimeoutSeconds (5)");
    }
}
