package io.rotor.connector.ssh;

import io.rotor.connector.ChangeRequest;
import io.rotor.connector.ChangeResult;
import io.rotor.connector.Elevation;
import io.rotor.connector.Login;
import io.rotor.connector.ReconcileRequest;
import io.rotor.connector.TargetConnector;
import io.rotor.connector.VerifyRequest;
import io.rotor.connector.VerifyResult;
import io.rotor.connector.ssh.EmulatedDevice.Family;
import io.rotor.domain.PasswordGenerator;
import io.rotor.domain.PasswordPolicy;
import io.rotor.domain.Secret;
import io.rotor.domain.Target;
import io.rotor.domain.TlsMode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every network-device built-in against a scripted device ({@link EmulatedDevice}) over SSH (the in-process MINA
 * server, on a pseudo-terminal) and over telnet: the device's login account logs in, the enable secret comes from
 * the elevation (target setting {@code enableSecretAccount}), the account's password changes in the device's
 * configuration, and a fresh login proves it.
 */
class NetworkDeviceChangersTest {
    private static final String LOGIN = "netops";
    private static final String LOGIN_PASSWORD = "L0gin-pw-1";
    private static final String ENABLE = "En4ble-s3cret";

    @TempDir
    Path dir;
    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    static Stream<Arguments> devices() {
        List<Arguments> out = new ArrayList<>();
        Object[][] rows = {
                {Family.IOS, BuiltinChangers.CISCO_IOS, 1},
                {Family.IOS, BuiltinChangers.CISCO_IOS_NO_SAVE, 0},
                {Family.PIX, BuiltinChangers.CISCO_PIX, 1},
                {Family.CATOS, BuiltinChangers.CISCO_CATOS, 0},
                {Family.PROCURVE, BuiltinChangers.HP_PROCURVE, 1},
                {Family.ILO, BuiltinChangers.HP_ILO, 0},
                {Family.SCREENOS, BuiltinChangers.JUNIPER_SCREENOS, 1}};
        for (Object[] row : rows) {
            for (String transport : List.of("ssh", "telnet")) {
                out.add(Arguments.of(row[0], row[1], row[2], transport));
            }
        }
        return out.stream();
    }

    private EmulatedDevice device(Family family) {
        EmulatedDevice d = new EmulatedDevice(family, ENABLE);
        d.users.put(LOGIN, LOGIN_PASSWORD);
        d.users.put("bob", "B0b-old-pw");
        open.add(d);
        return d;
    }

    private TargetConnector connector(EmulatedDevice d, String transport, Map<String, String> extra) throws Exception {
        Map<String, String> settings = new HashMap<>(Map.of("stepTimeoutSeconds", "5"));
        settings.putAll(extra);
        TargetConnector c;
        if (transport.equals("ssh")) {
            int port = d.startSsh(dir);
            settings.put("knownHosts", d.knownHosts().toString());
            c = new SshConnector(new Target("dev", "ssh", "127.0.0.1", port, null, TlsMode.DISABLE, "netops", null, settings));
        } else {
            int port = d.startTelnet();
            c = new TelnetConnector(new Target("dev", "telnet", "127.0.0.1", port, null, TlsMode.DISABLE, "netops", null, settings));
        }
        open.add(c);
        return c;
    }

    private static Login login() {
        return new Login(LOGIN, Secret.of(LOGIN_PASSWORD.toCharArray()));
    }

    private static Elevation enable(String secret) {
        return new Elevation(null, Secret.of(secret.toCharArray()));
    }

    private static Target targetOf(TargetConnector c) {
        return c instanceof SshConnector s ? s.target() : ((TelnetConnector) c).target();
    }

    private static String transcript(TargetConnector c) {
        return c instanceof SshConnector s ? s.lastTranscript() : ((TelnetConnector) c).lastTranscript();
    }

    @ParameterizedTest(name = "{1} over {3}")
    @MethodSource("devices")
    void theDeviceLoginAccountChangesAnAccountsPasswordAndAFreshLoginProvesIt(Family family, String changer, int saves,
                                                                              String transport) throws Exception {
        EmulatedDevice d = device(family);
        TargetConnector c = connector(d, transport, Map.of("adminChanger", changer));
        assertThat(c.defaultPolicy().id()).as("devices get the device-safe default").isEqualTo(PasswordPolicy.deviceSafe().id());
        String next;
        try (Secret generated = new PasswordGenerator().generate(c.defaultPolicy(), "bob")) {
            next = generated.reveal();
        }
        Target t = targetOf(c);
        ChangeResult r = c.change(new ChangeRequest(t, "bob", null, Secret.of(next.toCharArray()), login(), enable(ENABLE)));

        assertThat(r.outcome()).as(r.detail() + "\n" + transcript(c)).isEqualTo(ChangeResult.Outcome.CHANGED);
        assertThat(d.users.get("bob")).isEqualTo(next);
        assertThat(d.saves).isEqualTo(saves);
        assertThat(transcript(c)).doesNotContain(next).doesNotContain(ENABLE).doesNotContain(LOGIN_PASSWORD);
        assertThat(c.verify(new VerifyRequest(t, new Login("bob", Secret.of(next.toCharArray())))).outcome())
                .isEqualTo(VerifyResult.Outcome.VALID);
        assertThat(c.verify(new VerifyRequest(t, new Login("bob", Secret.of("B0b-old-pw".toCharArray())))).outcome())
                .isEqualTo(VerifyResult.Outcome.REJECTED);
    }

    @Test
    void reconcileUsesTheSameDevicePath() throws Exception {
        EmulatedDevice d = device(Family.IOS);
        TargetConnector c = connector(d, "telnet", Map.of("adminChanger", BuiltinChangers.CISCO_IOS));
        ChangeResult r = c.reconcile(new ReconcileRequest(targetOf(c), "bob", Secret.of("Rec0ncile-pw!".toCharArray()),
                login(), enable(ENABLE)));
        assertThat(r.outcome()).as(r.detail() + "\n" + transcript(c)).isEqualTo(ChangeResult.Outcome.CHANGED);
        assertThat(d.users.get("bob")).isEqualTo("Rec0ncile-pw!");
    }

    @Test
    void anAccountChangesItsOwnPasswordOnTheDeviceWithTheEnableSecret() throws Exception {
        EmulatedDevice d = device(Family.IOS);
        TargetConnector c = connector(d, "telnet", Map.of("changer", BuiltinChangers.CISCO_IOS));
        ChangeResult r = c.change(new ChangeRequest(targetOf(c), "bob", Secret.of("B0b-old-pw".toCharArray()),
                Secret.of("B0b-new-pw#1".toCharArray()), null, enable(ENABLE)));
        assertThat(r.outcome()).as(r.detail() + "\n" + transcript(c)).isEqualTo(ChangeResult.Outcome.CHANGED);
        assertThat(d.users.get("bob")).isEqualTo("B0b-new-pw#1");
    }

    @Test
    void theHelpKeyEatsAQuestionMarkSoTheBuiltinRefusesOneAndTheDeviceKeepsItsPassword() throws Exception {
        EmulatedDevice d = device(Family.IOS);
        TargetConnector c = connector(d, "ssh", Map.of("adminChanger", BuiltinChangers.CISCO_IOS));
        Target t = targetOf(c);

        // what a device does with '?': the same dialogue as the built-in, but not known as a device changer
        PasswordChanger copy = BuiltinChangers.get(BuiltinChangers.CISCO_IOS_NO_SAVE);
        PasswordChanger userDefined = new PasswordChanger("77", copy.type(), "my ios", copy.transport(), 60, null,
                copy.commands(), false, false, true, null, null);
        try (SshConnector raw = new SshConnector(t, name -> userDefined)) {
            ChangeResult eaten = raw.change(new ChangeRequest(t, "bob", null, Secret.of("ab?cd-1".toCharArray()), login(),
                    enable(ENABLE)));
            assertThat(eaten.outcome()).as(eaten.detail()).isEqualTo(ChangeResult.Outcome.CHANGED);
            assertThat(d.users.get("bob")).as("the device dropped the '?'").isEqualTo("abcd-1");
        }

        d.users.put("bob", "B0b-old-pw");
        ChangeResult r = c.change(new ChangeRequest(t, "bob", null, Secret.of("ab?cd-1".toCharArray()), login(), enable(ENABLE)));
        assertThat(r.outcome()).isEqualTo(ChangeResult.Outcome.REJECTED);
        assertThat(r.detail()).contains("help key").contains("nothing was sent").doesNotContain("ab?cd");
        assertThat(d.users.get("bob")).isEqualTo("B0b-old-pw");
    }

    @Test
    void withoutTheEnableSecretNothingIsSentAndAWrongOneIsRejectedBeforeTheNewPassword() throws Exception {
        EmulatedDevice d = device(Family.IOS);
        TargetConnector c = connector(d, "telnet", Map.of("adminChanger", BuiltinChangers.CISCO_IOS));
        Target t = targetOf(c);
        ChangeResult none = c.change(new ChangeRequest(t, "bob", null, Secret.of("N3w-pw-1".toCharArray()), login()));
        assertThat(none.outcome()).isEqualTo(ChangeResult.Outcome.REJECTED);
        assertThat(none.detail()).contains("%%enable_secret%% has no value");

        ChangeResult wrong = c.change(new ChangeRequest(t, "bob", null, Secret.of("N3w-pw-1".toCharArray()), login(),
                enable("not-the-enable-secret")));
        assertThat(wrong.outcome()).isEqualTo(ChangeResult.Outcome.REJECTED);
        assertThat(wrong.detail()).contains("step 5").doesNotContain("not-the-enable-secret");
        assertThat(d.users.get("bob")).isEqualTo("B0b-old-pw");
    }

    @Test
    void aRefusedTelnetLoginIsRejectedAndAnUnknownOneTooOverSsh() throws Exception {
        EmulatedDevice d = device(Family.IOS);
        TargetConnector telnet = connector(d, "telnet", Map.of("adminChanger", BuiltinChangers.CISCO_IOS));
        assertThat(telnet.verify(new VerifyRequest(targetOf(telnet), new Login(LOGIN, Secret.of("wrong".toCharArray()))))
                .outcome()).isEqualTo(VerifyResult.Outcome.REJECTED);
        ChangeResult r = telnet.change(new ChangeRequest(targetOf(telnet), "bob", null, Secret.of("N3w-pw-1".toCharArray()),
                new Login(LOGIN, Secret.of("wrong".toCharArray())), enable(ENABLE)));
        assertThat(r.outcome()).isEqualTo(ChangeResult.Outcome.REJECTED);
        assertThat(r.detail()).startsWith("login refused");
    }

    @Test
    void telnetTargetsDefaultToPort23AndSshTargetsTo22() {
        Target noPort = new Target("t", "telnet", "h", 0, null, TlsMode.DISABLE, null, null, Map.of());
        assertThat(TelnetConnector.port(noPort)).isEqualTo(23);
        assertThat(SshSessions.port(noPort)).isEqualTo(22);
        assertThat(TelnetConnector.port(new Target("t", "telnet", "h", 2323, null, TlsMode.DISABLE, null, null, Map.of())))
                .isEqualTo(2323);
    }

    @Test
    void unixTargetsKeepTheFullDefaultPolicy() {
        Target unix = new Target("t", "ssh", "h", 22, null, TlsMode.DISABLE, null, null, Map.of("knownHosts", dir.resolve("kh").toString(),
                "hostKeyPolicy", "tofu"));
        try (SshConnector c = new SshConnector(unix)) {
            assertThat(c.defaultPolicy()).isEqualTo(PasswordPolicy.defaults());
        }
    }
}
