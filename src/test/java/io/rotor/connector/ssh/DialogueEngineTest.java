package io.rotor.connector.ssh;

import io.rotor.connector.ChangeResult;
import io.rotor.domain.Secret;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static io.rotor.connector.ssh.ChangerStep.expected;
import static io.rotor.connector.ssh.ChangerStep.input;
import static org.assertj.core.api.Assertions.assertThat;

/** The dialogue engine against a scripted device double. */
class DialogueEngineTest {
    /** Answers each line it receives with the next scripted reply; the first reply is printed at once. */
    static final class ScriptedDevice implements DialogueChannel {
        final OutputBuffer out = new OutputBuffer();
        final List<String> replies;
        final List<String> received = new ArrayList<>();

        ScriptedDevice(String greeting, String... replies) {
            this.replies = new ArrayList<>(List.of(replies));
            out.append(greeting);
        }

        @Override
        public OutputBuffer output() {
            return out;
        }

        @Override
        public void sendLine(String line) {
            received.add(line);
            if (!replies.isEmpty()) {
                out.append(replies.remove(0));
            }
        }

        @Override
        public void close() {
            out.end();
        }
    }

    static PasswordChanger changer(ChangerStep... steps) {
        return new PasswordChanger("t", PasswordChanger.Type.CHANGE, "test", PasswordChanger.Transport.SSH, 60,
                null, List.of(steps), false, false, false, null, null);
    }

    static Placeholders values(String next) {
        return new Placeholders().plain("account_login", "alice")
                .secret("account_secret", Secret.of("0ld-pw".toCharArray()))
                .secret("account_new_secret", Secret.of(next.toCharArray()));
    }

    private final DialogueEngine engine = new DialogueEngine(Duration.ofMillis(300));

    @Test
    void substitutesPlaceholdersAndSendsBytesExactly() {
        String next = "N3w' \"\\;$`x ÄöÜ ñ";
        ScriptedDevice dev = new ScriptedDevice("$ ", "Current password: ", "New password: ", "ok\n$ ");
        DialogueResult r = engine.run(changer(expected("\\$ $"), input("passwd %%account_login%%"),
                expected("Current password:"), input("%%account_secret%%"),
                expected("New password:"), input("%%account_new_secret%%"), expected("ok")), values(next), dev);
        assertThat(r.completed()).as(r.error()).isTrue();
        assertThat(dev.received).containsExactly("passwd alice", "0ld-pw", next);
        assertThat(r.toChangeResult().outcome()).isEqualTo(ChangeResult.Outcome.CHANGED);
    }

    @Test
    void aPromptThatNeverComesNamesTheStepAndIsRejectedBeforeTheNewSecret() {
        ScriptedDevice dev = new ScriptedDevice("$ ", "Current password: ");
        DialogueResult r = engine.run(changer(input("passwd"), expected("Current password:"), input("%%account_secret%%"),
                expected("New password:"), input("%%account_new_secret%%")), values("N3w-pw-1"), dev);
        assertThat(r.completed()).isFalse();
        assertThat(r.failedStep()).isEqualTo(4);
        assertThat(r.error()).isEqualTo("step 4: expected /New password:/ not seen within 300 ms");
        assertThat(r.newSecretSent()).isFalse();
        assertThat(r.toChangeResult().outcome()).isEqualTo(ChangeResult.Outcome.REJECTED);
    }

    @Test
    void aTimeoutAfterTheNewSecretWasSentIsUnknown() {
        ScriptedDevice dev = new ScriptedDevice("New password: ");
        DialogueResult r = engine.run(changer(expected("New password:"), input("%%account_new_secret%%"),
                expected("updated successfully")), values("N3w-pw-2"), dev);
        assertThat(r.error()).startsWith("step 3: expected /updated successfully/ not seen");
        assertThat(r.newSecretSent()).isTrue();
        assertThat(r.toChangeResult().outcome()).isEqualTo(ChangeResult.Outcome.UNKNOWN);
    }

    @Test
    void theTranscriptRedactsEverySecretEvenWhenTheDeviceEchoesIt() {
        String next = "Echo-Me-9";
        ScriptedDevice dev = new ScriptedDevice("New password: ", next + "\nBAD PASSWORD 0ld-pw\n");
        DialogueResult r = engine.run(changer(expected("New password:"), input("%%account_new_secret%%"),
                expected("never")), values(next), dev);
        assertThat(r.transcript()).doesNotContain(next).doesNotContain("0ld-pw")
                .contains("> %%account_new_secret%%").contains(" ****\n").contains("< BAD PASSWORD ****");
        assertThat(r.error()).doesNotContain(next);
    }

    @Test
    void crLfAndNulInAnyValueAreRefusedBeforeAnythingIsSent() {
        for (String bad : List.of("a\rb", "a\nb", "a\0b")) {
            ScriptedDevice dev = new ScriptedDevice("$ ", "x");
            DialogueResult r = engine.run(changer(input("echo %%account_login%%"), expected("x"),
                    input("%%account_new_secret%%")), values(bad), dev);
            assertThat(r.completed()).isFalse();
            assertThat(r.failedStep()).isEqualTo(3);
            assertThat(r.error()).contains("%%account_new_secret%%").contains("never sent to a dialogue");
            assertThat(dev.received).as("nothing was sent").isEmpty();
            assertThat(r.toChangeResult().outcome()).isEqualTo(ChangeResult.Outcome.REJECTED);
        }
    }

    @Test
    void aPlaceholderWithoutValueIsRefused() {
        ScriptedDevice dev = new ScriptedDevice("$ ");
        DialogueResult r = engine.run(changer(input("enable %%enable_secret%%")), values("x"), dev);
        assertThat(r.error()).isEqualTo("step 1: %%enable_secret%% has no value");
        assertThat(dev.received).isEmpty();
    }

    @Test
    void theChangersOverallTimeoutBoundsTheSteps() {
        PasswordChanger c = new PasswordChanger("t", PasswordChanger.Type.CHANGE, "t", PasswordChanger.Transport.SSH, 1,
                null, List.of(expected("never")), false, false, false, null, null);
        DialogueResult r = new DialogueEngine(Duration.ofSeconds(30)).run(c, values("Nn-9-pw"), new ScriptedDevice("$ "));
        assertThat(r.error()).isEqualTo("step 1: expected /never/ not seen within the changer's timeout of 1 s");
    }

    @Test
    void outputSplitInsideAUtf8CharacterIsDecodedWhole() {
        OutputBuffer out = new OutputBuffer();
        byte[] bytes = "Paßwort: ".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        out.write(bytes, 0, 3);
        out.write(bytes, 3, bytes.length - 3);
        assertThat(out.since(0)).isEqualTo("Paßwort: ");
    }

    @Test
    void changerNamesAreCaseInsensitiveAndBuiltinsAreReadOnly() {
        assertThat(BuiltinChangers.find("cisco ios")).isPresent();
        assertThat(BuiltinChangers.find("UNIX SUDO CHPASSWD").orElseThrow().builtin()).isTrue();
        assertThat(BuiltinChangers.all()).extracting(PasswordChanger::nameKey).doesNotHaveDuplicates();
        assertThat(PasswordChanger.Transport.parse("telnet")).isEqualTo(PasswordChanger.Transport.TELNET);
    }
}
