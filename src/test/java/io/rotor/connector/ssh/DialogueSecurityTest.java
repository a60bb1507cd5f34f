package io.rotor.connector.ssh;

import io.rotor.connector.ChangeResult;
import io.rotor.connector.ssh.DialogueEngineTest.ScriptedDevice;
import io.rotor.domain.Secret;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

import static io.rotor.connector.ssh.ChangerStep.expected;
import static io.rotor.connector.ssh.ChangerStep.input;
import static io.rotor.connector.ssh.DialogueEngineTest.changer;
import static io.rotor.connector.ssh.DialogueEngineTest.values;
import static org.assertj.core.api.Assertions.assertThat;

/** Attacks on the dialogue engine: line-editing characters, prompts printed ahead of time, floods. */
class DialogueSecurityTest {
    private final DialogueEngine engine = new DialogueEngine(Duration.ofMillis(300));

    @Test
    void aKillLineCharacterInTheNewSecretNeverReachesTheTerminal() {
        // `bob:<^U>root:Pwned1!` on a cooked terminal: chpasswd would read `root:Pwned1!`
        ScriptedDevice dev = new ScriptedDevice("$ ", "rotor-sudo-ok\n");
        DialogueResult r = engine.run(changer(input("sudo chpasswd"), expected("rotor-sudo-ok"),
                input("%%account_login%%:%%account_new_secret%%")), values("\u0015root:Pwned1!"), dev);
        assertThat(r.completed()).isFalse();
        assertThat(r.error()).contains("%%account_new_secret%%").contains("^U, U+0015").contains("never sent to a dialogue")
                .doesNotContain("Pwned1");
        assertThat(dev.received).as("nothing was sent, not even the first command").isEmpty();
        assertThat(r.toChangeResult().outcome()).isEqualTo(ChangeResult.Outcome.REJECTED);
    }

    @Test
    void everyControlCharacterInAPlainValueIsRefusedToo() {
        for (char c : new char[]{'\u0003', '\u0008', '\u0016', '\u0017', '\u001b', '\u007f', '\t'}) {
            ScriptedDevice dev = new ScriptedDevice("$ ");
            Placeholders v = new Placeholders().plain("account_login", "bob" + c + "root")
                    .secret("account_new_secret", Secret.of("x-1-Y".toCharArray()));
            DialogueResult r = engine.run(changer(input("%%account_login%%:%%account_new_secret%%")), v, dev);
            assertThat(r.error()).contains("%%account_login%%").contains(String.format("U+%04X", (int) c));
            assertThat(dev.received).isEmpty();
        }
    }

    @Test
    void aPasswordPromptPrintedBeforeTheCommandIsNotItsAnswer() {
        // a start-up file (or a banner) prints "Password: " before the changer's command: the admin secret must
        // not be typed into whatever is reading then
        ScriptedDevice dev = new ScriptedDevice("Password: ", "");
        DialogueResult r = engine.run(changer(input("su - root -c 'chpasswd'"), expected("(?i)password: ?$"),
                input("%%admin_secret%%")), values("N3w-1").secret("admin_secret", Secret.of("R00t-pw".toCharArray())), dev);
        assertThat(r.completed()).isFalse();
        assertThat(r.failedStep()).isEqualTo(2);
        assertThat(dev.received).containsExactly("su - root -c 'chpasswd'");
        assertThat(r.transcript()).contains("< Password:").doesNotContain("R00t-pw");
    }

    @Test
    void thePromptThatAnswersTheCommandIsSeen() {
        ScriptedDevice dev = new ScriptedDevice("Password: ", "Password: ", "rotor-su-ok\n");
        DialogueResult r = engine.run(changer(input("su - root"), expected("(?i)password: ?$"),
                input("%%admin_secret%%"), expected("rotor-su-ok")),
                values("N3w-1").secret("admin_secret", Secret.of("R00t-pw".toCharArray())), dev);
        assertThat(r.completed()).as(r.error()).isTrue();
        assertThat(dev.received).containsExactly("su - root", "R00t-pw");
    }

    @Test
    void aFloodingTargetIsStoppedAtTheBufferBound() {
        OutputBuffer out = new OutputBuffer(1000);
        out.append("x".repeat(600));
        out.append("y".repeat(600));
        assertThat(out.length()).isEqualTo(1000);
        assertThat(out.ended()).isTrue();
        assertThat(out.failure()).contains("more than 1000 characters");
        out.append("z".repeat(10));
        assertThat(out.length()).isEqualTo(1000);
    }

    @Test
    void aFloodEndsTheDialogueWithTheReason() {
        DialogueChannel flood = new DialogueChannel() {
            final OutputBuffer out = new OutputBuffer(4096);

            @Override
            public OutputBuffer output() {
                return out;
            }

            @Override
            public void sendLine(String line) {
                for (int i = 0; i < 100; i++) {
                    out.append("noise ".repeat(20));
                }
            }

            @Override
            public void close() {
            }
        };
        DialogueResult r = new DialogueEngine(Duration.ofSeconds(30)).run(changer(input("cat /dev/urandom"),
                expected("never")), values("N3w-1"), flood);
        assertThat(r.error()).isEqualTo("step 2: expected /never/ not seen: the target printed more than 4096 characters;"
                + " the dialogue was stopped");
        assertThat(r.transcript().length()).isLessThanOrEqualTo(DialogueEngine.MAX_TRANSCRIPT_CHARS + 100);
    }

    @Test
    void theTranscriptIsBounded() {
        ScriptedDevice dev = new ScriptedDevice("$ ", ("line\n").repeat(40_000));
        DialogueResult r = engine.run(changer(input("yes"), expected("never")), values("N3w-1"), dev);
        assertThat(r.transcript().length()).isLessThanOrEqualTo(DialogueEngine.MAX_TRANSCRIPT_CHARS + 100);
        assertThat(r.transcript()).endsWith("# transcript truncated at " + DialogueEngine.MAX_TRANSCRIPT_CHARS + " characters\n");
    }

    @Test
    void aPathologicalPatternOnHostileOutputGivesUpAtTheDeadline() throws Exception {
        OutputBuffer out = new OutputBuffer();
        out.append("a".repeat(40) + "!");
        long start = System.nanoTime();
        int end = out.await(Pattern.compile("(a|aa)+$"), 0, System.nanoTime() + Duration.ofMillis(300).toNanos());
        long tookMs = (System.nanoTime() - start) / 1_000_000;
        assertThat(end).isEqualTo(-1);
        assertThat(tookMs).as("catastrophic backtracking stopped near the deadline").isLessThan(5_000);
    }

    @Test
    void unixChangersNeverFeedChpasswdThroughACookedTerminal() {
        for (String name : List.of(BuiltinChangers.UNIX_SUDO, BuiltinChangers.UNIX_SU, BuiltinChangers.UNIX_ROOT)) {
            String command = BuiltinChangers.get(name).commands().get(0).value();
            assertThat(command).as(name).contains(BuiltinChangers.NO_LINE_DISCIPLINE).contains("chpasswd");
            assertThat(command.indexOf(BuiltinChangers.NO_LINE_DISCIPLINE)).isLessThan(command.indexOf("chpasswd"));
        }
        assertThat(BuiltinChangers.NO_LINE_DISCIPLINE).contains("-icanon").contains("-isig").contains("-iexten")
                .contains("-ixon").contains("-echo");
    }
}
