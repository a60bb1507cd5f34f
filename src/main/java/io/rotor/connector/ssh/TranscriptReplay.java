package io.rotor.connector.ssh;

import io.rotor.connector.Redactor;
import io.rotor.domain.Secret;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Plays a changer against a recorded device dialogue, so a changer can be developed and regression-tested
 * without the device. The transcript format (UTF-8, one item per line):
 * <pre>
 * # a comment
 * &#64; account_login = alice          a placeholder value; names ending in _secret are secrets
 * &lt; Router&gt;                       a line the device prints (a line end follows it)
 * &gt; enable                          the line the changer must send ({@code %%placeholders%%} allowed)
 * &gt;                                 an empty line must be sent
 * </pre>
 * The device's lines up to the first {@code >} are printed at once; each line the changer sends must equal
 * the next {@code >} line (after substitution), and releases the device's lines after it. The replay passes
 * when the changer completes and every {@code >} line was sent. A failed run's redacted transcript is in
 * the same format.
 */
public final class TranscriptReplay {
    private static final Pattern VAR = Pattern.compile("@\\s*([A-Za-z0-9_]+)\\s*=\\s?(.*)");

    /** What a replay found. {@code transcript} is what the changer saw and sent, secrets redacted. */
    public record Report(boolean passed, String message, String transcript) {
    }

    private record Item(boolean input, String text, int lineNo) {
    }

    private TranscriptReplay() {
    }

    public static Report replay(PasswordChanger changer, Path file, Duration stepTimeout) throws IOException {
        return replay(changer, Files.readAllLines(file, StandardCharsets.UTF_8), stepTimeout);
    }

    public static Report replay(PasswordChanger changer, List<String> lines, Duration stepTimeout) {
        Placeholders values = new Placeholders();
        List<Item> items = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            int no = i + 1;
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            if (line.startsWith("@")) {
                Matcher m = VAR.matcher(line);
                if (!m.matches()) {
                    throw new IllegalArgumentException("transcript line " + no + ": expected '@ name = value'");
                }
                if (m.group(1).endsWith("_secret")) {
                    values.secret(m.group(1), Secret.of(m.group(2).toCharArray()));
                } else {
                    values.plain(m.group(1), m.group(2));
                }
            } else if (line.startsWith("<")) {
                items.add(new Item(false, rest(line), no));
            } else if (line.startsWith(">")) {
                items.add(new Item(true, rest(line), no));
            } else {
                throw new IllegalArgumentException("transcript line " + no + ": a line starts with '< ', '> ', '@', or '#'");
            }
        }
        ReplayChannel channel = new ReplayChannel(items, values);
        DialogueResult result = new DialogueEngine(stepTimeout).run(changer, values, channel);
        if (channel.failure() != null) {
            return new Report(false, result.completed() ? channel.failure() : result.error(), result.transcript());
        }
        if (!result.completed()) {
            return new Report(false, result.error(), result.transcript());
        }
        if (channel.pendingInput() != null) {
            return new Report(false, "the changer finished, but the transcript still expects input at line "
                    + channel.pendingInput().lineNo(), result.transcript());
        }
        return new Report(true, "changer '" + changer.name() + "' plays the transcript through ("
                + changer.commands().size() + " steps)", result.transcript());
    }

    private static String rest(String line) {
        return line.length() <= 1 ? "" : line.charAt(1) == ' ' ? line.substring(2) : line.substring(1);
    }

    /** The recorded device. */
    private static final class ReplayChannel implements DialogueChannel {
        private final List<Item> items;
        private final Placeholders values;
        private final OutputBuffer output = new OutputBuffer();
        private int next;
        private volatile String failure;

        ReplayChannel(List<Item> items, Placeholders values) {
            this.items = items;
            this.values = values;
            release();
        }

        private void release() {
            while (next < items.size() && !items.get(next).input()) {
                output.append(items.get(next).text() + "\n");
                next++;
            }
            if (next >= items.size()) {
                output.end();
            }
        }

        Item pendingInput() {
            return next < items.size() ? items.get(next) : null;
        }

        @Override
        public OutputBuffer output() {
            return output;
        }

        @Override
        public void sendLine(String line) {
            if (failure != null) {
                return;
            }
            Item expected = pendingInput();
            if (expected == null) {
                failure = "the changer sent a line after the transcript ended";
                output.end();
                return;
            }
            String want;
            try {
                want = values.substitute(expected.text());
            } catch (IllegalArgumentException e) {
                failure = "transcript line " + expected.lineNo() + ": " + e.getMessage();
                output.end();
                return;
            }
            if (!want.equals(line)) {
                failure = "transcript line " + expected.lineNo() + ": the changer sent '"
                        + Redactor.redact(line, values.secretValues()) + "' but the device expects '"
                        + values.redactedForm(expected.text()) + "'";
                output.end();
                return;
            }
            next++;
            release();
        }

        @Override
        public String failure() {
            return failure;
        }

        @Override
        public void close() {
            output.end();
        }
    }
}
