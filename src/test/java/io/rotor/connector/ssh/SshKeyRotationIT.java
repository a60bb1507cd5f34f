package io.rotor.connector.ssh;

import io.rotor.connector.ChangeRequest;
import io.rotor.connector.ChangeResult;
import io.rotor.domain.Secret;
import io.rotor.domain.Target;
import io.rotor.domain.TlsMode;
import io.rotor.it.RealTargets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.security.KeyPair;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** SSH key rotation on the real sshd: new key added and logging in, old key removed and refused. */
class SshKeyRotationIT {
    static RealTargets.Ssh ssh;
    static SshLogins logins;

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

    static Target target() {
        return new Target("it-ssh-key", "ssh", ssh.host(), ssh.port(), null, TlsMode.DISABLE, null, null,
                Map.of("knownHosts", ssh.knownHosts().toString()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"ed25519", "ecdsa-sha2-nistp256", "rsa"})
    void rotatesEachKeyType(String type) throws Exception {
        String user = ssh.users().get(6);
        KeyPair old = SshKeys.generate(type);
        String other = SshKeys.publicLine(SshKeys.generate("ed25519")) + " someone-else";
        ssh.setAuthorizedKeys(user, other + "\n" + SshKeys.publicLine(old) + " old\n", "700");
        assertThat(logins.login(user, old)).as("the old key works before").isTrue();
        KeyPair next = SshKeys.generate(type);
        Secret nextSecret = SshKeys.toSecret(next);
        assertThat(SshKeys.publicLine(SshKeys.fromSecret(nextSecret))).isEqualTo(SshKeys.publicLine(next));

        try (SshConnector c = new SshConnector(target())) {
            ChangeResult r = c.change(new ChangeRequest(c.target(), user, SshKeys.toSecret(old), nextSecret, null));
            assertThat(r.outcome()).as(r.detail()).isEqualTo(ChangeResult.Outcome.CHANGED);
        }
        assertThat(logins.login(user, next)).as("the new key logs in").isTrue();
        assertThat(logins.login(user, old)).as("the old key is refused").isFalse();
        assertThat(ssh.authorizedKeys(user)).as("other keys stay").contains(other).doesNotContain(SshKeys.publicLine(old));
    }

    @Test
    void aWorldWritableSshDirectoryIsReportedAndNothingChanges() throws Exception {
        String user = ssh.users().get(6);
        KeyPair old = SshKeys.generate("ed25519");
        ssh.setAuthorizedKeys(user, SshKeys.publicLine(old) + " old\n", "700");
        ssh.setAuthorizedKeys(user, SshKeys.publicLine(old) + " old\n", "777");
        // sshd's StrictModes now refuses the key, so log in with a password to see the report
        char[] pw = ("Pw-" + System.nanoTime()).toCharArray();
        ssh.setPassword(user, pw);
        try (SshConnector c = new SshConnector(target())) {
            ChangeResult r = c.change(new ChangeRequest(c.target(), user, Secret.of(pw.clone()),
                    SshKeys.toSecret(SshKeys.generate("ed25519")), null));
            assertThat(r.outcome()).isEqualTo(ChangeResult.Outcome.REJECTED);
            assertThat(r.detail()).contains("/home/" + user + "/.ssh has mode 777 (group/world-writable)")
                    .contains("chmod go-w");
        }
        assertThat(ssh.authorizedKeys(user)).isEqualTo(SshKeys.publicLine(old) + " old\n");
        ssh.setAuthorizedKeys(user, "", "700");
    }

    @Test
    void dsaIsRefusedWithAClearMessageAndShortRsaToo() {
        assertThatThrownBy(() -> SshKeys.generate("ssh-dss")).hasMessageContaining("ssh-dss (DSA) keys are refused");
        assertThatThrownBy(() -> SshKeys.generate("rsa:2048")).hasMessageContaining("at least 3072 bits");
    }
}
