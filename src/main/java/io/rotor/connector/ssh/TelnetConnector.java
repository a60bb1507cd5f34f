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
 * Unix accounts over telnet (type {@code telnet}): the login prompt dialogue, then the same changers as SSH
 * on the remote terminal. Only self-change (changer setting {@code changer}, default
 * {@value BuiltinChangers#UNIX_PASSWD}) is offered; telnet is clear text, so prefer SSH wherever it exists.
 * Settings: {@code stepTimeoutSeconds} (10), {@code connectTimeoutSeconds} (10), {@code loginPrompt},
 * {@code passwordPrompt}, {@code shellPrompt} (regexes).
 */
public final class TelnetConnector implements TargetConnector {
    private static final Logger LOG = LoggerFactory.getLogger(TelnetConnector.class);

    private final Target target;
    private final DialogueEngine engine;
    private final Duration connectTimeout;
    private final PasswordChanger login;
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
        this.login = new PasswordChanger("telnet-login", PasswordChanger.Type.VERIFY, "Telnet login", PasswordChanger.Transport.TELNET,
                60, null, List.of(
                expected(target.setting("loginPrompt", "(?i)login: ?$")), input("%%account_login%%"),
                expected(target.setting("passwordPrompt", "(?i)password: ?$")), input("%%account_secret%%"),
                expected(target.setting("shellPrompt", "(?i)[$#>] ?$|login incorrect"))), true, false, true, null, null);
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

    /** A logged-in channel, or null with {@code why[0]} set. */
    private TelnetChannel logIn(Login who, boolean[] refused, String[] why) throws IOException {
        TelnetChannel channel = new TelnetChannel(target.host(), target.port(), connectTimeout);
        DialogueResult r = engine.run(login, new Placeholders().plain(Placeholders.ACCOUNT_LOGIN, who.username())
                .secret(Placeholders.ACCOUNT_SECRET, who.secret()), channel);
        lastTranscript = r.transcript();
        if (r.completed() && !channel.output().since(0).toLowerCase(java.util.Locale.ROOT).contains("login incorrect")) {
            return channel;
        }
        refused[0] = r.completed();
        why[0] = r.completed() ? "the server refused the login of " + who.username() : r.error();
        channel.close();
        return null;
    }

    @Override
    public VerifyResult verify(VerifyRequest request) {
        UsernameRules.check("unix", request.login().username());
        boolean[] refused = {false};
        String[] why = {null};
        try {
            TelnetChannel c = logIn(request.login(), refused, why);
            if (c != null) {
                c.close();
                return VerifyResult.valid();
            }
            return refused[0] ? VerifyResult.rejected(why[0]) : VerifyResult.unreachable(why[0]);
        } catch (IOException e) {
            return VerifyResult.unreachable("cannot connect to " + target.host() + ":" + target.port() + ": " + e.getMessage());
        }
    }

    @Override
    public ChangeResult change(ChangeRequest request) {
        UsernameRules.check("unix", request.username());
        if (request.viaAdmin()) {
            return ChangeResult.rejected("the telnet connector offers self-change only");
        }
        String changerName = SshConnector.selfChanger(target);
        PasswordChanger changer = catalog == null ? BuiltinChangers.get(changerName) : catalog.get(changerName);
        if (changer.type() != PasswordChanger.Type.CHANGE) {
            return ChangeResult.rejected("password changer '" + changer.name() + "' is a verifier, not a changer");
        }
        boolean[] refused = {false};
        String[] why = {null};
        TelnetChannel channel;
        try {
            channel = logIn(new Login(request.username(), request.current()), refused, why);
        } catch (IOException e) {
            return ChangeResult.rejected("no change sent: cannot connect: " + e.getMessage());
        }
        if (channel == null) {
            return ChangeResult.rejected((refused[0] ? "login refused: " : "no change sent: ") + why[0]);
        }
        try (channel) {
            Placeholders values = new Placeholders().plain(Placeholders.ACCOUNT_LOGIN, request.username())
                    .secret(Placeholders.ACCOUNT_SECRET, request.current())
                    .secret(Placeholders.ACCOUNT_NEW_SECRET, request.newSecret());
            SshConnector.bindVariables(changer, target, values);
            DialogueResult r = engine.run(changer, values, channel, channel.output().length());
            lastTranscript = r.transcript();
            if (!r.completed()) {
                LOG.warn("target {}: changer '{}' failed: {}; transcript:\n{}", target.id(), changer.name(), r.error(), r.transcript());
                if (catalog != null) {
                    catalog.recordFailure(target.id(), request.username(), changer.name(), r.error(), r.transcript());
                }
            }
            return r.toChangeResult();
        }
    }

    @Override
    public ChangeResult reconcile(ReconcileRequest request) {
        return ChangeResult.rejected("the telnet connector offers self-change only: reconcile needs an admin path");
    }

    @Override
    public DiscoverResult discover(DiscoverRequest request) {
        throw new UnsupportedOperationException("the telnet connector does not discover accounts");
    }

    @Override
    public void close() {
    }
}
