package io.rotor.workflow;

import io.rotor.connector.ConnectorRegistry;
import io.rotor.domain.CredentialType;
import io.rotor.domain.PasswordGenerator;
import io.rotor.domain.PasswordPolicy;
import io.rotor.domain.Secret;
import io.rotor.domain.Target;
import io.rotor.domain.TlsMode;
import io.rotor.vault.MasterKey;
import io.rotor.vault.Vault;
import io.rotor.workflow.OperationResult.Outcome;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The target settings that name the accounts an admin change elevates with ({@code loginAccount},
 * {@code enableSecretAccount}) reach the connector with their stored credentials, and a target whose connector
 * has its own default policy (a network device) gets it.
 */
class ElevationSettingsTest {
    @TempDir
    Path dataDir;

    private Vault vault;
    private FakeTarget target;
    private RotationService rotation;

    @BeforeEach
    void open() {
        vault = Vault.open(null, null, null, dataDir, MasterKey.load(null, dataDir.resolve("master.key")), 4);
        target = new FakeTarget();
        ConnectorRegistry registry = new ConnectorRegistry();
        registry.attach(io.rotor.connector.ConnectorContext.NONE);
        registry.register(target);
        rotation = new RotationService(vault, registry, new PasswordGenerator(), new RotorMetrics(), Duration.ofMinutes(5), 3);
    }

    @AfterEach
    void close() throws Exception {
        vault.close();
    }

    private void account(String id, String password) {
        vault.accounts().upsertAccount(id, "t1", id, CredentialType.PASSWORD, null);
        target.passwords.put(id, password);
        rotation.set(id, Secret.fromUtf8(password.getBytes(StandardCharsets.UTF_8)), true, "test");
    }

    private void target(Map<String, String> settings) {
        vault.targets().upsertTarget(new Target("t1", "fake", "localhost", 1, null, TlsMode.DISABLE, "root", null, settings));
    }

    @Test
    void theLoginAccountAndTheEnableSecretReachTheConnector() {
        target(Map.of("adminMethod", "su", "loginAccount", "ops", "enableSecretAccount", "enable"));
        account("root", "R00t-pw");
        account("ops", "0ps-pw");
        account("enable", "En4ble-pw");
        account("bob", "B0b-pw");

        assertThat(rotation.rotate("bob", "test").outcome()).isEqualTo(Outcome.SUCCEEDED);
        var elevation = target.lastChange.elevation();
        assertThat(elevation.loginAccount().username()).isEqualTo("ops");
        assertThat(elevation.loginAccount().secret().reveal()).isEqualTo("0ps-pw");
        assertThat(elevation.enableSecret().reveal()).isEqualTo("En4ble-pw");
        assertThat(target.lastChange.admin().username()).isEqualTo("root");

        assertThat(rotation.reconcile("bob", "test").outcome()).isEqualTo(Outcome.RECONCILED);
        assertThat(target.lastReconcile.elevation().loginAccount().username()).isEqualTo("ops");
        assertThat(target.lastReconcile.elevation().enableSecret().reveal()).isEqualTo("En4ble-pw");
    }

    @Test
    void aSettingThatNamesNoStoredAccountFailsBeforeAnythingIsSent() {
        target(Map.of("loginAccount", "ghost"));
        account("root", "R00t-pw");
        account("bob", "B0b-pw");

        OperationResult r = rotation.rotate("bob", "test");
        assertThat(r.outcome()).isEqualTo(Outcome.FAILED);
        assertThat(r.detail()).contains("setting loginAccount names account 'ghost'").contains("nothing was sent");
        assertThat(target.lastChange).isNull();
        assertThat(target.passwords.get("bob")).isEqualTo("B0b-pw");
    }

    @Test
    void withoutTheSettingsTheElevationIsEmpty() {
        target(Map.of());
        account("root", "R00t-pw");
        account("bob", "B0b-pw");
        assertThat(rotation.rotate("bob", "test").outcome()).isEqualTo(Outcome.SUCCEEDED);
        assertThat(target.lastChange.elevation().loginAccount()).isNull();
        assertThat(target.lastChange.elevation().enableSecret()).isNull();
    }

    @Test
    void aDeviceTargetWithoutAPolicyGetsTheConnectorsDefault() {
        target(Map.of());
        target.defaultPolicy = PasswordPolicy.deviceSafe();
        account("root", "R00t-pw");
        account("bob", "B0b-pw");
        for (int i = 0; i < 30; i++) {
            assertThat(rotation.rotate("bob", "test").outcome()).isEqualTo(Outcome.SUCCEEDED);
            assertThat(target.passwords.get("bob")).doesNotContain("?").doesNotContain(" ");
        }
    }
}
