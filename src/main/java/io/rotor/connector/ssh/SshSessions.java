package io.rotor.connector.ssh;

import io.rotor.connector.Login;
import io.rotor.domain.Target;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.auth.keyboard.UserAuthKeyboardInteractiveFactory;
import org.apache.sshd.client.auth.password.UserAuthPasswordFactory;
import org.apache.sshd.client.auth.pubkey.UserAuthPublicKeyFactory;
import org.apache.sshd.client.config.hosts.HostConfigEntryResolver;
import org.apache.sshd.common.keyprovider.KeyIdentityProvider;
import org.apache.sshd.core.CoreModuleProperties;
import org.apache.sshd.client.config.hosts.KnownHostEntry;
import org.apache.sshd.client.keyverifier.AcceptAllServerKeyVerifier;
import org.apache.sshd.client.keyverifier.KnownHostsServerKeyVerifier;
import org.apache.sshd.client.keyverifier.RejectAllServerKeyVerifier;
import org.apache.sshd.client.keyverifier.ServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.NamedResource;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.util.security.SecurityUtils;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PublicKey;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * SSH sessions to one target: one started client, host keys checked against the target's {@code knownHosts}
 * file ({@code hostKeyPolicy=strict}, the default, refuses unknown hosts; {@code tofu} records the first key
 * seen; a changed key is always refused), logins by password or by a private key (a credential that starts
 * with {@code -----BEGIN}). Admin sessions are cached per login and reused for many accounts.
 *
 * <p>Only the credential under test ever authenticates: the client has no default identities (MINA would
 * otherwise offer the OS user's {@code ~/.ssh/id_*}), reads no {@code ~/.ssh/config} (which could add an
 * {@code IdentityFile}, change the user, host or port), uses no agent, and offers the server one method only:
 * {@code password} for a password, {@code publickey} for a key. Otherwise a "fresh login with the new password"
 * could succeed by key and prove nothing.
 */
final class SshSessions implements AutoCloseable {
    private final Target target;
    private final SshClient client;
    private final Duration connectTimeout;
    private final Map<String, ClientSession> cached = new ConcurrentHashMap<>();
    private final Map<SocketAddress, String> hostKeyProblems = new ConcurrentHashMap<>();

    /** A login the server refused (as opposed to a host that cannot be reached). */
    static final class LoginRefusedException extends IOException {
        LoginRefusedException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    SshSessions(Target target) {
        this.target = target;
        this.connectTimeout = Duration.ofSeconds(Long.parseLong(target.setting("connectTimeoutSeconds", "10")));
        client = isolatedClient(verifier());
        client.start();
    }

    /**
     * A MINA client that authenticates with nothing but what a session is given: no default identities, no
     * user configuration file, no agent, password and public-key methods only; channel writes give up after
     * {@link #WINDOW_TIMEOUT} instead of waiting forever for a peer that stopped reading.
     */
    static SshClient isolatedClient(ServerKeyVerifier verifier) {
        SshClient c = SshClient.setUpDefaultClient();
        c.setServerKeyVerifier(verifier);
        c.setKeyIdentityProvider(KeyIdentityProvider.EMPTY_KEYS_PROVIDER);
        c.setHostConfigEntryResolver(HostConfigEntryResolver.EMPTY);
        c.setAgentFactory(null);
        c.setUserAuthFactories(new java.util.ArrayList<>(java.util.List.of(UserAuthPublicKeyFactory.INSTANCE,
                UserAuthPasswordFactory.INSTANCE, UserAuthKeyboardInteractiveFactory.INSTANCE)));
        CoreModuleProperties.WINDOW_TIMEOUT.set(c, WINDOW_TIMEOUT);
        return c;
    }

    /** How long a write waits for the peer's window (a peer that never reads must not block a worker). */
    static final Duration WINDOW_TIMEOUT = Duration.ofSeconds(30);

    private ServerKeyVerifier verifier() {
        String knownHosts = target.setting("knownHosts", null);
        String policy = target.setting("hostKeyPolicy", "strict").trim().toLowerCase(java.util.Locale.ROOT);
        if (!policy.equals("strict") && !policy.equals("tofu")) {
            throw new IllegalArgumentException("target '" + target.id() + "': hostKeyPolicy must be strict or tofu");
        }
        if (knownHosts == null || knownHosts.isBlank()) {
            throw new IllegalArgumentException("target '" + target.id() + "': setting knownHosts (a known_hosts file) is required");
        }
        Path file = Path.of(knownHosts);
        if (policy.equals("tofu") && !Files.exists(file)) {
            try {
                Files.createDirectories(file.toAbsolutePath().getParent());
                Files.createFile(file);
            } catch (IOException e) {
                throw new IllegalArgumentException("target '" + target.id() + "': cannot create knownHosts " + file, e);
            }
        }
        ServerKeyVerifier unknown = policy.equals("tofu") ? AcceptAllServerKeyVerifier.INSTANCE : (session, address, key) -> {
            hostKeyProblems.put(address, "host key of " + address + " (" + KeyUtils.getFingerPrint(key)
                    + ") is not in " + file + " and hostKeyPolicy is strict");
            return false;
        };
        KnownHostsServerKeyVerifier v = new KnownHostsServerKeyVerifier(unknown, file);
        v.setModifiedServerKeyAcceptor((ClientSession session, SocketAddress address, KnownHostEntry entry,
                                        PublicKey expected, PublicKey actual) -> {
            hostKeyProblems.put(address, "HOST KEY MISMATCH for " + address + ": " + file + " has "
                    + KeyUtils.getFingerPrint(expected) + ", the server offered " + KeyUtils.getFingerPrint(actual)
                    + "; refusing to connect (remove the old entry only if the key change is expected)");
            return false;
        });
        return v;
    }

    /** The target's port, 22 when the target gives none. */
    static int port(Target target) {
        return target.port() > 0 ? target.port() : 22;
    }

    /** A fresh authenticated session; the caller closes it. */
    ClientSession open(Login login) throws IOException {
        ClientSession session;
        try {
            session = client.connect(login.username(), target.host(), port(target)).verify(connectTimeout).getSession();
        } catch (IOException e) {
            throw new IOException("cannot connect to " + target.host() + ":" + port(target) + ": " + e.getMessage(), e);
        }
        try {
            char[] chars = login.secret().chars();
            String value = new String(chars);
            java.util.Arrays.fill(chars, '\0');
            if (SshKeys.isKey(login.secret())) {
                KeyPair kp;
                try {
                    kp = SshKeys.fromSecret(login.secret());
                } catch (IllegalArgumentException e) {
                    throw new IOException(e.getMessage());
                }
                session.addPublicKeyIdentity(kp);
                session.setUserAuthFactories(new java.util.ArrayList<>(java.util.List.of(UserAuthPublicKeyFactory.INSTANCE)));
            } else {
                session.addPasswordIdentity(value);
                // keyboard-interactive answers the server's password prompt with this same password (PAM set-ups)
                session.setUserAuthFactories(new java.util.ArrayList<>(java.util.List.of(UserAuthPasswordFactory.INSTANCE,
                        UserAuthKeyboardInteractiveFactory.INSTANCE)));
            }
            try {
                session.auth().verify(connectTimeout);
            } catch (IOException e) {
                String problem = hostKeyProblems.remove(session.getConnectAddress());
                if (problem == null) {
                    problem = hostKeyProblems.values().stream().findFirst().orElse(null);
                    hostKeyProblems.clear();
                }
                if (problem != null) {
                    throw new IOException(problem, e);
                }
                // only the server's own "no more authentication methods" refuses the credential: a login that
                // timed out or a connection that broke (a silent or flooding peer) says nothing about it
                if (!String.valueOf(e.getMessage()).contains("No more authentication methods")) {
                    throw new IOException("connection to " + target.host() + ":" + port(target)
                            + " lost or unanswered during login: " + e.getMessage(), e);
                }
                throw new LoginRefusedException("the server refused the login of " + login.username(), e);
            }
            return session;
        } catch (IOException | RuntimeException e) {
            session.close(true);
            throw e;
        }
    }

    /** The cached session of this login, opened when missing or closed. Never close it yourself. */
    ClientSession shared(Login login) throws IOException {
        String key = login.username();
        ClientSession s = cached.get(key);
        if (s != null && s.isOpen() && s.isAuthenticated()) {
            return s;
        }
        synchronized (cached) {
            s = cached.get(key);
            if (s != null && s.isOpen() && s.isAuthenticated()) {
                return s;
            }
            ClientSession fresh = open(login);
            cached.put(key, fresh);
            return fresh;
        }
    }

    /** Drops a cached session (after an admin login was refused, or its password changed). */
    void forget(String username) {
        ClientSession s = cached.remove(username);
        if (s != null) {
            s.close(true);
        }
    }

    @Override
    public void close() {
        cached.values().forEach(s -> s.close(true));
        cached.clear();
        client.stop();
    }

    static ServerKeyVerifier rejectAll() {
        return RejectAllServerKeyVerifier.INSTANCE;
    }
}
