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
import java.util.Map;

/**
 * The connector contract on the real telnetd: self change through passwd, admin change and reconcile through
 * sudo chpasswd, every result proven by logins on the real sshd (the same Linux accounts). Telnet cannot list
 * accounts: the connector refuses discovery, and the contract's discover case is skipped.
 */
class TelnetContractIT extends ConnectorContract {
    private final RealTargets.Ssh ssh = RealTargets.load().ssh();
    private final UnixAccounts accounts = new UnixAccounts(ssh, "rotor_it_ssh_cct" + runTag());
    private final SshLogins logins = new SshLogins(ssh.host(), ssh.port(), ssh.knownHosts());

    @AfterAll
    void closeLogins() {
        logins.close();
    }

    @Override
    protected ConnectorFactory factory() {
        return new TelnetConnectorFactory();
    }

    @Override
    protected String host() {
        return ssh.telnetHost();
    }

    @Override
    protected int port() {
        return ssh.telnetPort();
    }

    @Override
    protected Target target(String host, int port) {
        String t = Integer.toString(TIMEOUT_SECONDS);
        // a wrong password's "Login incorrect" comes only after PAM's failure delay (about 2-3 s, more on a busy
        // machine), so a telnet dialogue step needs longer than the contract's 3 s
        return new Target("it-telnet-contract", "telnet", host, port, null, TlsMode.DISABLE, null, null,
                Map.of("adminMethod", "sudo", "connectTimeoutSeconds", t, "stepTimeoutSeconds", Integer.toString(STEP_SECONDS)));
    }

    private static final int STEP_SECONDS = 8;

    @Override
    protected java.time.Duration bound() {
        return java.time.Duration.ofSeconds(2L * STEP_SECONDS + 4);
    }

    @Override
    protected boolean discovers() {
        return false;
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
