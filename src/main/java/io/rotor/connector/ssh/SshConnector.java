package io.rotor.connector.ssh;

import io.rotor.connector.ChangeRequest;
import io.rotor.connector.ChangeResult;
import io.rotor.connector.DiscoverRequest;
import io.rotor.connector.DiscoverResult;
import io.rotor.connector.LoginFacts;
import io.rotor.connector.Elevation;
import io.rotor.connector.Login;
import io.rotor.connector.ReconcileRequest;
import io.rotor.connector.TargetConnector;
import io.rotor.connector.VerifyRequest;
import io.rotor.connector.VerifyResult;
import io.rotor.domain.PasswordPolicy;
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
 * Unix accounts and network devices over SSH (type {@code ssh}, alias {@code unix}).
 *
 * <p>Settings: {@code knownHosts} (required), {@code hostKeyPolicy} strict|tofu, {@code adminMethod}
 * sudo|su (default sudo), {@code loginAccount} (su: the vault account whose session runs su; default the admin
 * account), {@code enableSecretAccount} (devices: the vault account holding the enable secret), {@code changer}
 * (self-change, default {@value BuiltinChangers#UNIX_PASSWD}), {@code adminChanger} (default by adminMethod),
 * {@code stepTimeoutSeconds} (default 10), {@code connectTimeoutSeconds} (default 10),
 * {@code discoverTimeoutSeconds} (default 60).
 *
 * <ul>
 *   <li>self: logs in as the account with CURRENT and runs {@code passwd} (or a device changer).</li>
 *   <li>admin: see {@link AdminPlan}: sudo in the admin's cached session, or su from a login account that Rotor
 *       controls, never inside the rotated account's own session.</li>
 *   <li>SSH keys: with CURRENT, the account edits its own {@code authorized_keys}; without it (reconcile), the
 *       admin runs {@code sudo -u <account>} so that the file is written with the account's own rights.</li>
 *   <li>verify: a fresh SSH login with only the credential under test.</li>
 * </ul>
 * A login refused before anything was sent means the target still has the old credential: REJECTED.
 */
public final class SshConnector implements TargetConnector {
    private static final Logger LOG = LoggerFactory.getLogger(SshConnector.class);
    /** The most output an exec command (key checks, discovery) may return. */
    static final int MAX_EXEC_OUTPUT = 64 * 1024;
    /** The most output account discovery may return (a few hundred thousand names). */
    static final int MAX_DISCOVER_OUTPUT = 8 * 1024 * 1024;

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
        this.changers = changers;
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
    public PasswordPolicy defaultPolicy() {
        return usesNetworkDeviceChanger(target) ? PasswordPolicy.deviceSafe() : PasswordPolicy.defaults();
    }

    /** True when the target's self or admin changer is a built-in network-device changer. */
    static boolean usesNetworkDeviceChanger(Target target) {
        return BuiltinChangers.isNetworkDevice(selfChanger(target))
                || BuiltinChangers.isNetworkDevice(target.setting("adminChanger", null));
    }

    @Override
    public ChangeResult change(ChangeRequest request) {
        UsernameRules.check("ssh", request.username());
        if (SshKeys.isKey(request.newSecret())) {
            if (request.current() != null) {
                return rotateKey(request);
            }
            if (request.viaAdmin()) {
                return installKeyViaAdmin(request.username(), request.newSecret(), request.admin());
            }
            return ChangeResult.rejected("SSH key rotation needs the account's current credential or an admin account");
        }
        if (!request.viaAdmin()) {
            Resolved changer = resolve(selfChanger(target), request.newSecret());
            if (changer.refusal() != null) {
                return ChangeResult.rejected(changer.refusal());
            }
            return inFreshSession(new Login(request.username(), request.current()), changer.changer(),
                    values(request.username(), request.current(), request.newSecret(), null, request.elevation()));
        }
        UsernameRules.check("ssh", request.admin().username());
        AdminPlan plan = AdminPlan.of(target, request.username(), request.current(), request.admin(), request.elevation());
        return viaAdmin(plan, request.username(), request.current(), request.newSecret(), request.admin(),
                request.elevation());
    }

    @Override
    public ChangeResult reconcile(ReconcileRequest request) {
        UsernameRules.check("ssh", request.username());
        UsernameRules.check("ssh", request.admin().username());
        if (SshKeys.isKey(request.newSecret())) {
            // never a private key into chpasswd: the key goes into authorized_keys
            return installKeyViaAdmin(request.username(), request.newSecret(), request.admin());
        }
        AdminPlan plan = AdminPlan.of(target, request.username(), null, request.admin(), request.elevation());
        return viaAdmin(plan, request.username(), null, request.newSecret(), request.admin(), request.elevation());
    }

    private ChangeResult viaAdmin(AdminPlan plan, String username, Secret current, Secret next, Login admin,
                                  Elevation elevation) {
        if (plan.isRefused()) {
            return ChangeResult.rejected(plan.refusal());
        }
        UsernameRules.check("ssh", plan.session().username());
        Resolved changer = resolve(plan.changer(), next);
        if (changer.refusal() != null) {
            return ChangeResult.rejected(changer.refusal());
        }
        if (plan.selfChange()) {
            return inFreshSession(plan.session(), changer.changer(), values(username, current, next, null, elevation));
        }
        return inSharedSession(plan.session(), changer.changer(), values(username, null, next, admin, elevation), username);
    }

    /** A changer by name, or why it cannot run here (unknown, a verifier, another transport, a value it cannot take). */
    private Resolved resolve(String name, Secret next) {
        PasswordChanger changer;
        try {
            changer = changers.apply(name);
        } catch (IllegalArgumentException e) {
            return new Resolved(null, e.getMessage() + "; nothing was sent");
        }
        String problem = ChangerRules.problem(changer, PasswordChanger.Transport.SSH);
        if (problem == null) {
            problem = ChangerRules.deviceValueProblem(changer, next);
        }
        return new Resolved(problem == null ? changer : null, problem);
    }

    record Resolved(PasswordChanger changer, String refusal) {
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
        bindVariables(changer, target, values, SshSessions.port(target));
    }

    /** As {@link #bindVariables(PasswordChanger, Target, Placeholders)}, with the port the transport connects to. */
    static void bindVariables(PasswordChanger changer, Target target, Placeholders values, int port) {
        for (ChangerVariable v : changer.variables()) {
            if (!"server".equals(v.objectType()) || v.objectProperty() == null || v.encrypted()) {
                continue;
            }
            switch (v.objectProperty()) {
                case "address" -> values.plain(v.name(), target.host());
                case "port" -> values.plain(v.name(), Integer.toString(port));
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
        PasswordChanger changer = changers.apply(target.setting("adminChanger", BuiltinChangers.UNIX_SUDO));
        return inSharedSession(admin, changer, values(username, null, newSecret,
                new Login(admin.username(), sudoSecret), Elevation.NONE), username);
    }

    /** A change in the cached session of a login Rotor controls (the admin, or the su login account). */
    private ChangeResult inSharedSession(Login login, PasswordChanger changer, Placeholders values, String account) {
        ClientSession session;
        try {
            session = sessions.shared(login);
        } catch (SshSessions.LoginRefusedException e) {
            return ChangeResult.loginRefused("login of " + login.username() + " (the session an admin change runs in)"
                    + " refused: " + e.getMessage() + (AdminPlan.SU.equals(AdminPlan.method(target))
                    ? "; with adminMethod su, set loginAccount to an account that may log in" : ""));
        } catch (IOException e) {
            return ChangeResult.rejected("no change sent: " + e.getMessage());
        }
        return play(session, changer, values, login.username(), account);
    }

    private ChangeResult inFreshSession(Login login, PasswordChanger changer, Placeholders values) {
        try (ClientSession session = sessions.open(login)) {
            return play(session, changer, values, null, login.username());
        } catch (SshSessions.LoginRefusedException e) {
            return ChangeResult.loginRefused("login refused: " + e.getMessage());
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
            bindVariables(changer, target, values, SshSessions.port(target));
            DialogueResult result = engine.run(changer, values, channel);
            lastTranscript = result.transcript();
            if (!result.completed()) {
                // the transcript (redacted by the engine) only at DEBUG, escaped; the audit record has its end
                LOG.warn("target {}: changer '{}' failed: {}", target.id(), changer.name(), result.error());
                if (LOG.isDebugEnabled()) {
                    LOG.debug("target {}: changer '{}' transcript: {}", target.id(), changer.name(),
                            io.rotor.domain.VisibleText.clean(result.transcript(), DialogueEngine.MAX_TRANSCRIPT_CHARS * 4));
                }
                if (failures != null) {
                    failures.recordFailure(target.id(), account, changer.name(), result.error(), result.transcript());
                }
            }
            return result.toChangeResult();
        }
    }

    /**
     * SSH key rotation, logged in as the account with CURRENT (a key, or a password for the first key; also on a
     * target with an admin account: the account needs no privilege to edit its own authorized_keys): checks
     * the modes of ~ / ~/.ssh / authorized_keys, appends the new public key (on stdin), logs in with the new
     * key, then removes the old key (when CURRENT was a key). Before the append nothing changed: REJECTED;
     * after it: UNKNOWN when a later step fails.
     */
    private ChangeResult rotateKey(ChangeRequest request) {
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
            return ChangeResult.loginRefused("login refused: " + e.getMessage());
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
        return exec(session, command, stdin, MAX_EXEC_OUTPUT, Duration.ofSeconds(30));
    }

    /**
     * Runs a command on an exec channel, reading at most {@code maxOutput} bytes and waiting at most
     * {@code timeout}: past either bound the channel is closed and the status is -1 with the reason as output.
     */
    private Exec exec(ClientSession session, String command, byte[] stdin, int maxOutput, Duration timeout)
            throws IOException {
        BoundedOutput out = new BoundedOutput(maxOutput);
        try (org.apache.sshd.client.channel.ChannelExec ch = session.createExecChannel(command)) {
            ch.setIn(new java.io.ByteArrayInputStream(stdin == null ? new byte[0] : stdin));
            ch.setOut(out);
            ch.setErr(out);
            out.onOverflow(() -> ch.close(true));
            ch.open().verify(openTimeout);
            java.util.Set<org.apache.sshd.client.channel.ClientChannelEvent> events = ch.waitFor(
                    java.util.EnumSet.of(org.apache.sshd.client.channel.ClientChannelEvent.CLOSED), timeout);
            if (out.overflowed()) {
                return new Exec(-1, "the command printed more than " + maxOutput + " bytes; stopped");
            }
            if (!events.contains(org.apache.sshd.client.channel.ClientChannelEvent.CLOSED)) {
                ch.close(true);
                return new Exec(-1, "the command did not finish within " + timeout.toSeconds() + " s; stopped");
            }
            Integer status = ch.getExitStatus();
            return new Exec(status == null ? -1 : status, out.text());
        }
    }

    /** Keeps at most {@code max} bytes; past that it drops the rest and tells its listener once. */
    static final class BoundedOutput extends java.io.OutputStream {
        private final java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        private final int max;
        private volatile boolean overflowed;
        private volatile Runnable onOverflow = () -> { };

        BoundedOutput(int max) {
            this.max = max;
        }

        void onOverflow(Runnable r) {
            onOverflow = r;
        }

        boolean overflowed() {
            return overflowed;
        }

        synchronized String text() {
            return bytes.toString(java.nio.charset.StandardCharsets.UTF_8);
        }

        @Override
        public void write(int b) {
            write(new byte[]{(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            boolean tell = false;
            synchronized (this) {
                if (overflowed) {
                    return;
                }
                int room = max - bytes.size();
                if (len > room) {
                    bytes.write(b, off, room);
                    overflowed = true;
                    tell = true;
                } else {
                    bytes.write(b, off, len);
                }
            }
            if (tell) {
                onOverflow.run();
            }
        }
    }

    private static Placeholders values(String username, Secret current, Secret next, Login admin, Elevation elevation) {
        Placeholders p = new Placeholders()
                .plain(Placeholders.ACCOUNT_LOGIN, username)
                .secret(Placeholders.ACCOUNT_SECRET, current)
                .secret(Placeholders.ACCOUNT_NEW_SECRET, next);
        if (admin != null) {
            p.plain(Placeholders.ADMIN_LOGIN, admin.username()).secret(Placeholders.ADMIN_SECRET, admin.secret());
        }
        return withEnableSecret(p, elevation);
    }

    /** {@code %%enable_secret%%} and {@code %%enable_password%%}: the device's enable secret, when the target names one. */
    static Placeholders withEnableSecret(Placeholders p, Elevation elevation) {
        if (elevation != null && elevation.enableSecret() != null) {
            p.secret(Placeholders.ENABLE_SECRET, elevation.enableSecret())
                    .secret(Placeholders.ENABLE_PASSWORD, elevation.enableSecret());
        }
        return p;
    }

    /**
     * Installs a new key for an account whose current credential is unknown (reconcile) or absent: the admin runs
     * {@code sudo -H -u <account>}, so that the account's own rights write its {@code ~/.ssh} (a symlink planted
     * there cannot make root overwrite another file). Rotor's earlier keys (comment {@code rotor}) are replaced,
     * other keys stay. Only the public key is sent; the private key never leaves the vault.
     */
    private ChangeResult installKeyViaAdmin(String username, Secret newKey, Login admin) {
        if (!AdminPlan.SUDO.equals(AdminPlan.method(target))) {
            return ChangeResult.rejected("installing an SSH key through the admin account needs adminMethod sudo"
                    + " (sudo -u writes the file with the account's own rights); nothing was sent");
        }
        String publicLine;
        try {
            publicLine = SshKeys.publicLine(SshKeys.fromSecret(newKey));
        } catch (IllegalArgumentException e) {
            return ChangeResult.rejected(e.getMessage());
        }
        Placeholders values = new Placeholders()
                .plain(Placeholders.ACCOUNT_LOGIN, username)
                .plain(Placeholders.ACCOUNT_NEW_PUBLIC_KEY, publicLine)
                .plain(Placeholders.ADMIN_LOGIN, admin.username())
                .secret(Placeholders.ADMIN_SECRET, admin.secret());
        return inSharedSession(admin, KEY_VIA_SUDO, values, username);
    }

    /** The dialogue of {@link #installKeyViaAdmin}: the public key line goes to the account's shell on stdin. */
    static final PasswordChanger KEY_VIA_SUDO = new PasswordChanger("key-via-sudo", PasswordChanger.Type.CHANGE,
            "Unix sudo -u authorized_keys", PasswordChanger.Transport.SSH, 120, null, List.of(
            ChangerStep.input("LC_ALL=C sudo -k -S -p 'rotor-sudo-''password:' -H -u %%account_login%% -- sh -c '"
                    + BuiltinChangers.NO_LINE_DISCIPLINE + "; echo rotor-sudo-\"\"ok; IFS= read -r k; umask 077; cd || exit 1;"
                    + " [ -d .ssh ] || mkdir .ssh || exit 1; touch .ssh/authorized_keys || exit 1;"
                    + " { grep -v \" rotor\\$\" .ssh/authorized_keys; printf \"%s rotor\\n\" \"$k\"; } > .ssh/authorized_keys.rotor"
                    + " && cat .ssh/authorized_keys.rotor > .ssh/authorized_keys && rm -f .ssh/authorized_keys.rotor'; echo rotor-rc=$?"),
            ChangerStep.expected("rotor-sudo-password:"),
            ChangerStep.input("%%admin_secret%%"),
            ChangerStep.expected("rotor-sudo-ok"),
            ChangerStep.input("%%account_new_public_key%%"),
            ChangerStep.expected("rotor-rc=0\\b")), false, true, false, null, null);

    @Override
    public DiscoverResult discover(DiscoverRequest request) {
        Duration timeout = Duration.ofSeconds(Long.parseLong(target.setting("discoverTimeoutSeconds", "60")));
        List<String> names = new ArrayList<>();
        java.util.Map<String, LoginFacts> facts = new java.util.HashMap<>();
        java.util.regex.Pattern filter = request.filter() == null ? null : likePattern(request.filter());
        try {
            ClientSession session = sessions.shared(request.admin());
            Exec out = exec(session, "getent passwd | cut -d: -f1,3", null, MAX_DISCOVER_OUTPUT, timeout);
            if (out.status() != 0) {
                throw new IllegalStateException("discover failed: " + out.output().strip());
            }
            for (String line : out.output().split("\n")) {
                PasswdEntry entry = PasswdEntry.parse(line);
                if (entry != null && (filter == null || filter.matcher(entry.name()).matches())) {
                    names.add(entry.name());
                    if (entry.uid() != null) {
                        facts.put(entry.name(), LoginFacts.uid(entry.uid()));
                    }
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("discover failed: " + e.getMessage(), e);
        }
        return new DiscoverResult(names, facts);
    }

    /**
     * One line of {@code getent passwd | cut -d: -f1,3}: the login name and its numeric uid (null when the field
     * is missing or not a number, so that a strange line never passes for an ordinary user).
     */
    record PasswdEntry(String name, Long uid) {
        static PasswdEntry parse(String line) {
            String clean = line.strip();
            int colon = clean.indexOf(':');
            String name = colon < 0 ? clean : clean.substring(0, colon);
            if (name.isEmpty()) {
                return null;
            }
            Long uid = null;
            if (colon >= 0 && clean.substring(colon + 1).matches("[0-9]{1,10}")) {
                uid = Long.parseLong(clean.substring(colon + 1));
            }
            return new PasswdEntry(name, uid);
        }
    }

    /** A LIKE pattern ({@code %} any run, {@code _} one character, everything else literal) as a regex. */
    static java.util.regex.Pattern likePattern(String like) {
        StringBuilder regex = new StringBuilder();
        StringBuilder literal = new StringBuilder();
        for (char c : like.toCharArray()) {
            if (c == '%' || c == '_') {
                if (!literal.isEmpty()) {
                    regex.append(java.util.regex.Pattern.quote(literal.toString()));
                    literal.setLength(0);
                }
                regex.append(c == '%' ? ".*" : ".");
            } else {
                literal.append(c);
            }
        }
        if (!literal.isEmpty()) {
            regex.append(java.util.regex.Pattern.quote(literal.toString()));
        }
        return java.util.regex.Pattern.compile(regex.toString(), java.util.regex.Pattern.DOTALL);
    }

    @Override
    public void close() {
        sessions.close();
    }
}
