package io.rotor.connector.ssh;

import io.rotor.connector.Redactor;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Plays a changer's {@code expected} / {@code input} steps over a {@link DialogueChannel}.
 *
 * <ul>
 *   <li>{@code expected}: waits for output matching the regex, at most the step timeout and never past the
 *       changer's overall timeout; otherwise the dialogue ends with "step N: expected /regex/ not seen within T s".
 *       Only output that follows the latest {@code input} (and what earlier {@code expected} steps consumed) is
 *       searched: a prompt counts only when it answers the command that was sent, so a banner, a message of the
 *       day or a shell start-up file printing {@code Password:} before the command cannot trigger the next
 *       input.</li>
 *   <li>{@code input}: substitutes {@code %%placeholders%%} and sends the line. Every value used anywhere is
 *       checked before step 1: a control character in a value ({@link io.rotor.domain.SecretRules#isControl})
 *       ends the dialogue before anything is sent.</li>
 *   <li>The transcript holds the output with every secret masked and each input in its template form
 *       (secret placeholders left as {@code %%name%%}), so a failed run's transcript can be replayed. It is
 *       bounded ({@value #MAX_TRANSCRIPT_CHARS} characters), as is the output the channel keeps.</li>
 * </ul>
 */
public final class DialogueEngine {
    /** How much of a dialogue the transcript keeps (it is logged and stored with a failure). */
    public static final int MAX_TRANSCRIPT_CHARS = 64 * 1024;

    private final Duration stepTimeout;

    public DialogueEngine(Duration stepTimeout) {
        this.stepTimeout = stepTimeout;
    }

    public DialogueResult run(PasswordChanger changer, Placeholders values, DialogueChannel channel) {
        return run(changer, values, channel, 0);
    }

    /** @param from where in the channel's output this dialogue starts (output before it is ignored) */
    public DialogueResult run(PasswordChanger changer, Placeholders values, DialogueChannel channel, int from) {
        List<ChangerStep> steps = changer.commands();
        Transcript transcript = new Transcript(values.secretValues());
        // refuse bad values before anything is sent
        for (int i = 0; i < steps.size(); i++) {
            ChangerStep step = steps.get(i);
            if (step.type() == ChangerStep.Type.INPUT) {
                try {
                    values.substitute(step.value());
                } catch (IllegalArgumentException e) {
                    return new DialogueResult(false, i + 1, "step " + (i + 1) + ": " + e.getMessage(), false,
                            transcript.text());
                }
            } else {
                try {
                    Pattern.compile(step.value());
                } catch (PatternSyntaxException e) {
                    return new DialogueResult(false, i + 1, "step " + (i + 1) + ": expected value is not a valid regex: "
                            + e.getDescription(), false, transcript.text());
                }
            }
        }
        long overallDeadline = changer.timeoutSeconds() > 0
                ? System.nanoTime() + Duration.ofSeconds(changer.timeoutSeconds()).toNanos() : Long.MAX_VALUE;
        OutputBuffer out = channel.output();
        int consumed = from;
        boolean newSecretSent = false;
        for (int i = 0; i < steps.size(); i++) {
            ChangerStep step = steps.get(i);
            int n = i + 1;
            if (step.type() == ChangerStep.Type.EXPECTED) {
                long stepDeadline = System.nanoTime() + stepTimeout.toNanos();
                long deadline = Math.min(stepDeadline, overallDeadline);
                int end;
                try {
                    end = out.await(Pattern.compile(step.value()), consumed, deadline);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    transcript.output(out.since(consumed));
                    return new DialogueResult(false, n, "step " + n + ": interrupted", newSecretSent, transcript.text());
                }
                if (end < 0) {
                    transcript.output(out.since(consumed));
                    String why;
                    if (channel.failure() != null) {
                        why = "step " + n + ": expected /" + step.value() + "/ not seen: " + channel.failure();
                    } else if (out.failure() != null) {
                        why = "step " + n + ": expected /" + step.value() + "/ not seen: " + out.failure();
                    } else if (out.ended()) {
                        why = "step " + n + ": expected /" + step.value() + "/ not seen before the connection ended";
                    } else if (overallDeadline < stepDeadline) {
                        why = "step " + n + ": expected /" + step.value() + "/ not seen within the changer's timeout of "
                                + changer.timeoutSeconds() + " s";
                    } else {
                        why = "step " + n + ": expected /" + step.value() + "/ not seen within " + seconds(stepTimeout);
                    }
                    return new DialogueResult(false, n, Redactor.redact(why, values.secretValues()), newSecretSent,
                            transcript.text());
                }
                transcript.output(out.since(consumed).substring(0, end - consumed));
                consumed = end;
            } else {
                String line = values.substitute(step.value());
                boolean carriesNewSecret = Placeholders.mentions(step.value(), Placeholders.ACCOUNT_NEW_SECRET)
                        || Placeholders.mentions(step.value(), Placeholders.ACCOUNT_NEW_PUBLIC_KEY);
                // what arrived before this command cannot be its answer: the next expected step starts here
                int sentAt = out.length();
                transcript.output(out.since(consumed).substring(0, sentAt - Math.min(consumed, sentAt)));
                consumed = sentAt;
                transcript.input(values.redactedForm(step.value()));
                try {
                    channel.sendLine(line);
                } catch (IOException | RuntimeException e) {
                    String why = "step " + n + ": sending failed: " + e.getClass().getSimpleName()
                            + (e.getMessage() == null ? "" : ": " + e.getMessage());
                    return new DialogueResult(false, n, Redactor.redact(why, values.secretValues()),
                            newSecretSent || carriesNewSecret, transcript.text());
                }
                newSecretSent |= carriesNewSecret;
            }
        }
        return new DialogueResult(true, 0, null, newSecretSent, transcript.text());
    }

    private static String seconds(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? (ms / 1000) + " s" : ms + " ms";
    }

    /** The replay format, redacted. */
    static final class Transcript {
        private final StringBuilder text = new StringBuilder();
        private final String[] secrets;

        Transcript(String[] secrets) {
            this.secrets = secrets;
        }

        private boolean truncated;

        void output(String s) {
            if (s.isEmpty()) {
                return;
            }
            String redacted = Redactor.redact(s, secrets).replace("\r", "");
            for (String line : redacted.split("\n", -1)) {
                if (!line.isEmpty()) {
                    append("< " + line + "\n");
                }
            }
        }

        void input(String templateForm) {
            append("> " + templateForm + "\n");
        }

        private void append(String line) {
            if (truncated) {
                return;
            }
            if (text.length() + line.length() > MAX_TRANSCRIPT_CHARS) {
                text.append("# transcript truncated at ").append(MAX_TRANSCRIPT_CHARS).append(" characters\n");
                truncated = true;
                return;
            }
            text.append(line);
        }

        String text() {
            return text.toString();
        }
    }
}
