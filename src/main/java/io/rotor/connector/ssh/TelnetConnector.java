package io.rotor.connector.ssh;

import io.rotor.connector.ChangeRequest;
import io.rotor.connector.ChangeResult;
import io.rotor.connector.DiscoverRequest;
import io.rotor.connector.DiscoverResult;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.List;

import static io.rotor.connector.ssh.ChangerStep.expected;
import static io.rotor.connector.ssh.ChangerStep.input;

/**
 * Unix accounts and network devices over telnet (type {@code telnet}, port 23 when the target gives none): the
 * login dialogue, then the same changers as SSH on the remote terminal. Self-change (setting {@code changer},
 * default {@value BuiltinChangers#UNIX_PASSWD}) and admin changes ({@link AdminPlan}: {@code adminMethod} sudo or
 * su with {@code loginAccount}, device changers as {@code adminChanger} with {@code enableSecretAccount}). Telnet
 * is clear text, so prefer SSH wherever it exists.
 *
 * <p>Settings: {@code stepTimeoutSeconds} (10), {@code connectTimeoutSeconds} (10), {@code loginPrompt} (regex,
 * default {@value #LOGIN_PROMPT}; empty for a device that asks only for a password), {@code passwordPrompt}
 * ({@value #PASSWORD_PROMPT}), {@code shellPrompt} ({@value #SHELL_PROMPT}). The login dialogue stops as soon as
 * the prompt after the password shows, and the changer then searches from where the password was sent: a device
 * changer that starts by waiting for the user-mode prompt ({@code >}) sees it.
 */
public final class TelnetConnector implements TargetConnector {
    private static final Logger LOG = LoggerFactory.getLogger(TelnetConnector.class);
    static final String LOGIN_PROMPT = "(?i)(login|username|user name): ?$";
    static final String PASSWORD_PROMPT = "(?i)password: ?$";
    /** What a refused login prints (Linux login, Cisco IOS and kin). */
    static final String REFUSED_WORDS = "login incorrect|login invalid|authentication failed|access denied";
    /** The prompt after a login, or a refusal. */
    static final String SHELL_PROMPT = "(?i)[$#>] ?$|" + REFUSED_WORDS;
    private static final java.util.regex.Pattern REFUSED = java.util.regex.Pattern.compile("(?i)" + REFUSED_WORDS);

    private final Target target;
    private final DialogueEngine engine;
    private final Duration connectTimeout;
    private volatile String lastTranscript = "";
    private final ChangerCatalog catalog;

    public TelnetConnector(Target target) {
        this(target, null);
    }

    /** @param catalog built-in and stored changers, and where a failed run's transcript is kept; null: built-ins only */
    public TelnetConnector(Target target, ChangerCatalog catalog) {
        this.catalog = catalog;
        this.target = target;
        this.engine = new DialogueEngine(Duration.ofMillis((long) (Double.parseDouble(target.setting("stepTimeoutSeconds", "10")) * 1000)));
        this.connectTimeout = Duration.ofSeconds(Long.parseLong(target.setting("connectTimeoutSeconds", "10")));
    }

    /** The target's port, 23 when the target gives none. */
    static int port(Target target) {
        return target.port() > 0 ? target.port() : 23;
    }

    @Override
    public String type() {
        return target.type();
    }

    public Target target() {
        return target;
    }

    public String lastTranscript() {
        return lastTranscript;
    }

    @Override
    public PasswordPolicy defaultPolicy() {
        return SshConnector.usesNetworkDeviceChanger(target) ? PasswordPolicy.deviceSafe() : PasswordPolicy.defaults();
    }

    /** A logged-in session: the channel, and where in its output the password was sent. */
    record Session(TelnetChannel channel, int afterPassword) {
    }

    /** Why a login did not give a session. */
    static final class LoginFailed extends Exception {
        final boolean refused;

        LoginFailed(boolean refused, String message) {
            super(message, null, false, false);
            this.refused = refused;
        }
    }

    /** Logs in; the caller closes the channel. */
    private Session logIn(Login who) throws IOException, LoginFailed {
        TelnetChannel channel = new TelnetChannel(target.host(), port(target), connectTimeout);
        try {
            Placeholders values = new Placeholders().plain(Placeholders.ACCOUNT_LOGIN, who.username())
                    .secret(Placeholders.ACCOUNT_SECRET, who.secret());
            String loginPrompt = target.setting("loginPrompt", LOGIN_PROMPT);
            List<ChangerStep> untilPassword = new java.util.ArrayList<>();
            if (!loginPrompt.isEmpty()) {
                untilPassword.add(expected(loginPrompt));
                untilPassword.add(input("%%account_login%%"));
            }
            untilPassword.add(expected(target.setting("passwordPrompt", PASSWORD_PROMPT)));
            DialogueResult first = engine.run(dialogue(untilPassword), values, channel);
            lastTranscript = first.transcript();
            if (!first.completed()) {
                throw new LoginFailed(false, first.error());
            }
            int afterPassword = channel.output().length();
            DialogueResult second = engine.run(dialogue(List.of(input("%%account_secret%%"),
                    expected(target.setting("shellPrompt", SHELL_PROMPT)))), values, channel, afterPassword);
            lastTranscript = first.transcript() + second.transcript();
            if (!second.completed()) {
                throw new LoginFailed(false, second.error());
            }
            if (REFUSED.matcher(channel.output().since(afterPassword)).find()) {
                throw new LoginFailed(true, "the server refused the login of " + who.username());
            }
            return new Session(channel, afterPassword);
        } catch (LoginFailed | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    private static PasswordChanger dialogue(List<ChangerStep> steps) {
        return new PasswordChanger("telnet-login", PasswordChanger.Type.VERIFY, "Telnet login",
                PasswordChanger.Transport.TELNET, 60, null, steps, true, false, true, null, null);
    }

    @Override
    public VerifyResult verify(VerifyRequest request) {
        UsernameRules.check("unix", request.login().username());
        try {
            logIn(request.login()).channel().close();
            return VerifyResult.valid();
        } catch (LoginFailed e) {
            return e.refused ? VerifyResult.rejected(e.getMessage()) : VerifyResult.unreachable(e.getMessage());
        } catch (IOException e) {
            return VerifyResult.unreachable("cannot connect to " + target.host() + ":" + port(target) + ": " + e.getMessage());
        }
    }

    @Override
    public ChangeResult change(ChangeRequest request) {
        UsernameRules.check("unix", request.username());
        if (SshKeys.isKey(request.newSecret())) {
            return ChangeResult.rejected("the telnet connector cannot install SSH keys; nothing was sent");
        }
        if (!request.viaAdmin()) {
            return play(new Login(request.username(), request.current()), SshConnector.selfChanger(target),
                    values(request.username(), request.current(), request.newSecret(), null, request.elevation()),
                    request.username(), request.newSecret());
        }
        UsernameRules.check("unix", request.admin().username());
        return viaAdmin(AdminPlan.of(target, request.username(), request.current(), request.admin(), request.elevation()),
                request.username(), request.current(), request.newSecret(), request.admin(), request.elevation());
    }

    @Override
    public ChangeResult reconcile(ReconcileRequest request) {
        UsernameRules.check("unix", request.username());
        UsernameRules.check("unix", request.admin().username());
        if (SshKeys.isKey(request.newSecret())) {
            return ChangeResult.rejected("the telnet connector cannot install SSH keys; nothing was sent");
        }
        return viaAdmin(AdminPlan.of(target, request.username(), null, request.admin(), request.elevation()),
                request.username(), null, request.newSecret(), request.admin(), request.elevation());
    }

    private ChangeResult viaAdmin(AdminPlan plan, String username, Secret current, Secret next, Login admin,
                                  Elevation elevation) {
        if (plan.isRefused()) {
            return ChangeResult.rejected(plan.refusal());
        }
        UsernameRules.check("unix", plan.session().username());
        Placeholders values = plan.selfChange() ? values(username, current, next, null, elevation)
                : values(username, null, next, admin, elevation);
        return play(plan.session(), plan.changer(), values, username, next);
    }

    private static Placeholders values(String username, Secret current, Secret next, Login admin, Elevation elevation) {
        Placeholders p = new Placeholders().plain(Placeholders.ACCOUNT_LOGIN, username)
                .secret(Placeholders.ACCOUNT_SECRET, current)
                .secret(Placeholders.ACCOUNT_NEW_SECRET, next);
        if (admin != null) {
            p.plain(Placeholders.ADMIN_LOGIN, admin.username()).secret(Placeholders.ADMIN_SECRET, admin.secret());
        }
        return SshConnector.withEnableSecret(p, elevation);
    }

    /** Logs in as {@code session} and plays the changer named {@code changerName} there. */
    private ChangeResult play(Login session, String changerName, Placeholders values, String account, Secret next) {
        PasswordChanger changer;
        try {
            changer = catalog == null ? BuiltinChangers.get(changerName) : catalog.get(changerName);
        } catch (IllegalArgumentException e) {
            return ChangeResult.rejected(e.getMessage() + "; nothing was sent");
        }
        String problem = ChangerRules.problem(changer, PasswordChanger.Transport.TELNET);
        if (problem == null) {
            problem = ChangerRules.deviceValueProblem(changer, next);
        }
        if (problem != null) {
            return ChangeResult.rejected(problem);
        }
        Session s;
        try {
            s = logIn(session);
        } catch (LoginFailed e) {
            return e.refused ? ChangeResult.loginRefused("login refused: " + e.getMessage())
                    : ChangeResult.rejected("no change sent: " + e.getMessage());
        } catch (IOException e) {
            return ChangeResult.rejected("no change sent: cannot connect: " + e.getMessage());
        }
        try (TelnetChannel channel = s.channel()) {
            SshConnector.bindVariables(changer, target, values, port(target));
            DialogueResult r = engine.run(changer, values, channel, s.afterPassword());
            lastTranscript = r.transcript();
            if (!r.completed()) {
                // the transcript (redacted by the engine) only at DEBUG, escaped; the audit record has its end
                LOG.warn("target {}: changer '{}' failed: {}", target.id(), changer.name(), r.error());
                if (LOG.isDebugEnabled()) {
                    LOG.debug("target {}: changer '{}' transcript: {}", target.id(), changer.name(),
                            io.rotor.domain.VisibleText.clean(r.transcript(), DialogueEngine.MAX_TRANSCRIPT_CHARS * 4));
                }
                if (catalog != null) {
                    catalog.recordFailure(target.id(), account, changer.name(), r.error(), r.transcript());
                }
            }
            return r.toChangeResult();
        }
    }

    @Override
    public DiscoverResult discover(DiscoverRequest request) {
        throw new UnsupportedOperationException("the telnet connector does not discover accounts");
    }

    @Override
    public void close() {
    }
}
