package io.rotor.connector.ssh;

import io.rotor.cli.RotorCommand;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The network-device built-ins, replayed against recorded dialogues in src/test/resources/transcripts. */
class TranscriptReplayTest {
    static Path transcript(String name) throws Exception {
        return Path.of(TranscriptReplayTest.class.getResource("/transcripts/" + name).toURI());
    }

    static TranscriptReplay.Report replay(String changer, String file) throws Exception {
        return TranscriptReplay.replay(BuiltinChangers.get(changer), transcript(file), Duration.ofMillis(500));
    }

    @Test
    void ciscoIosEnableConfigureUsernameAndCopyToStartup() throws Exception {
        TranscriptReplay.Report r = replay(BuiltinChangers.CISCO_IOS, "cisco-ios.txt");
        assertThat(r.passed()).as(r.message() + "\n" + r.transcript()).isTrue();
        assertThat(r.transcript()).contains("> username netops secret %%account_new_secret%%")
                .doesNotContain("N3w'Secr").doesNotContain("En4ble!");
    }

    @Test
    void ciscoIosWithoutSaveStopsBeforeTheCopyAndSoLeavesInputUnsent() throws Exception {
        TranscriptReplay.Report r = replay(BuiltinChangers.CISCO_IOS_NO_SAVE, "cisco-ios.txt");
        assertThat(r.passed()).isFalse();
        assertThat(r.message()).contains("still expects input at line 20");
    }

    @Test
    void aRefusedEnableSecretEndsAtTheStepWaitingForThePrivilegedPrompt() throws Exception {
        TranscriptReplay.Report r = replay(BuiltinChangers.CISCO_IOS, "cisco-ios-wrong-enable.txt");
        assertThat(r.passed()).isFalse();
        assertThat(r.message()).isEqualTo("step 5: expected /#\\s*$/ not seen before the connection ended");
        assertThat(r.transcript()).contains("< % Access denied").doesNotContain("wrong-one");
    }

    @Test
    void hpProCurve() throws Exception {
        TranscriptReplay.Report r = replay(BuiltinChangers.HP_PROCURVE, "hp-procurve.txt");
        assertThat(r.passed()).as(r.message() + "\n" + r.transcript()).isTrue();
    }

    @Test
    void juniperScreenOs() throws Exception {
        TranscriptReplay.Report r = replay(BuiltinChangers.JUNIPER_SCREENOS, "juniper-screenos.txt");
        assertThat(r.passed()).as(r.message() + "\n" + r.transcript()).isTrue();
    }

    @Test
    void aDifferentInputIsReportedWithTheTranscriptLine() {
        TranscriptReplay.Report r = TranscriptReplay.replay(BuiltinChangers.get(BuiltinChangers.JUNIPER_SCREENOS), List.of(
                "@ account_login = netadmin", "@ account_new_secret = pw-1", "< ns->",
                "> set admin password %%account_new_secret%%", "< ns->"), Duration.ofMillis(300));
        assertThat(r.passed()).isFalse();
        assertThat(r.message()).contains("transcript line 4").contains("the device expects 'set admin password %%account_new_secret%%'")
                .doesNotContain("pw-1");
    }

    @Test
    void theCliPassesAndFailsWithExitCodes() throws Exception {
        PrintStream saved = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        int ok;
        int bad;
        try {
            ok = RotorCommand.execute("changer", "test", "--changer", "cisco ios", "--transcript",
                    transcript("cisco-ios.txt").toString());
            bad = RotorCommand.execute("changer", "test", "--changer", "Cisco IOS", "--transcript",
                    transcript("cisco-ios-wrong-enable.txt").toString(), "--step-timeout", "0.3");
        } finally {
            System.setOut(saved);
        }
        assertThat(ok).isZero();
        assertThat(bad).isEqualTo(1);
        assertThat(buf.toString(StandardCharsets.UTF_8)).contains("PASS changer 'Cisco IOS'").contains("FAIL step 5")
                .contains("< % Access denied");
    }
}
