package io.rotor.connector.ssh;

import io.rotor.connector.ChangeRequest;
import io.rotor.connector.ChangeResult;
import io.rotor.connector.Elevation;
import io.rotor.connector.Login;
import io.rotor.domain.Secret;
import io.rotor.domain.Target;
import io.rotor.domain.TlsMode;
import io.rotor.it.RealTargets;
import org.apache.sshd.client.session.ClientSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The kill-line attack on the real sshd: a new secret {@code <^U>rotor_it_suroot:Pwned1!} typed into chpasswd on a
 * terminal would set the uid-0 account's password. Rotor refuses it before anything is sent, on every admin path,
 * and the uid-0 account's shadow entry is byte-for-byte unchanged. A second test shows why it matters and that the
 * changers' terminal no longer edits lines: the same bytes on a cooked pty lose everything before ^U, and after
 * {@link BuiltinChangers#NO_LINE_DISCIPLINE} they arrive as sent.
 */
class ControlCharacterSecurityIT {
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

    static Target target(String method) {
        return new Target("it-cc", "ssh", ssh.host(), ssh.port(), null, TlsMode.DISABLE, null, null,
                Map.of("knownHosts", ssh.knownHosts().toString(), "stepTimeoutSeconds", "10", "adminMethod", method));
    }

    @Test
    void theKillLineSecretIsRefusedOnEveryPathAndRootsPasswordIsUntouched() throws Exception {
        String user = ssh.users().get(4);
        char[] old = ("Old-" + HexFormat.of().formatHex(SshConnectorIT.random(8))).toCharArray();
        ssh.setPassword(user, old);
        String shadowBefore = SuLoginAccountSecurityIT.shadowLine(ssh.suUser());
        String attack = "\u0015" + ssh.suUser() + ":Pwned1!";
        Login sudoAdmin = new Login(ssh.adminUser(), Secret.of(ssh.adminPassword()));
        Login root = new Login(ssh.suUser(), Secret.of(ssh.suPassword()));
        Elevation fromLogin = new Elevation(sudoAdmin, null);

        for (String method : List.of("sudo", "su")) {
            try (SshConnector c = new SshConnector(target(method))) {
                Login admin = method.equals("sudo") ? sudoAdmin : root;
                ChangeResult viaAdmin = c.change(new ChangeRequest(c.target(), user, null,
                        Secret.of(attack.toCharArray()), admin, fromLogin));
                ChangeResult self = c.change(new ChangeRequest(c.target(), user, Secret.of(old.clone()),
                        Secret.of(attack.toCharArray()), null));
                for (ChangeResult r : List.of(viaAdmin, self)) {
                    assertThat(r.outcome()).as(method + ": " + r.detail()).isEqualTo(ChangeResult.Outcome.REJECTED);
                    assertThat(r.detail()).contains("%%account_new_secret%%").contains("^U, U+0015")
                            .contains("before the new secret was sent").doesNotContain("Pwned1");
                }
                assertThat(c.lastTranscript()).as("the dialogue stopped before its first line").isEmpty();
            }
        }
        assertThat(SuLoginAccountSecurityIT.shadowLine(ssh.suUser())).as("root's password is untouched").isEqualTo(shadowBefore);
        assertThat(logins.login(user, old)).as("the account keeps its password").isTrue();
    }

    @Test
    void aCookedTerminalActsOnTheKillLineTheChangersTerminalDoesNot() throws Exception {
        Target t = target("sudo");
        try (SshSessions sessions = new SshSessions(t);
             ClientSession session = sessions.open(new Login(ssh.adminUser(), Secret.of(ssh.adminPassword())))) {
            // a cooked terminal: the line discipline erases "aaa" when ^U arrives
            assertThat(bytesReceived(session, "echo ready-\"\"cooked; head -n 1 | od -An -tx1", "ready-cooked"))
                    .isEqualTo("62 62 62 0a");
            // the terminal the chpasswd changers set up: every byte arrives as sent
            assertThat(bytesReceived(session, "sh -c '" + BuiltinChangers.NO_LINE_DISCIPLINE
                    + "; echo ready-\"\"raw; head -n 1 | od -An -tx1'", "ready-raw"))
                    .isEqualTo("61 61 61 15 62 62 62 0a");
        }
    }

    /** Runs {@code command} on a pty, then types {@code aaa^Ubbb} once it is ready; returns what od printed. */
    private static String bytesReceived(ClientSession session, String command, String ready) throws Exception {
        try (SshShellChannel shell = new SshShellChannel(session, true, Duration.ofSeconds(10))) {
            int from = shell.output().length();
            shell.sendLine(command);
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            int at = shell.output().await(Pattern.compile(ready + "\\r?\\n"), from, deadline);
            assertThat(at).as(shell.output().since(from)).isPositive();
            shell.sendLine("aaa\u0015bbb");
            Pattern od = Pattern.compile("((?: [0-9a-f]{2})+)\\s*\\r?\\n");
            int end = shell.output().await(Pattern.compile(" 0a\\s*\\r?\\n"), at, System.nanoTime() + Duration.ofSeconds(10).toNanos());
            assertThat(end).as(shell.output().since(from)).isPositive();
            var m = od.matcher(shell.output().since(at));
            String last = null;
            while (m.find()) {
                last = m.group(1).strip();
            }
            return last;
        }
    }
}
