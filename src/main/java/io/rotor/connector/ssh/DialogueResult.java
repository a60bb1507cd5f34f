package io.rotor.connector.ssh;

import io.rotor.connector.ChangeResult;

/**
 * How a dialogue ended.
 *
 * @param completed     every step ran
 * @param failedStep    1-based number of the step that failed, 0 when completed
 * @param error         why it failed (names the step, never a secret), null when completed
 * @param newSecretSent an input holding {@code %%account_new_secret%%} was sent before it ended
 * @param transcript    the dialogue in the replay format ({@code < } output, {@code > } input), secrets redacted
 */
public record DialogueResult(boolean completed, int failedStep, String error, boolean newSecretSent, String transcript) {

    /**
     * The change outcome the protocol needs: completed → CHANGED; failed before the new secret was sent →
     * REJECTED (the target still has the old one); failed after → UNKNOWN (it may have changed).
     */
    public ChangeResult toChangeResult() {
        if (completed) {
            return ChangeResult.changed();
        }
        if (!newSecretSent) {
            return ChangeResult.rejected(error + " (before the new secret was sent: the old one is still valid)");
        }
        return ChangeResult.unknown(error + " (after the new secret was sent: the change may have happened)");
    }
}
