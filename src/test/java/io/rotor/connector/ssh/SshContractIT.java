package io.rotor.connector.ssh;

import io.rotor.connector.ConnectorContract;
import io.rotor.connector.ConnectorFactory;
import io.rotor.connector.Login;
import io.rotor.domain.Secret;
import io.rotor.domain.Target;
import io.rotor.domain.TlsMode;
import io.rotor.it.RealTargets;
import org.junit.jupiter.api.AfterAll;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The connector contract on the real sshd: self change through passwd, admin change and reconcile through sudo
 * chpasswd, discovery through getent. A target behind the fault proxy gets a known_hosts file naming the proxy's
 * port with the server's own keys, so host keys stay strictly checked.
 */
class SshContractIT extends ConnectorContract {
    private final RealTargets.Ssh ssh = RealTargets.load().ssh();
    private final UnixAccounts accounts = new UnixAccounts(ssh, "rotor_it_ssh_cc" + runTag());
    private final SshLogins logins = new SshLogins(ssh.host(), ssh.port(), ssh.knownHosts());

    @AfterAll
    void closeLogins() {
        logins.close();
    }

    @Override
    protected ConnectorFactory factory() {
        return new SshConnectorFactory();
    }

    @Override
    protected String host() {
        return ssh.host();
    }

    @Override
    protected int port() {
        return ssh.port();
    }

    @Override
    protected Target target(String host, int port) {
        String t = Integer.toString(TIMEOUT_SECONDS);
        return new Target("it-ssh-contract", "ssh", host, port, null, TlsMode.DISABLE, null, null,
                Map.of("knownHosts", knownHostsFor(host, port).toString(), "adminMethod", "sudo",
                        "connectTimeoutSeconds", t, "stepTimeoutSeconds", t, "discoverTimeoutSeconds", t));
    }

    /** The server's known_hosts, its entries renamed to {@code host:port} (the proxy in front of it). */
    private Path knownHostsFor(String host, int port) {
        if (host.equals(ssh.host()) && port == ssh.port()) {
            return ssh.knownHosts();
        }
        try {
            String original = "[" + ssh.host() + "]:" + ssh.port() + " ";
            String renamed = "[" + host + "]:" + port + " ";
            StringBuilder out = new StringBuilder();
            for (String line : Files.readAllLines(ssh.knownHosts())) {
                if (line.startsWith(original)) {
                    out.append(renamed).append(line.substring(original.length())).append('\n');
                }
            }
            Path file = Files.createTempFile("rotor-it-cc-known_hosts", "");
            file.toFile().deleteOnExit();
            Files.writeString(file, out);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    protected String newAccount(String tag, String password) throws Exception {
        return accounts.create(tag, password);
    }

    @Override
    protected void removeAccounts() throws Exception {
        accounts.removeAll();
    }

    @Override
    protected Login admin() {
        try {
            return new Login(ssh.adminUser(), Secret.of(ssh.adminPassword()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    protected boolean logsIn(String username, String password) throws Exception {
        return logins.login(username, password.toCharArray());
    }

    @Override
    protected String passwordState(String username) throws Exception {
        return UnixAccounts.shadowHash(username);
    }

    /** A control character could edit the terminal line that carries it: refused before anything is sent. */
    @Override
    protected String rejectedCandidate() {
        return "Bell-\u0007-" + runTag();
    }
}
