package io.rotor.connector.ssh;

import io.rotor.connector.ChangeRequest;
import io.rotor.connector.ChangeResult;
import io.rotor.connector.Elevation;
import io.rotor.connector.Login;
import io.rotor.connector.ReconcileRequest;
import io.rotor.domain.Secret;
import io.rotor.domain.Target;
import io.rotor.domain.TlsMode;
import io.rotor.it.RealTargets;
import org.apache.sshd.client.session.ClientSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code adminMethod: su} against a rotated account that sets a trap: a {@code su()} function in its
 * {@code ~/.bashrc} that keeps whatever password it is given. On the real sshd (and telnetd) the trap is first
 * shown to work in that account's own shell; then Rotor's su rotation, which runs in the session of a login
 * account it controls, leaves it empty, while the change itself is proven by logins.
 */
class SuLoginAccountSecurityIT {
    private static final String TRAP = "su() { IFS= read -rs -p 'Password: ' p; printf '%s\\n' \"$p\" >> ~/.rotor-trap;"
            + " echo; command su \"$@\"; }\n";

    static RealTargets.Ssh ssh;
    static SshLogins logins;
    String user;
    Path home;
    String bashrc;
    String shadowOfRoot;

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
    void armTheTrap() throws Exception {
        user = ssh.users().get(3);
        home = Path.of("/home", user);
        bashrc = Files.readString(home.resolve(".bashrc"), StandardCharsets.UTF_8);
        // before Debian's "not interactive: return", so that every bash of the account defines it
        Files.writeString(home.resolve(".bashrc"), TRAP + bashrc, StandardCharsets.UTF_8);
        Files.deleteIfExists(trapFile());
        shadowOfRoot = shadowLine(ssh.suUser());
    }

    @AfterEach
    void disarm() throws Exception {
        Files.writeString(home.resolve(".bashrc"), bashrc, StandardCharsets.UTF_8);
        Files.deleteIfExists(trapFile());
        assertThat(shadowLine(ssh.suUser())).as("the uid-0 account's password is untouched").isEqualTo(shadowOfRoot);
    }

    private Path trapFile() {
        return home.resolve(".rotor-trap");
    }

    private String caught() throws Exception {
        return Files.exists(trapFile()) ? Files.readString(trapFile(), StandardCharsets.UTF_8) : "";
    }

    static String shadowLine(String user) throws Exception {
        return Files.readAllLines(Path.of("/etc/shadow")).stream().filter(l -> l.startsWith(user + ":")).findFirst()
                .orElseThrow();
    }

    static Target target(String type, int port, Map<String, String> extra) {
        Map<String, String> settings = new HashMap<>(Map.of("knownHosts", ssh.knownHosts().toString(),
                "stepTimeoutSeconds", "10", "adminMethod", "su"));
        settings.putAll(extra);
        return new Target("it-su", type, type.equals("ssh") ? ssh.host() : ssh.telnetHost(), port, null, TlsMode.DISABLE,
                null, null, settings);
    }

    private char[] freshOld() throws Exception {
        char[] old = ("Old-" + HexFormat.of().formatHex(SshConnectorIT.random(8))).toCharArray();
        ssh.setPassword(user, old);
        return old;
    }

    private Login root() throws Exception {
        return new Login(ssh.suUser(), Secret.of(ssh.suPassword()));
    }

    private Elevation fromLoginAccount() throws Exception {
        return new Elevation(new Login(ssh.adminUser(), Secret.of(ssh.adminPassword())), null);
    }

    @Test
    void theTrapWorksInTheAccountsOwnShell() throws Exception {
        char[] old = freshOld();
        String canary = "canary-" + HexFormat.of().formatHex(SshConnectorIT.random(6));
        Target t = target("ssh", ssh.port(), Map.of());
        try (SshSessions sessions = new SshSessions(t);
             ClientSession session = sessions.open(new Login(user, Secret.of(old)));
             SshShellChannel shell = new SshShellChannel(session, true, Duration.ofSeconds(10))) {
            int from = shell.output().length();
            shell.sendLine("su - " + ssh.suUser() + " -c true");
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            assertThat(shell.output().await(Pattern.compile("(?i)password: ?$"), from, deadline)).isPositive();
            shell.sendLine(canary);
            long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (!caught().contains(canary) && System.nanoTime() < until) {
                Thread.sleep(50);
            }
        }
        assertThat(caught()).as("whatever is typed at su's prompt in this account's shell is kept by its owner")
                .contains(canary);
    }

    @Test
    void suRotationRunsInTheLoginAccountsSessionAndTheTrapCatchesNothing() throws Exception {
        char[] old = freshOld();
        String next = SshConnectorIT.nasty();
        try (SshConnector c = new SshConnector(target("ssh", ssh.port(), Map.of()))) {
            ChangeResult r = c.change(new ChangeRequest(c.target(), user, Secret.of(old.clone()),
                    Secret.of(next.toCharArray()), root(), fromLoginAccount()));
            assertThat(r.outcome()).as(r.detail() + "\n" + c.lastTranscript()).isEqualTo(ChangeResult.Outcome.CHANGED);
            assertThat(c.lastTranscript()).doesNotContain(new String(ssh.suPassword())).doesNotContain(next);
        }
        assertThat(logins.login(user, next.toCharArray())).as("new password logs in").isTrue();
        assertThat(logins.login(user, old)).as("old password is refused").isFalse();
        assertThat(caught()).as("the trap caught nothing").isEmpty();
    }

    @Test
    void reconcileThroughSuNeedsNoCredentialOfTheAccountAndTheTrapCatchesNothing() throws Exception {
        char[] old = freshOld();
        String next = SshConnectorIT.nasty();
        try (SshConnector c = new SshConnector(target("ssh", ssh.port(), Map.of()))) {
            ChangeResult r = c.reconcile(new ReconcileRequest(c.target(), user, Secret.of(next.toCharArray()), root(),
                    fromLoginAccount()));
            assertThat(r.outcome()).as(r.detail() + "\n" + c.lastTranscript()).isEqualTo(ChangeResult.Outcome.CHANGED);
        }
        assertThat(logins.login(user, next.toCharArray())).isTrue();
        assertThat(logins.login(user, old)).isFalse();
        assertThat(caught()).isEmpty();
    }

    @Test
    void withoutALoginAccountTheAdminsOwnLoginIsTriedNeverTheRotatedAccounts() throws Exception {
        char[] old = freshOld();
        try (SshConnector c = new SshConnector(target("ssh", ssh.port(), Map.of()))) {
            ChangeResult r = c.change(new ChangeRequest(c.target(), user, Secret.of(old.clone()),
                    Secret.of(SshConnectorIT.nasty().toCharArray()), root()));
            // sshd refuses the uid-0 name: nothing was sent, and the message says what to configure
            assertThat(r.outcome()).isEqualTo(ChangeResult.Outcome.REJECTED);
            assertThat(r.detail()).contains("login of " + ssh.suUser()).contains("set loginAccount");
        }
        assertThat(logins.login(user, old)).as("unchanged").isTrue();
        assertThat(caught()).isEmpty();
    }

    @Test
    void overTelnetTooTheTrapCatchesNothing() throws Exception {
        if (ssh.telnetPort() == 0) {
            throw new IllegalStateException("targets.env has no TELNET_PORT: run scripts/targets.sh start");
        }
        char[] old = freshOld();
        String next = SshConnectorIT.nasty();
        try (TelnetConnector c = new TelnetConnector(target("telnet", ssh.telnetPort(), Map.of("stepTimeoutSeconds", "15")))) {
            ChangeResult r = c.change(new ChangeRequest(c.target(), user, Secret.of(old.clone()),
                    Secret.of(next.toCharArray()), root(), fromLoginAccount()));
            assertThat(r.outcome()).as(r.detail() + "\n" + c.lastTranscript()).isEqualTo(ChangeResult.Outcome.CHANGED);
            assertThat(c.lastTranscript()).doesNotContain(new String(ssh.suPassword())).doesNotContain(next);
        }
        assertThat(logins.login(user, next.toCharArray())).isTrue();
        assertThat(logins.login(user, old)).isFalse();
        assertThat(caught()).isEmpty();
    }
}
