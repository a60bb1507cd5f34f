package io.rotor.cli;

import io.rotor.domain.Secret;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** Command-line parsing and exit codes; the commands' effects are covered by FirstRotationIT on real targets. */
class RotorCommandTest {

    private record Run(int exitCode, String err) {
    }

    private static Run rotor(String... args) {
        PrintStream originalErr = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            return new Run(RotorCommand.execute(args), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setErr(originalErr);
        }
    }

    @Test
    void aMissingCommandIsAUsageError() {
        Run run = rotor();
        assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(run.err()).contains("a command is required");
    }

    @Test
    void setNeedsExactlyOneSource() {
        assertThat(rotor("set", "--account", "a").exitCode()).isEqualTo(ExitCodes.USAGE);
        Run both = rotor("set", "--account", "a", "--generate", "--value-stdin");
        assertThat(both.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(both.err()).contains("mutually exclusive");
    }

    @Test
    void rotateTakesAnAccountOrATargetNotBoth() {
        assertThat(rotor("rotate").exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(rotor("rotate", "--account", "a", "--target", "t").exitCode()).isEqualTo(ExitCodes.USAGE);
    }

    @Test
    void aValueOnTheCommandLineIsNotAnOption() {
        Run run = rotor("set", "--account", "a", "--value", "hunter2");
        assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(run.err()).contains("--value");
    }

    @Test
    void aBadPortIsRefusedBeforeAnythingStarts() {
        Run run = rotor("serve", "--port", "70000", "--data-dir", "target/never-created");
        assertThat(run.exitCode()).isEqualTo(ExitCodes.FAILURE);
        assertThat(run.err()).contains("--port must be between 1 and 65535");
        assertThat(new java.io.File("target/never-created")).doesNotExist();
    }

    @Test
    void stdinLosesOneTrailingNewlineOnly() throws Exception {
        try (Secret unix = SetCommand.readValue(new ByteArrayInputStream("a b \n".getBytes(StandardCharsets.UTF_8)));
             Secret windows = SetCommand.readValue(new ByteArrayInputStream("x\r\n".getBytes(StandardCharsets.UTF_8)));
             Secret two = SetCommand.readValue(new ByteArrayInputStream("y\n\n".getBytes(StandardCharsets.UTF_8)));
             Secret utf8 = SetCommand.readValue(new ByteArrayInputStream("pässwörd".getBytes(StandardCharsets.UTF_8)))) {
            assertThat(unix.reveal()).isEqualTo("a b ");
            assertThat(windows.reveal()).isEqualTo("x");
            assertThat(two.reveal()).isEqualTo("y\n");
            assertThat(utf8.reveal()).isEqualTo("pässwörd");
        }
    }
}
