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
 * echoed command line spells them differently ({@code ""} inside, {@code $?} unexpanded) so that the echo
 * never matches.
 *
 * <p>Network devices take {@code %%enable_secret%%} for the privileged mode (Cisco), and the account's new
 * secret through the configuration mode.
 */
public final class BuiltinChangers {
    public static final String UNIX_PASSWD = "Unix passwd (self)";
    public static final String UNIX_SUDO = "Unix sudo chpasswd";
    public static final String UNIX_SU = "Unix su chpasswd";
    public static final String UNIX_VERIFY = "Unix/SSH verifier";
    public static final String CISCO_IOS = "Cisco IOS";
    public static final String CISCO_IOS_NO_SAVE = "Cisco IOS (running-config only)";
    public static final String HP_PROCURVE = "HP ProCurve";
    public static final String JUNIPER_SCREENOS = "Juniper ScreenOS";

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
                input("LC_ALL=C sudo -k -S -p 'rotor-sudo-password:' -- sh -c 'echo rotor-sudo-ok; head -n 1 | chpasswd'; echo rotor-rc=$?"),
                expected("rotor-sudo-password:"),
                input("%%admin_secret%%"),
                expected("rotor-sudo-ok"),
                input("%%account_login%%:%%account_new_secret%%"),
                expected("rotor-rc=0\\b"))));
        all.add(changer("3", UNIX_SU, Type.CHANGE, true, List.of(
                input("LC_ALL=C su - %%admin_login%% -c 'stty -echo; echo rotor-su-\"\"ok; head -n 1 | chpasswd; echo rotor-rc=$?'"),
                expected("(?i)password: ?"),
                input("%%admin_secret%%"),
                expected("rotor-su-ok"),
                input("%%account_login%%:%%account_new_secret%%"),
                expected("rotor-rc=0\\b"))));
        all.add(changer("4", UNIX_VERIFY, Type.VERIFY, false, List.of(
                input("echo rotor-verify-ok"),
                expected("rotor-verify-ok"))));
        List<ChangerStep> cisco = new ArrayList<>(List.of(
                expected(">\\s*$"),
                input("enable"),
                expected("(?i)password:\\s*$"),
                input("%%enable_secret%%"),
                expected("#\\s*$"),
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
        Map<String, PasswordChanger> map = new LinkedHashMap<>();
        for (PasswordChanger c : all) {
            map.put(c.nameKey(), c);
        }
        BY_KEY = Collections.unmodifiableMap(map);
    }

    private BuiltinChangers() {
    }

    private static PasswordChanger changer(String id, String name, Type type, boolean pty, List<ChangerStep> steps) {
        List<ChangerVariable> vars = List.of(
                new ChangerVariable("transport_host", "An address to which password changer/verifier connects.",
                        "server", "address", false, false, true),
                new ChangerVariable("transport_port", "The port it connects to.", "server", "port", false, true, true));
        return new PasswordChanger(id, type, name, Transport.SSH, 300, vars, steps, true, false, pty, DEFINED, DEFINED);
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
