package io.rotor.workflow;

import io.rotor.connector.ConnectorRegistry;
import io.rotor.connector.ldap.LdapConnectorFactory;
import io.rotor.domain.CredentialType;
import io.rotor.domain.PasswordGenerator;
import io.rotor.domain.Secret;
import io.rotor.domain.Target;
import io.rotor.domain.TlsMode;
import io.rotor.vault.AuditRecord;
import io.rotor.vault.MasterKey;
import io.rotor.vault.Vault;
import io.rotor.vault.VaultException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The attack of the row-MAC item: someone who reaches the vault database repoints a target's host at a machine
 * of theirs, so that the next heartbeat would log in there with the account's password. The edited row fails its
 * MAC: the call is refused with an error naming the target, audited, and no connection reaches the forged host.
 */
class RowMacTargetAttackTest {
    @TempDir
    Path dataDir;

    private Vault vault;
    private ConnectorRegistry registry;
    private RotationService rotation;
    private ServerSocket forgedHost;

    @BeforeEach
    void open() throws Exception {
        vault = Vault.open(null, null, null, dataDir, MasterKey.load(null, dataDir.resolve("master.key")), 2);
        registry = new ConnectorRegistry();
        registry.register(new LdapConnectorFactory());
        rotation = new RotationService(vault, registry, new PasswordGenerator(), new RotorMetrics(), Duration.ofMinutes(5), 3);
        forgedHost = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
        forgedHost.setSoTimeout(1500);
    }

    @AfterEach
    void close() throws Exception {
        forgedHost.close();
        registry.close();
        vault.close();
    }

    private void account(String id, String host) {
        vault.targets().upsertTarget(new Target(id, "ldap", host, forgedHost.getLocalPort(), null, TlsMode.DISABLE, null,
                null, Map.of("connectTimeoutSeconds", "2", "responseTimeoutSeconds", "1")));
        vault.accounts().upsertAccount(id + "-acct", id, "cn=svc,dc=example", CredentialType.PASSWORD, null);
        rotation.set(id + "-acct", Secret.fromUtf8("Current-pw-123".getBytes(StandardCharsets.UTF_8)), true, "test");
    }

    private String verify(String accountId) {
        try {
            OperationResult result = rotation.verify(accountId, "test");
            return result.outcome() + ": " + result.detail();
        } catch (VaultException e) {
            return e.getMessage();
        }
    }

    /** True when something connected to the forged host within its accept timeout. */
    private boolean accepted() throws Exception {
        try (Socket ignored = forgedHost.accept()) {
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        }
    }

    @Test
    void aTargetWhoseHostWasRepointedInTheDatabaseIsRefusedAndNothingConnectsThere() throws Exception {
        // control: a target Rotor wrote itself, pointing at the socket, does reach it
        account("control", "127.0.0.1");
        Thread probe = new Thread(() -> verify("control-acct"));
        probe.start();
        assertThat(accepted()).as("the socket sees a genuine target's connection").isTrue();
        probe.join(10_000);

        // the victim target points at an unroutable test address; the attacker repoints it at their own machine
        account("victim", "192.0.2.1");
        try (Connection c = vault.dataSource().getConnection();
             PreparedStatement s = c.prepareStatement("UPDATE targets SET host = ? WHERE id = ?")) {
            s.setString(1, "127.0.0.1");
            s.setString(2, "victim");
            assertThat(s.executeUpdate()).isEqualTo(1);
        }

        String refused = verify("victim-acct");

        assertThat(refused).contains("target victim's stored settings fail their integrity check; re-apply it from the"
                + " inventory or the API");
        assertThat(accepted()).as("no connection reaches the forged host").isFalse();
        assertThatThrownBy(() -> vault.targets().findTarget("victim")).hasMessageContaining("integrity check");
        assertThat(vault.targets().listTargets()).extracting(Target::id).contains("control").doesNotContain("victim");
        assertThat(vault.audit().trail(null, 1000)).filteredOn(a -> a.operation().equals("ROW_MAC_MISMATCH"))
                .isNotEmpty().allSatisfy(a -> {
                    assertThat(a.targetId()).isEqualTo("victim");
                    assertThat(a.outcome()).isEqualTo("REFUSED");
                });

        // re-applied by Rotor (inventory or API): sealed again, usable again
        vault.targets().upsertTarget(new Target("victim", "ldap", "192.0.2.1", forgedHost.getLocalPort(), null,
                TlsMode.DISABLE, null, null, Map.of()));
        assertThat(vault.targets().findTarget("victim")).get().extracting(Target::host).isEqualTo("192.0.2.1");
    }

    @Test
    void settingsAdminReferenceAndTlsEditsAreRefusedToo() throws Exception {
        account("edited", "192.0.2.1");
        for (String edit : new String[]{
                "UPDATE targets SET settings_json = '{\"trustStore\":\"/tmp/attacker.pem\"}' WHERE id = 'edited'",
                "UPDATE targets SET tls_mode = 'DISABLE', port = port + 1 WHERE id = 'edited'",
                "UPDATE targets SET admin_account_id = 'edited-acct' WHERE id = 'edited'",
                "UPDATE targets SET row_mac = NULL WHERE id = 'edited'"}) {
            vault.targets().upsertTarget(new Target("edited", "ldap", "192.0.2.1", forgedHost.getLocalPort(), null,
                    TlsMode.VERIFY_FULL, null, null, Map.of()));
            assertThat(vault.targets().findTarget("edited")).isPresent();
            try (Connection c = vault.dataSource().getConnection(); var s = c.createStatement()) {
                assertThat(s.executeUpdate(edit)).as(edit).isEqualTo(1);
            }
            assertThatThrownBy(() -> vault.targets().findTarget("edited")).as(edit)
                    .hasMessageContaining("target edited's stored settings fail their integrity check");
        }
        // a row copied whole under another id carries the wrong MAC (the id is part of it)
        try (Connection c = vault.dataSource().getConnection(); var s = c.createStatement()) {
            s.executeUpdate("INSERT INTO targets (id, type, host, port, database_name, tls_mode, admin_account_id,"
                    + " policy_id, settings_json, row_mac) SELECT 'copy', type, host, port, database_name, tls_mode,"
                    + " admin_account_id, policy_id, settings_json, row_mac FROM targets WHERE id = 'edited'");
        }
        vault.targets().upsertTarget(new Target("edited", "ldap", "192.0.2.1", forgedHost.getLocalPort(), null,
                TlsMode.VERIFY_FULL, null, null, Map.of()));
        assertThat(vault.targets().findTarget("edited")).isPresent();
        assertThatThrownBy(() -> vault.targets().findTarget("copy")).hasMessageContaining("integrity check");
        assertThat(vault.audit().trail(null, 1000)).extracting(AuditRecord::operation).contains("ROW_MAC_MISMATCH");
    }
}
