package io.rotor.connector.ssh;

import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.keyverifier.KnownHostsServerKeyVerifier;
import org.apache.sshd.client.keyverifier.RejectAllServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.SshException;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * An SSH login check that does not use the connector's sessions: a plain MINA client with a password or a key,
 * isolated like the connector's (no default identities from ~/.ssh, no ~/.ssh/config, no agent), so that a
 * "the new password logs in" check cannot pass by key.
 */
public final class SshLogins implements AutoCloseable {
    private final SshClient client;
    private final String host;
    private final int port;

    public SshLogins(String host, int port, Path knownHosts) {
        this.host = host;
        this.port = port;
        client = SshSessions.isolatedClient(new KnownHostsServerKeyVerifier(RejectAllServerKeyVerifier.INSTANCE, knownHosts));
        client.start();
    }

    /** True when the server accepts the password, false when it refuses it; anything else throws. */
    public boolean login(String user, char[] password) throws IOException {
        try (ClientSession s = client.connect(user, host, port).verify(Duration.ofSeconds(10)).getSession()) {
            s.addPasswordIdentity(new String(password));
            try {
                s.auth().verify(Duration.ofSeconds(15));
                return true;
            } catch (SshException e) {
                if (String.valueOf(e.getMessage()).contains("No more authentication methods")) {
                    return false;
                }
                throw e;
            }
        }
    }

    /** True when the server accepts the key, false when it refuses it. */
    public boolean login(String user, java.security.KeyPair key) throws IOException {
        try (ClientSession s = client.connect(user, host, port).verify(Duration.ofSeconds(10)).getSession()) {
            s.addPublicKeyIdentity(key);
            try {
                s.auth().verify(Duration.ofSeconds(15));
                return true;
            } catch (SshException e) {
                if (String.valueOf(e.getMessage()).contains("No more authentication methods")) {
                    return false;
                }
                throw e;
            }
        }
    }

    @Override
    public void close() {
        client.stop();
    }
}
