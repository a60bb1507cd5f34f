package io.rotor.connector.ssh;

import io.rotor.connector.Login;
import io.rotor.connector.VerifyRequest;
import io.rotor.domain.Secret;
import io.rotor.domain.Target;
import io.rotor.domain.TlsMode;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.keyverifier.KnownHostsServerKeyVerifier;
import org.apache.sshd.client.keyverifier.RejectAllServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * Run in a child JVM whose {@code user.home} holds a {@code ~/.ssh} that opens the target (see
 * {@link SshIdentitySecurityIT}). Prints one line per check: {@code default-client=LOGGED_IN|REFUSED} for a plain
 * MINA default client given a wrong password, and the connector's verify outcomes for a wrong and a right password.
 * The passwords come on stdin (wrong, then right), never as arguments.
 */
public final class IdentityProbe {
    private IdentityProbe() {
    }

    public static void main(String[] args) throws Exception {
        String host = args[0];
        int port = Integer.parseInt(args[1]);
        Path knownHosts = Path.of(args[2]);
        String user = args[3];
        java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(System.in,
                java.nio.charset.StandardCharsets.UTF_8));
        String wrong = in.readLine();
        String right = in.readLine();

        SshClient plain = SshClient.setUpDefaultClient();
        plain.setServerKeyVerifier(new KnownHostsServerKeyVerifier(RejectAllServerKeyVerifier.INSTANCE, knownHosts));
        plain.start();
        String verdict;
        try (ClientSession s = plain.connect(user, host, port).verify(Duration.ofSeconds(10)).getSession()) {
            s.addPasswordIdentity(wrong);
            try {
                s.auth().verify(Duration.ofSeconds(15));
                verdict = "LOGGED_IN";
            } catch (java.io.IOException e) {
                verdict = "REFUSED";
            }
        } finally {
            plain.stop();
        }
        System.out.println("default-client=" + verdict);

        Target target = new Target("probe", "ssh", host, port, null, TlsMode.DISABLE, null, null,
                Map.of("knownHosts", knownHosts.toString()));
        try (SshConnector c = new SshConnector(target)) {
            System.out.println("connector-wrong=" + c.verify(new VerifyRequest(target,
                    new Login(user, Secret.of(wrong.toCharArray())))).outcome());
            System.out.println("connector-right=" + c.verify(new VerifyRequest(target,
                    new Login(user, Secret.of(right.toCharArray())))).outcome());
        }
        System.out.flush();
        System.exit(0);
    }
}
