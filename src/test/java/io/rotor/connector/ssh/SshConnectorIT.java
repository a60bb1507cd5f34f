package io.rotor.connector.ssh;

import io.rotor.connector.ChangeRequest;
import io.rotor.connector.ChangeResult;
import io.rotor.connector.Elevation;
import io.rotor.connector.Login;
import io.rotor.connector.VerifyRequest;
import io.rotor.connector.VerifyResult;
import io.rotor.domain.Secret;
import io.rotor.domain.Target;
import io.rotor.domain.TlsMode;
import io.rotor.it.RealTargets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.security.SecureRandom;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The SSH connector against the real sshd of scripts/targets.sh and real Linux accounts. Every change is
 * proven by a plain MINA login (not the connector) with the new password that works and the old that fails.
 */
class SshConnectorIT {
    /** Shell metacharacters, quotes, backslash, spaces and non-ASCII letters: must arrive byte-exactly. */
    static String nasty() {
        return "N3w' \"\\;$`x $(id) ÄöÜ-ß€ ñ " + HexFormat.of().formatHex(random(4));
    }

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

    static byte[] random(int n) {
        byte[] b = new byte[n];
        new SecureRandom().nextBytes(b);
        return b;
    }

    static Target target(Map<String, String> extra) {
        Map<String, String> settings = new HashMap<>(Map.of("knownHosts", ssh.knownHosts().toString(),
                "stepTimeoutSeconds", "10"));
        settings.putAll(extra);
        return new Target("it-ssh", "ssh", ssh.host(), ssh.port(), null, TlsMode.DISABLE, null, null, settings);
    }

    static char[] freshOld(String user) throws Exception {
        char[] old = ("Old-" + HexFormat.of().formatHex(random(8))).toCharArray();
        ssh.setPassword(user, old);
        assertThat(logins.login(user, old)).as("the old password works before the change").isTrue();
        return old;
    }

    private void assertChanged(String user, char[] old, String next) throws Exception {
        assertThat(logins.login(user, next.toCharArray())).as("new password logs in").isTrue();
        assertThat(logins.login(user, old)).as("old password is refused").isFalse();
    }

    @Test
    void selfChangeThroughPasswd() throws Exception {
        String user = ssh.users().get(0);
        char[] old = freshOld(user);
        String next = nasty();
        try (SshConnector c = new SshConnector(target(Map.of()))) {
            ChangeResult r = c.change(new ChangeRequest(c.target(), user, Secret.of(old.clone()), Secret.of(next.toCharArray()), null));
            assertThat(r.outcome()).as(r.detail() + "\n" + c.lastTranscript()).isEqualTo(ChangeResult.Outcome.CHANGED);
            assertThat(c.lastTranscript()).doesNotContain(next).doesNotContain(new String(old));
        }
        assertChanged(user, old, next);
    }

    @Test
    void adminChangeThroughSudoReusesOneSession() throws Exception {
        String u1 = ssh.users().get(1);
        String u2 = ssh.users().get(2);
        char[] old1 = freshOld(u1);
        char[] old2 = freshOld(u2);
        String next1 = nasty();
        String next2 = nasty();
        try (SshConnector c = new SshConnector(target(Map.of("adminMethod", "sudo")))) {
            Login admin = new Login(ssh.adminUser(), Secret.of(ssh.adminPassword()));
            ChangeResult r1 = c.change(new ChangeRequest(c.target(), u1, null, Secret.of(next1.toCharArray()), admin));
            assertThat(r1.outcome()).as(r1.detail() + "\n" + c.lastTranscript()).isEqualTo(ChangeResult.Outcome.CHANGED);
            ChangeResult r2 = c.change(new ChangeRequest(c.target(), u2, null, Secret.of(next2.toCharArray()), admin));
            assertThat(r2.outcome()).as(r2.detail() + "\n" + c.lastTranscript()).isEqualTo(ChangeResult.Outcome.CHANGED);
            assertThat(c.lastTranscript()).doesNotContain(next2).doesNotContain(new String(ssh.adminPassword()));
        }
        assertChanged(u1, old1, next1);
        assertChanged(u2, old2, next2);
    }

    @Test
    void adminChangeThroughSuToAUidZeroAccount() throws Exception {
        String user = ssh.users().get(3);
        char[] old = freshOld(user);
        String next = nasty();
        try (SshConnector c = new SshConnector(target(Map.of("adminMethod", "su")))) {
            Login root = new Login(ssh.suUser(), Secret.of(ssh.suPassword()));
            // su runs in the session of a login account Rotor controls (sshd refuses the uid-0 name itself)
            Elevation fromLogin = new Elevation(new Login(ssh.adminUser(), Secret.of(ssh.adminPassword())), null);
            ChangeResult r = c.change(new ChangeRequest(c.target(), user, Secret.of(old.clone()), Secret.of(next.toCharArray()),
                    root, fromLogin));
            assertThat(r.outcome()).as(r.detail() + "\n" + c.lastTranscript()).isEqualTo(ChangeResult.Outcome.CHANGED);
            assertThat(c.lastTranscript()).doesNotContain(next).doesNotContain(new String(ssh.suPassword()));
        }
        assertChanged(user, old, next);
    }

    @Test
    void aPromptThatNeverComesIsATimeoutNamingTheStepAndTheOldPasswordStays() throws Exception {
        String user = ssh.users().get(5);
        char[] old = freshOld(user);
        String next = nasty();
        // a wrong admin password: sudo asks again and never says rotor-sudo-ok (step 4)
        try (SshConnector c = new SshConnector(target(Map.of("adminMethod", "sudo", "stepTimeoutSeconds", "3")))) {
            Login admin = new Login(ssh.adminUser(), Secret.of(ssh.adminPassword()));
            Login wrong = new Login(ssh.adminUser(), Secret.of("not-the-admin-password".toCharArray()));
            // the session logs in with the right password; sudo is then fed a wrong one
            c.change(new ChangeRequest(c.target(), ssh.users().get(6), null, Secret.of(nasty().toCharArray()), admin));
            ChangeResult r = c.changeWithSudoPassword(user, Secret.of(next.toCharArray()), admin, wrong.secret());
            assertThat(r.outcome()).isEqualTo(ChangeResult.Outcome.REJECTED);
            assertThat(r.detail()).contains("step 4: expected /rotor-sudo-ok/ not seen within 3 s");
            assertThat(c.lastTranscript()).contains("> %%admin_secret%%").doesNotContain("not-the-admin-password");
        }
        assertThat(logins.login(user, old)).isTrue();
        assertThat(logins.login(user, next.toCharArray())).isFalse();
    }

    @Test
    void hostKeysAreCheckedStrictTofuAndMismatch(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        String user = ssh.users().get(7);
        char[] pw = freshOld(user);
        // strict with an empty known_hosts: refused, and says why
        java.nio.file.Path empty = java.nio.file.Files.createFile(dir.resolve("empty_known_hosts"));
        try (SshConnector c = new SshConnector(target(Map.of("knownHosts", empty.toString())))) {
            VerifyResult r = c.verify(new VerifyRequest(c.target(), new Login(user, Secret.of(pw.clone()))));
            assertThat(r.outcome()).isEqualTo(VerifyResult.Outcome.UNREACHABLE);
            assertThat(r.detail()).contains("is not in").contains("hostKeyPolicy is strict");
        }
        // trust on first use records the key, then logs in with it
        java.nio.file.Path tofu = dir.resolve("tofu_known_hosts");
        try (SshConnector c = new SshConnector(target(Map.of("knownHosts", tofu.toString(), "hostKeyPolicy", "tofu")))) {
            assertThat(c.verify(new VerifyRequest(c.target(), new Login(user, Secret.of(pw.clone())))).outcome())
                    .isEqualTo(VerifyResult.Outcome.VALID);
        }
        assertThat(java.nio.file.Files.readString(tofu)).contains("[" + ssh.host() + "]:" + ssh.port());
        // a different key for the host: refused with a clear message, even with tofu
        java.nio.file.Path wrong = dir.resolve("wrong_known_hosts");
        var kp = org.apache.sshd.common.util.security.SecurityUtils.getKeyPairGenerator("EC");
        kp.initialize(256);
        String line = "[" + ssh.host() + "]:" + ssh.port() + " "
                + org.apache.sshd.common.config.keys.PublicKeyEntry.toString(kp.generateKeyPair().getPublic());
        java.nio.file.Files.writeString(wrong, line + "\n");
        try (SshConnector c = new SshConnector(target(Map.of("knownHosts", wrong.toString(), "hostKeyPolicy", "tofu")))) {
            VerifyResult r = c.verify(new VerifyRequest(c.target(), new Login(user, Secret.of(pw.clone()))));
            assertThat(r.outcome()).isEqualTo(VerifyResult.Outcome.UNREACHABLE);
            assertThat(r.detail()).contains("HOST KEY MISMATCH");
        }
    }
}
