package io.rotor.connector.ssh;

import io.rotor.connector.ChangeRequest;
import io.rotor.connector.ChangeResult;
import io.rotor.connector.DiscoverRequest;
import io.rotor.connector.DiscoverResult;
import io.rotor.connector.Login;
import io.rotor.connector.ReconcileRequest;
import io.rotor.connector.TargetConnector;
import io.rotor.connector.VerifyRequest;
import io.rotor.connector.VerifyResult;
import io.rotor.domain.Secret;
import io.rotor.domain.Target;
import io.rotor.domain.UsernameRules;
import org.apache.sshd.client.session.ClientSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Unix accounts over SSH (type {@code ssh}, alias {@code unix}).
 *
 * <p>Settings: {@code knownHosts} (required), {@code hostKeyPolicy} strict|tofu, {@code adminMethod}
 * sudo|su (default sudo), {@code changer} (self-change, default {@value BuiltinChangers#UNIX_PASSWD}),
 * {@code adminChanger} (default by adminMethod), {@code stepTimeoutSeconds} (default 10),
 * {@code connectTimeoutSeconds} (default 10).
 *
 * <ul>
 *   <li>self: logs in as the account with CURRENT and runs {@code passwd}.</li>
 *   <li>sudo: the admin login's cached session runs {@code sudo -S} (admin password on stdin), then
 *       {@code chpasswd} reading {@code user:new} on stdin.</li>
 *   <li>su (PMP's "su as root"): logs in as the account with CURRENT, {@code su -} to the admin login (root or
 *       another uid-0 name) with its password, then {@code chpasswd} on stdin. Reconcile cannot use it (no
 *       CURRENT to log in with).</li>
 *   <li>verify: a fresh SSH login.</li>
 * </ul>
 * A login refused before anything was sent means the target still has the old credential: REJECTED.
 */
public final class SshConnector implements TargetConnector {
    private static final Logger LOG = LoggerFactory.getLogger(SshConnector.class);

    private final Target target;
    private final SshSessions sessions;
    private final DialogueEngine engine;
    private final Duration openTimeout = Duration.ofSeconds(10);
    private final java.util.function.Function<String, PasswordChanger> changers;
    private volatile String lastTranscript = "";
    private final ChangerCatalog failures;

    public SshConnector(Target target) {
        this(target, BuiltinChangers::get);
    }

    /** @param changers finds a changer by the name a target setting gives */
    public SshConnector(Target target, java.util.function.Function<String, PasswordChanger> changers) {
        this(target, changers, null);
    }

    /** @param failures where a failed dialogue's redacted transcript is kept and audited; may be null */
    public SshConnector(Target target, java.util.function.Function<String, PasswordChanger> changers,
                        ChangerCatalog failures) {
        this.target = target;
        this.failures = failures;
        this.changers = name -> {
            PasswordChanger c = changers.apply(name);
            if (c.type() != PasswordChanger.Type.CHANGE) {
                throw new IllegalArgumentException("password changer '" + c.name() + "' is a verifier, not a changer");
            }
            return c;
        };
        this.sessions = new SshSessions(target);
        this.engine = new DialogueEngine(Duration.ofMillis(
                (long) (Double.parseDouble(target.setting("stepTimeoutSeconds", "10")) * 1000)));
    }

    @Override
    public String type() {
        return target.type();
    }

    /** The redacted transcript of the last dialogue (kept for a failed run's report). */
    public String lastTranscript() {
        return lastTranscript;
    }

    @Override
    public VerifyResult verify(VerifyRequest request) {
        UsernameRules.check("ssh", request.login().username());
        try (ClientSession s = sessions.open(request.login())) {
            return VerifyResult.valid();
        } catch (SshSessions.LoginRefusedException e) {
            return VerifyResult.rejected(e.getMessage());
        } catch (IOException e) {
            return VerifyResult.unreachable(e.getMessage());
        }
    }

    @Override
    public ChangeResult change(ChangeRequest request) {
        UsernameRules.check("ssh", request.username());
        if (SshKeys.isKey(request.newSecret())) {
            return rotateKey(request);
        }
        if (!request.viaAdmin()) {
            PasswordChanger changer = changers.apply(selfChanger(target));
            return inFreshSession(new Login(request.username(), request.current()), changer,
                    values(request.username(), request.current(), request.newSecret(), null));
        }
        UsernameRules.check("ssh", request.admin().username());
        String method = target.setting("adminMethod", "sudo").trim().toLowerCase(Locale.ROOT);
        return switch (method) {
            case "sudo" -> viaSudo(request.username(), request.newSecret(), request.admin());
            case "su" -> {
                if (request.current() == null) {
                    yield ChangeResult.rejected("adminMethod su logs in as the account itself, and its current"
                            + " credential is not known");
                }
                PasswordChanger changer = changers.apply(target.setting("adminChanger", BuiltinChangers.UNIX_SU));
                yield inFreshSession(new Login(request.username(), request.current()), changer,
                        values(request.username(), request.current(), request.newSecret(), request.admin()));
            }
            default -> ChangeResult.rejected("target '" + target.id() + "': adminMethod must be sudo or su, not '" + method + "'");
        };
    }

    @Override
    public ChangeResult reconcile(ReconcileRequest request) {
        UsernameRules.check("ssh", request.username());
        String method = target.setting("adminMethod", "sudo").trim().toLowerCase(Locale.ROOT);
        if (!method.equals("sudo")) {
            return ChangeResult.rejected("reconcile needs adminMethod sudo: su logs in as the account, whose"
                    + " credential is unknown");
        }
        return viaSudo(request.username(), request.newSecret(), request.admin());
    }

    /**
     * The changer of a self-change: setting {@code passwordChanger} (a built-in or a stored, user-defined changer),
     * else {@code changer}, else {@value BuiltinChangers#UNIX_PASSWD}.
     */
    static String selfChanger(Target target) {
        return target.setting("passwordChanger", target.setting("changer", BuiltinChangers.UNIX_PASSWD));
    }

    /**
     * Gives a changer's declared variables bound to the server ({@code object_type} {@code server}) their values:
     * {@code address} → the target's host, {@code port} → its port, {@code name} → its id. Other bindings get no
     * value; a changer that uses one fails before anything is sent, naming the placeholder.
     */
    static void bindVariables(PasswordChanger changer, Target target, Placeholders values) {
        for (ChangerVariable v : changer.variables()) {
            if (!"server".equals(v.objectType()) || v.objectProperty() == null || v.encrypted()) {
                continue;
            }
            switch (v.objectProperty()) {
                case "address" -> values.plain(v.name(), target.host());
                case "port" -> values.plain(v.name(), Integer.toString(target.port()));
                case "name" -> values.plain(v.name(), target.id());
                default -> {
                }
            }
        }
    }

    /** The connector's target. */
    public Target target() {
        return target;
    }

    /** For tests: the session logs in as {@code admin}, while sudo is fed {@code sudoSecret}. */
    ChangeResult changeWithSudoPassword(String username, Secret newSecret, Login admin, Secret sudoSecret) {
        return viaSudo(username, newSecret, admin, new Login(admin.username(), sudoSecret));
    }

    private ChangeResult viaSudo(String username, Secret newSecret, Login admin) {
        return viaSudo(username, newSecret, admin, admin);
    }

    private ChangeResult viaSudo(String username, Secret newSecret, Login admin, Login sudo) {
        PasswordChanger changer = changers.apply(target.setting("adminChanger", BuiltinChangers.UNIX_SUDO));
        ClientSession session;
        try {
            session = sessions.shared(admin);
        } catch (SshSessions.LoginRefusedException e) {
            return ChangeResult.rejected("admin login refused: " + e.getMessage());
        } catch (IOException e) {
            return ChangeResult.rejected("no change sent: " + e.getMessage());
        }
        return play(session, changer, values(username, null, newSecret, sudo), admin.username(), username);
    }

    private ChangeResult inFreshSession(Login login, PasswordChanger changer, Placeholders values) {
        try (ClientSession session = sessions.open(login)) {
            return play(session, changer, values, null, login.username());
        } catch (SshSessions.LoginRefusedException e) {
            return ChangeResult.rejected("login refused: " + e.getMessage());
        } catch (IOException e) {
            return ChangeResult.rejected("no change sent: " + e.getMessage());
        }
    }

    private ChangeResult play(ClientSession session, PasswordChanger changer, Placeholders values, String sharedLogin,
                              String account) {
        SshShellChannel channel;
        try {
            channel = new SshShellChannel(session, changer.pty(), openTimeout);
        } catch (IOException e) {
            if (sharedLogin != null) {
                sessions.forget(sharedLogin);
            }
            return ChangeResult.rejected("no change sent: cannot open a shell channel: " + e.getMessage());
        }
        try (channel) {
            bindVariables(changer, target, values);
            DialogueResult result = engine.run(changer, values, channel);
            lastTranscript = result.transcript();
            if (!result.completed()) {
                LOG.warn("target {}: changer '{}' failed: {}; transcript:\n{}", target.id(), changer.name(),
                        result.error(), result.transcript());
                if (failures != null) {
                    failures.recordFailure(target.id(), account, changer.name(), result.error(), result.transcript());
                }
            }
            return result.toChangeResult();
        }
    }

    /**
     * SSH key rotation, logged in as the account with CURRENT (a key, or a password for the first key): checks
     * the modes of ~ / ~/.ssh / authorized_keys, appends the new public key (on stdin), logs in with the new
     * key, then removes the old key (when CURRENT was a key). Before the append nothing changed: REJECTED;
     * after it: UNKNOWN when a later step fails.
     */
    private ChangeResult rotateKey(ChangeRequest request) {
        if (request.viaAdmin() || request.current() == null) {
            return ChangeResult.rejected("SSH key rotation logs in as the account with its current credential;"
                    + " rotation through an admin login is not supported for keys");
        }
        java.security.KeyPair next;
        java.security.KeyPair old = null;
        try {
            next = SshKeys.fromSecret(request.newSecret());
            if (SshKeys.isKey(request.current())) {
                old = SshKeys.fromSecret(request.current());
            }
        } catch (IllegalArgumentException e) {
            return ChangeResult.rejected(e.getMessage());
        }
        String nextLine = SshKeys.publicLine(next);
        try (ClientSession session = sessions.open(new Login(request.username(), request.current()))) {
            Exec modes = exec(session, "umask 077; [ -d ~/.ssh ] || mkdir ~/.ssh; touch ~/.ssh/authorized_keys;"
                    + " stat -c '%n|%U|%a' ~ ~/.ssh ~/.ssh/authorized_keys", null);
            String problem = modeProblem(request.username(), modes.output());
            if (modes.status() != 0 || problem != null) {
                return ChangeResult.rejected(problem != null ? problem : "cannot inspect ~/.ssh: " + modes.output().strip());
            }
            Exec add = exec(session, "cat >> ~/.ssh/authorized_keys", (nextLine + " rotor\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
            if (add.status() != 0) {
                return ChangeResult.unknown("appending the new public key failed: " + add.output().strip());
            }
        } catch (SshSessions.LoginRefusedException e) {
            return ChangeResult.rejected("login refused: " + e.getMessage());
        } catch (IOException e) {
            return ChangeResult.unknown("key rotation interrupted: " + e.getMessage());
        }
        try (ClientSession fresh = sessions.open(new Login(request.username(), request.newSecret()))) {
            if (old != null) {
                // the old key's "type base64" on stdin; every line holding it is removed
                Exec remove = exec(fresh, "k=$(cat); grep -vF -- \"$k\" ~/.ssh/authorized_keys > ~/.ssh/authorized_keys.rotor;"
                                + " cat ~/.ssh/authorized_keys.rotor > ~/.ssh/authorized_keys && rm -f ~/.ssh/authorized_keys.rotor",
                        (SshKeys.publicLine(old) + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
                if (remove.status() != 0) {
                    return ChangeResult.unknown("the new key works, removing the old one failed: " + remove.output().strip());
                }
            }
            return ChangeResult.changed();
        } catch (IOException e) {
            return ChangeResult.unknown("the new key was added but a login with it failed: " + e.getMessage());
        }
    }

    /** What is wrong with ~ / ~/.ssh / authorized_keys for sshd's StrictModes, or null. */
    static String modeProblem(String user, String statOutput) {
        for (String line : statOutput.strip().split("\n")) {
            String[] f = line.strip().split("\\|");
            if (f.length != 3) {
                return "cannot inspect ~/.ssh: " + statOutput.strip();
            }
            int mode = Integer.parseInt(f[2], 8);
            if (!f[1].equals(user) && !f[1].equals("root")) {
                return f[0] + " is owned by " + f[1] + ", not " + user + ": sshd ignores authorized_keys (StrictModes);"
                        + " fix with chown " + user + " " + f[0];
            }
            if ((mode & 022) != 0) {
                return f[0] + " has mode " + f[2] + " (group/world-writable): sshd ignores authorized_keys (StrictModes);"
                        + " fix with chmod go-w " + f[0];
            }
        }
        return null;
    }

    record Exec(int status, String output) {
    }

    private Exec exec(ClientSession session, String command, byte[] stdin) throws IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try (org.apache.sshd.client.channel.ChannelExec ch = session.createExecChannel(command)) {
            ch.setIn(new java.io.ByteArrayInputStream(stdin == null ? new byte[0] : stdin));
            ch.setOut(out);
            ch.setErr(out);
            ch.open().verify(openTimeout);
            ch.waitFor(java.util.EnumSet.of(org.apache.sshd.client.channel.ClientChannelEvent.CLOSED),
                    Duration.ofSeconds(30));
            Integer status = ch.getExitStatus();
            return new Exec(status == null ? -1 : status, out.toString(java.nio.charset.StandardCharsets.UTF_8));
        }
    }

    private static Placeholders values(String username, Secret current, Secret next, Login admin) {
        Placeholders p = new Placeholders()
                .plain(Placeholders.ACCOUNT_LOGIN, username)
                .secret(Placeholders.ACCOUNT_SECRET, current)
                .secret(Placeholders.ACCOUNT_NEW_SECRET, next);
        if (admin != null) {
            p.plain(Placeholders.ADMIN_LOGIN, admin.username()).secret(Placeholders.ADMIN_SECRET, admin.secret());
        }
        return p;
    }

    @Override
    public DiscoverResult discover(DiscoverRequest request) {
        List<String> names = new ArrayList<>();
        try {
            ClientSession session = sessions.shared(request.admin());
            String out = session.executeRemoteCommand("getent passwd | cut -d: -f1");
            for (String line : out.split("\n")) {
                String name = line.strip();
                if (!name.isEmpty() && (request.filter() == null || name.matches(request.filter().replace("%", ".*")))) {
                    names.add(name);
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("discover failed: " + e.getMessage(), e);
        }
        return new DiscoverResult(names);
    }

    @Override
    public void close() {
        sessions.close();
    }
}
