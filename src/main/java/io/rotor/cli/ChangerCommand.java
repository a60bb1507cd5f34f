package io.rotor.cli;

import io.rotor.connector.ssh.BuiltinChangers;
import io.rotor.connector.ssh.PasswordChanger;
import io.rotor.connector.ssh.TranscriptReplay;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;

/** {@code rotor changer list|test}: the password changers, and replaying one against a recorded dialogue. */
@Command(name = "changer", description = "Password changers: list them, or test one against a recorded transcript.",
        subcommands = {ChangerCommand.ListChangers.class, ChangerCommand.TestChanger.class})
public class ChangerCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a changer command is required (list, test)");
    }

    @Command(name = "list", description = "List the built-in password changers.")
    static class ListChangers implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            for (PasswordChanger c : BuiltinChangers.all()) {
                spec.commandLine().getOut().printf("%-3s %-7s %-7s %-32s %d steps%s%n", c.id(), c.type().wireName(),
                        c.transport().wireName(), c.name(), c.commands().size(), c.builtin() ? " (builtin)" : "");
            }
            return ExitCodes.SUCCESS;
        }
    }

    @Command(name = "test", description = "Play a changer against a recorded device dialogue (lines '< ' output, '> ' input, '@ name = value').")
    static class TestChanger implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--changer", paramLabel = "NAME", required = true, description = "Changer name (case-insensitive).")
        String changer;

        @Option(names = "--transcript", paramLabel = "FILE", required = true, description = "The recorded dialogue.")
        Path transcript;

        @Option(names = "--step-timeout", paramLabel = "SECONDS", defaultValue = "2", description = "Per-step timeout (default 2).")
        double stepTimeout;

        @Override
        public Integer call() throws Exception {
            var out = spec.commandLine().getOut();
            var err = spec.commandLine().getErr();
            PasswordChanger c;
            try {
                c = BuiltinChangers.get(changer);
            } catch (IllegalArgumentException e) {
                err.println("rotor: " + e.getMessage());
                return ExitCodes.USAGE;
            }
            if (!Files.isRegularFile(transcript)) {
                err.println("rotor: transcript file not found: " + transcript);
                return ExitCodes.USAGE;
            }
            TranscriptReplay.Report report;
            try {
                report = TranscriptReplay.replay(c, transcript, Duration.ofMillis((long) (stepTimeout * 1000)));
            } catch (IllegalArgumentException e) {
                err.println("rotor: " + e.getMessage());
                return ExitCodes.USAGE;
            }
            if (report.passed()) {
                out.println("PASS " + report.message());
                return ExitCodes.SUCCESS;
            }
            out.println("FAIL " + report.message());
            out.println("transcript (secrets redacted):");
            out.print(report.transcript());
            out.flush();
            return ExitCodes.FAILURE;
        }
    }
}
