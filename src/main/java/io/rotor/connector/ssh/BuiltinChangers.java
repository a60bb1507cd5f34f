package io.rotor.connector.ssh;

import io.rotor.connector.ssh.PasswordChanger.Transport;
import io.rotor.connector.ssh.PasswordChanger.Type;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static io.rotor.connector.ssh.ChangerStep.expected;
import static io.rotor.connector.ssh.ChangerStep.input;

/**
 * The read-only changers Rotor ships. Unix ones never put a secret on a command line: secrets are typed into
 * {@code passwd}'s prompts or fed to {@code chpasswd} on stdin. Markers such as {@code rotor-rc=0} are printed
 * by the shell after the command, so a changer knows the command's exit status; on a pseudo-terminal the
 * echoed command line spells them differently ({@code ""} or {@code ''} inside, {@code $?} unexpanded) so that
 * the echo never matches.
 *
 * <p>Where {@code chpasswd} reads from a terminal (su, telnet), the terminal is first put out of canonical mode
 * ({@value #NO_LINE_DISCIPLINE}): the line that carries {@code user:password} then reaches {@code chpasswd} as
 * sent, with no line editing, signal or flow-control character acted on, on top of the rule that no value holds a
 * control character at all.
 *
 * <p>Network devices ({@link #isNetworkDevice}) take {@code %%enable_secret%%} (Cisco's privileged mode; the target
 * setting {@code enableSecretAccount} names the vault account that holds it) and the account's new secret through
 * the configuration mode. Their command lines give {@code ?} a meaning (help), so they get a device-safe default
 * password policy and refuse a secret holding {@code ?} or a leading or trailing space.
 */
public final class BuiltinChangers {
    public static final String UNIX_PASSWD = "Unix passwd (self)";
    public static final String UNIX_SUDO = "Unix sudo chpasswd";
    public static final String UNIX_SU = "Unix su chpasswd";
    public static final String UNIX_ROOT = "Unix chpasswd (logged in as root)";
    public static final String UNIX_VERIFY = "Unix/SSH verifier";
    public static final String CISCO_IOS = "Cisco IOS";
    public static final String CISCO_IOS_NO_SAVE = "Cisco IOS (running-config only)";
    public static final String CISCO_CATOS = "Cisco CatOS";
    public static final String CISCO_PIX = "Cisco PIX";
    public static final String HP_PROCURVE = "HP ProCurve";
    public static final String HP_ILO = "HP iLO";
    public static final String JUNIPER_SCREENOS = "Juniper ScreenOS";

    /**
     * Puts the terminal (if stdin is one) out of canonical mode and stops echo, signals, {@code ^V} and flow
     * control; CR still becomes LF, so a telnet line end works. Harmless without a terminal.
     */
    static final String NO_LINE_DISCIPLINE = "stty -echo -icanon -isig -iexten -ixon min 1 time 0 2>/dev/null";

    /**
     * {@code chpasswd} bounded on the target side: killed after {@value #CHANGE_BOUND_SECONDS} s (and KILLed 5 s later)
     * so that a change stuck behind a slow PAM stack or a locked {@code /etc/shadow} ends for certain. An outcome that
     * Rotor saw as unknown (its step timed out) is then final long before recovery re-probes it after
     * {@code rotor.rotation.unknown-quiet-seconds} (60 by default; docs/architecture.md, "Unknown outcomes").
     * {@code chpasswd} reads the pipe, not the terminal, so {@code timeout}'s own process group does not stop it.
     */
    static final int CHANGE_BOUND_SECONDS = 30;
    static final String BOUNDED_CHPASSWD = "timeout -k 5 " + CHANGE_BOUND_SECONDS + " chpasswd";

    /** When the built-ins were defined: stable, so that their created_at never changes between runs. */
    static final Instant DEFINED = Instant.parse("2026-11-23T00:00:00Z");

    private static final Map<String, PasswordChanger> BY_KEY;

    static {
        List<PasswordChanger> all = new ArrayList<>();
        all.add(changer("1", UNIX_PASSWD, Type.CHANGE, false, List.of(
                input("LC_ALL=C passwd; echo rotor-rc=$?"),
                expected("(?i)(current|old|\\(current\\) unix) password: ?"),
                input("%%account_secret%%"),
                expected("(?i)new password: ?"),
                input("%%account_new_secret%%"),
                expected("(?i)(retype|re-enter|repeat) new password: ?"),
                input("%%account_new_secret%%"),
                expected("rotor-rc=0\\b"))));
        all.add(changer("2", UNIX_SUDO, Type.CHANGE, false, List.of(
                input("LC_ALL=C sudo -k -S -p 'rotor-sudo-''password:' -- sh -c '" + NO_LINE_DISCIPLINE
                        + "; echo rotor-sudo-\"\"ok; head -n 1 | " + BOUNDED_CHPASSWD + "'; echo rotor-rc=$?"),
                expected("rotor-sudo-password:"),
                input("%%admin_secret%%"),
                expected("rotor-sudo-ok"),
                input("%%account_login%%:%%account_new_secret%%"),
                expected("rotor-rc=0\\b"))));
        all.add(changer("3", UNIX_SU, Type.CHANGE, true, List.of(
                input("LC_ALL=C su - %%admin_login%% -c '" + NO_LINE_DISCIPLINE
                        + "; echo rotor-su-\"\"ok; head -n 1 | " + BOUNDED_CHPASSWD + "; echo rotor-rc=$?'"),
                // su's own prompt, at the end of what the command printed so far
                expected("(?i)password: ?$"),
                input("%%admin_secret%%"),
                expected("rotor-su-ok"),
                input("%%account_login%%:%%account_new_secret%%"),
                expected("rotor-rc=0\\b"))));
        all.add(changer("9", UNIX_ROOT, Type.CHANGE, false, List.of(
                input("LC_ALL=C sh -c '" + NO_LINE_DISCIPLINE + "; echo rotor-root-\"\"ok; head -n 1 | " + BOUNDED_CHPASSWD + "'; echo rotor-rc=$?"),
                expected("rotor-root-ok"),
                input("%%account_login%%:%%account_new_secret%%"),
                expected("rotor-rc=0\\b"))));
        all.add(changer("4", UNIX_VERIFY, Type.VERIFY, false, List.of(
                input("echo rotor-verify-ok"),
                expected("rotor-verify-ok"))));
        List<ChangerStep> cisco = new ArrayList<>(enable("#\\s*$"));
        cisco.addAll(List.of(
                input("configure terminal"),
                expected("\\(config\\)#\\s*$"),
                input("username %%account_login%% secret %%account_new_secret%%"),
                expected("\\(config\\)#\\s*$"),
                input("end"),
                expected("#\\s*$")));
        all.add(changer("6", CISCO_IOS_NO_SAVE, Type.CHANGE, true, cisco));
        List<ChangerStep> ciscoSave = new ArrayList<>(cisco);
        ciscoSave.addAll(List.of(
                input("copy running-config startup-config"),
                expected("(?i)destination filename \\[startup-config\\]\\?\\s*$"),
                input(""),
                expected("\\[OK\\]"),
                expected("#\\s*$")));
        all.add(changer("5", CISCO_IOS, Type.CHANGE, true, ciscoSave));
        all.add(changer("7", HP_PROCURVE, Type.CHANGE, true, List.of(
                expected("#\\s*$"),
                input("configure"),
                expected("\\(config\\)#\\s*$"),
                input("password manager user-name %%account_login%% plaintext %%account_new_secret%%"),
                expected("\\(config\\)#\\s*$"),
                input("write memory"),
                expected("\\(config\\)#\\s*$"),
                input("end"),
                expected("#\\s*$"))));
        all.add(changer("8", JUNIPER_SCREENOS, Type.CHANGE, true, List.of(
                expected("->\\s*$"),
                input("set admin user %%account_login%% password %%account_new_secret%% privilege all"),
                expected("->\\s*$"),
                input("save"),
                expected("->\\s*$"))));
        all.add(changer("10", CISCO_CATOS, Type.CHANGE, true, withEnable("\\(enable\\)\\s*$",
                input("set localuser user %%account_login%% password %%account_new_secret%%"),
                expected("\\(enable\\)\\s*$"))));
        all.add(changer("11", CISCO_PIX, Type.CHANGE, true, withEnable("#\\s*$",
                input("configure terminal"),
                expected("\\(config\\)#\\s*$"),
                input("username %%account_login%% password %%account_new_secret%%"),
                expected("\\(config\\)#\\s*$"),
                input("exit"),
                expected("#\\s*$"),
                input("write memory"),
                expected("\\[OK\\]"),
                expected("#\\s*$"))));
        all.add(changer("12", HP_ILO, Type.CHANGE, true, List.of(
                expected("hpiLO->\\s*$"),
                input("set /map1/accounts1/%%account_login%% password=%%account_new_secret%%"),
                expected("status=0\\b"),
                expected("hpiLO->\\s*$"))));
        Map<String, PasswordChanger> map = new LinkedHashMap<>();
        for (PasswordChanger c : all) {
            map.put(c.nameKey(), c);
        }
        BY_KEY = Collections.unmodifiableMap(map);
    }

    private BuiltinChangers() {
    }

    /** Cisco-style elevation from the user prompt: {@code enable}, the enable secret, then the privileged prompt. */
    private static List<ChangerStep> enable(String privilegedPrompt) {
        return List.of(
                expected(">\\s*$"),
                input("enable"),
                expected("(?i)password:\\s*$"),
                input("%%enable_secret%%"),
                expected(privilegedPrompt));
    }

    private static List<ChangerStep> withEnable(String privilegedPrompt, ChangerStep... then) {
        List<ChangerStep> steps = new ArrayList<>(enable(privilegedPrompt));
        steps.addAll(List.of(then));
        return steps;
    }

    private static PasswordChanger changer(String id, String name, Type type, boolean pty, List<ChangerStep> steps) {
        List<ChangerVariable> vars = List.of(
                new ChangerVariable("transport_host", "An address to which password changer/verifier connects.",
                        "server", "address", false, false, true),
                new ChangerVariable("transport_port", "The port it connects to.", "server", "port", false, true, true));
        return new PasswordChanger(id, type, name, Transport.SSH, 300, vars, steps, true, false, pty, DEFINED, DEFINED);
    }

    private static final java.util.Set<String> NETWORK_DEVICES = java.util.Set.of(CISCO_IOS, CISCO_IOS_NO_SAVE,
            CISCO_CATOS, CISCO_PIX, HP_PROCURVE, HP_ILO, JUNIPER_SCREENOS).stream()
            .map(n -> n.toLowerCase(java.util.Locale.ROOT)).collect(java.util.stream.Collectors.toUnmodifiableSet());

    /** True for the built-in network-device changers (a device CLI, not a Unix shell). */
    public static boolean isNetworkDevice(PasswordChanger changer) {
        return changer != null && changer.builtin() && NETWORK_DEVICES.contains(changer.nameKey());
    }

    /** True when {@code name} is a built-in network-device changer's name. */
    public static boolean isNetworkDevice(String name) {
        return find(name).map(BuiltinChangers::isNetworkDevice).orElse(false);
    }

    public static List<PasswordChanger> all() {
        return List.copyOf(BY_KEY.values());
    }

    /** By name, ignoring case. */
    public static Optional<PasswordChanger> find(String name) {
        return name == null ? Optional.empty() : Optional.ofNullable(BY_KEY.get(name.trim().toLowerCase(java.util.Locale.ROOT)));
    }

    public static PasswordChanger get(String name) {
        return find(name).orElseThrow(() -> new IllegalArgumentException("no password changer named '" + name
                + "' (built-in: " + String.join(", ", all().stream().map(PasswordChanger::name).toList()) + ")"));
    }
}
