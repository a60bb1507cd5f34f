package io.rotor.connector.ssh;

import io.rotor.connector.ChangeRequest;
import io.rotor.connector.ChangeResult;
import io.rotor.connector.Login;
import io.rotor.connector.ReconcileRequest;
import io.rotor.domain.Secret;
import io.rotor.domain.Target;
import io.rotor.domain.TlsMode;
import io.rotor.it.RealTargets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.util.HexFormat;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * SSH-key accounts on a target with an admin account, on the real sshd. Reconcile (and recovery's reconcile
 * fallback) used to feed the private key to chpasswd as a password: now the admin installs the public key with
 * {@code sudo -u <account>}, the account's password is untouched, and a symlink the account plants cannot make the
 * write land outside its home. A key rotation with CURRENT known works on a target with an admin.
 */
class SshKeyReconcileSecurityIT {
    static RealTargets.Ssh ssh;
    static SshLogins logins;
    String user;
    char[] password;
    String keysBefore;

    @BeforeAll
    static void start() {
        ssh = RealTargets.load().ssh();
        logins = new SshLogins(ssh.host(), ssh.port(), ssh.knownHosts());
    }

    @AfterAll
    static void stop() {
        if (logins != null) {
            logins.close();
        }
    }

    @BeforeEach
    void account() throws Exception {
        user = ssh.users().get(6);
        password = ("Pw-" + HexFormat.of().formatHex(SshConnectorIT.random(8))).toCharArray();
        ssh.setPassword(user, password);
        Path keys = keys();
        keysBefore = Files.exists(keys, java.nio.file.LinkOption.NOFOLLOW_LINKS) && !Files.isSymbolicLink(keys)
                ? Files.readString(keys) : "";
    }

    @AfterEach
    void restore() throws Exception {
        Files.deleteIfExists(keys());
        ssh.setAuthorizedKeys(user, keysBefore, "700");
    }

    private Path keys() {
        return Path.of("/home", user, ".ssh", "authorized_keys");
    }

    static Target target(String method) {
        return new Target("it-key-admin", "ssh", ssh.host(), ssh.port(), null, TlsMode.DISABLE, "admin", null,
                Map.of("knownHosts", ssh.knownHosts().toString(), "adminMethod", method, "stepTimeoutSeconds", "10"));
    }

    private Login admin() throws Exception {
        return new Login(ssh.adminUser(), Secret.of(ssh.adminPassword()));
    }

    @Test
    void reconcileInstallsThePublicKeyAndNeverTouchesThePassword() throws Exception {
        KeyPair lost = SshKeys.generate("ed25519");
        String other = SshKeys.publicLine(SshKeys.generate("ed25519")) + " someone-else";
        ssh.setAuthorizedKeys(user, other + "\n" + SshKeys.publicLine(lost) + " rotor\n", "700");
        KeyPair next = SshKeys.generate("ed25519");
        Secret nextSecret = SshKeys.toSecret(next);
        String privateForm = nextSecret.reveal();

        try (SshConnector c = new SshConnector(target("sudo"))) {
            ChangeResult r = c.reconcile(new ReconcileRequest(c.target(), user, nextSecret, admin()));
            assertThat(r.outcome()).as(r.detail() + "\n" + c.lastTranscript()).isEqualTo(ChangeResult.Outcome.CHANGED);
            assertThat(c.lastTranscript()).doesNotContain(privateForm.substring(SshKeys.PREFIX.length(), 60))
                    .doesNotContain("chpasswd");
        }
        assertThat(logins.login(user, next)).as("the new key logs in").isTrue();
        assertThat(logins.login(user, lost)).as("Rotor's earlier key is gone").isFalse();
        assertThat(logins.login(user, password)).as("the password is untouched: no key went to chpasswd").isTrue();
        assertThat(ssh.authorizedKeys(user)).as("other keys stay").contains(other);
        assertThat(Files.getOwner(keys()).getName()).isEqualTo(user);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keys()))).isEqualTo("rw-------");
    }

    @Test
    void aKeyRotationWithTheCurrentKeyWorksOnATargetWithAnAdmin() throws Exception {
        KeyPair old = SshKeys.generate("ed25519");
        ssh.setAuthorizedKeys(user, SshKeys.publicLine(old) + " rotor\n", "700");
        KeyPair next = SshKeys.generate("ed25519");
        try (SshConnector c = new SshConnector(target("sudo"))) {
            ChangeResult r = c.change(new ChangeRequest(c.target(), user, SshKeys.toSecret(old), SshKeys.toSecret(next), admin()));
            assertThat(r.outcome()).as(r.detail()).isEqualTo(ChangeResult.Outcome.CHANGED);
        }
        assertThat(logins.login(user, next)).isTrue();
        assertThat(logins.login(user, old)).isFalse();
        assertThat(logins.login(user, password)).isTrue();
    }

    @Test
    void aSymlinkPlantedByTheAccountCannotRedirectTheWrite() throws Exception {
        Path victim = Files.createTempFile(Path.of("/root"), "rotor-it-victim-", ".txt");
        try {
            Files.writeString(victim, "root-owned content\n");
            Files.setPosixFilePermissions(victim, PosixFilePermissions.fromString("rw-------"));
            ssh.setAuthorizedKeys(user, "", "700");
            Files.delete(keys());
            Files.createSymbolicLink(keys(), victim);
            try (SshConnector c = new SshConnector(target("sudo"))) {
                ChangeResult r = c.reconcile(new ReconcileRequest(c.target(), user, SshKeys.toSecret(SshKeys.generate("ed25519")),
                        admin()));
                assertThat(r.outcome()).as(r.detail()).isNotEqualTo(ChangeResult.Outcome.CHANGED);
            }
            assertThat(Files.readString(victim)).isEqualTo("root-owned content\n");
        } finally {
            Files.deleteIfExists(victim);
        }
    }

    @Test
    void withSuAKeyIsNotInstalledAndNothingIsSent() throws Exception {
        try (SshConnector c = new SshConnector(target("su"))) {
            ChangeResult r = c.reconcile(new ReconcileRequest(c.target(), user, SshKeys.toSecret(SshKeys.generate("ed25519")),
                    admin()));
            assertThat(r.outcome()).isEqualTo(ChangeResult.Outcome.REJECTED);
            assertThat(r.detail()).contains("needs adminMethod sudo");
        }
        assertThat(logins.login(user, password)).isTrue();
    }
}
