package io.rotor.connector.ssh;

import io.rotor.connector.ChangeRequest;
import io.rotor.connector.ChangeResult;
import io.rotor.connector.Login;
import io.rotor.connector.ReconcileRequest;
import io.rotor.domain.Secret;
import io.rotor.domain.Target;
import io.rotor.domain.TlsMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static io.rotor.connector.ssh.ChangerStep.expected;
import static io.rotor.connector.ssh.ChangerStep.input;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A changer for another transport, a verifier, or a value a device would mangle: refused before Rotor even
 * connects. The target is a listening socket that counts connections, so "nothing was sent" is checked, not assumed.
 */
class ChangerTransportSecurityTest {
    @TempDir
    Path dir;

    private static PasswordChanger changer(String name, PasswordChanger.Transport transport, PasswordChanger.Type type) {
        return new PasswordChanger("99", type, name, transport, 60, null, List.of(input("echo x"), expected("x")),
                false, false, false, null, null);
    }

    @Test
    void theTransportRules() {
        var ssh = PasswordChanger.Transport.SSH;
        var telnet = PasswordChanger.Transport.TELNET;
        assertThat(ChangerRules.problem(changer("w", PasswordChanger.Transport.WINRM, PasswordChanger.Type.CHANGE), ssh))
                .isEqualTo("password changer 'w' declares transport WinRM and cannot run over SSH; nothing was sent");
        assertThat(ChangerRules.problem(changer("l", PasswordChanger.Transport.LDAP, PasswordChanger.Type.CHANGE), telnet))
                .contains("declares transport LDAP and cannot run over Telnet");
        assertThat(ChangerRules.problem(changer("t", telnet, PasswordChanger.Type.CHANGE), ssh)).contains("declares transport Telnet");
        assertThat(ChangerRules.problem(changer("s", ssh, PasswordChanger.Type.CHANGE), ssh)).isNull();
        assertThat(ChangerRules.problem(changer("v", ssh, PasswordChanger.Type.VERIFY), ssh)).contains("is a verifier");
        // the built-ins are terminal dialogues: both terminal transports play them
        for (PasswordChanger b : BuiltinChangers.all()) {
            if (b.type() == PasswordChanger.Type.CHANGE) {
                assertThat(ChangerRules.problem(b, telnet)).as(b.name()).isNull();
                assertThat(ChangerRules.problem(b, ssh)).as(b.name()).isNull();
            }
        }
    }

    @Test
    void aDeviceRefusesAQuestionMarkOrAnOuterSpaceButAUnixChangerDoesNot() {
        PasswordChanger ios = BuiltinChangers.get(BuiltinChangers.CISCO_IOS);
        assertThat(ChangerRules.deviceValueProblem(ios, Secret.of("ab?cd".toCharArray()))).contains("help key")
                .doesNotContain("ab?cd");
        assertThat(ChangerRules.deviceValueProblem(ios, Secret.of(" abcd".toCharArray()))).contains("space");
        assertThat(ChangerRules.deviceValueProblem(ios, Secret.of("abcd ".toCharArray()))).contains("space");
        assertThat(ChangerRules.deviceValueProblem(ios, Secret.of("ab!cd".toCharArray()))).isNull();
        assertThat(ChangerRules.deviceValueProblem(BuiltinChangers.get(BuiltinChangers.UNIX_SUDO),
                Secret.of("ab?cd ".toCharArray()))).isNull();
    }

    @Test
    void aWinRmChangerIsNeverPlayedOverSshNorTelnetAndNothingConnects() throws Exception {
        PasswordChanger winrm = changer("Password_Changer_WinRM", PasswordChanger.Transport.WINRM, PasswordChanger.Type.CHANGE);
        try (ServerSocket listener = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            AtomicInteger connections = countConnections(listener);
            Path knownHosts = Files.createFile(dir.resolve("known_hosts"));
            Map<String, String> settings = Map.of("knownHosts", knownHosts.toString(), "changer", winrm.name(),
                    "adminChanger", winrm.name(), "connectTimeoutSeconds", "2");
            Target ssh = new Target("t", "ssh", "127.0.0.1", listener.getLocalPort(), null, TlsMode.DISABLE, null, null, settings);
            Login admin = new Login("root", Secret.of("r00t".toCharArray()));
            try (SshConnector c = new SshConnector(ssh, name -> winrm)) {
                ChangeResult self = c.change(new ChangeRequest(ssh, "bob", Secret.of("old".toCharArray()),
                        Secret.of("N3w-pw".toCharArray()), null));
                ChangeResult viaAdmin = c.change(new ChangeRequest(ssh, "bob", null, Secret.of("N3w-pw".toCharArray()), admin));
                ChangeResult reconcile = c.reconcile(new ReconcileRequest(ssh, "bob", Secret.of("N3w-pw".toCharArray()), admin));
                for (ChangeResult r : List.of(self, viaAdmin, reconcile)) {
                    assertThat(r.outcome()).isEqualTo(ChangeResult.Outcome.REJECTED);
                    assertThat(r.detail()).contains("declares transport WinRM and cannot run over SSH");
                }
            }
            Target telnet = new Target("t", "telnet", "127.0.0.1", listener.getLocalPort(), null, TlsMode.DISABLE, null, null, settings);
            // the telnet connector reads changers from the built-ins: a stored WinRM one is simulated by the name lookup
            // failing closed, and a built-in device changer with a '?' is refused before the connection
            try (TelnetConnector c = new TelnetConnector(telnet)) {
                ChangeResult r = c.change(new ChangeRequest(telnet, "bob", Secret.of("old".toCharArray()),
                        Secret.of("N3w-pw".toCharArray()), null));
                assertThat(r.outcome()).isEqualTo(ChangeResult.Outcome.REJECTED);
                assertThat(r.detail()).contains("no password changer named").contains("nothing was sent");
            }
            Target device = new Target("t", "telnet", "127.0.0.1", listener.getLocalPort(), null, TlsMode.DISABLE, null, null,
                    Map.of("changer", BuiltinChangers.CISCO_IOS));
            try (TelnetConnector c = new TelnetConnector(device)) {
                ChangeResult r = c.change(new ChangeRequest(device, "bob", Secret.of("old".toCharArray()),
                        Secret.of("N3w?pw".toCharArray()), null));
                assertThat(r.outcome()).isEqualTo(ChangeResult.Outcome.REJECTED);
                assertThat(r.detail()).contains("help key").doesNotContain("N3w?pw");
            }
            Thread.sleep(200);
            assertThat(connections.get()).as("no connection was opened").isZero();
        }
    }

    private static AtomicInteger countConnections(ServerSocket listener) {
        AtomicInteger n = new AtomicInteger();
        Thread t = new Thread(() -> {
            while (!listener.isClosed()) {
                try (Socket s = listener.accept()) {
                    n.incrementAndGet();
                } catch (java.io.IOException e) {
                    return;
                }
            }
        });
        t.setDaemon(true);
        t.start();
        return n;
    }
}
