package io.rotor.workflow;

import io.rotor.domain.AccountStatus;

/**
 * What one operation on one account came to. {@code detail} is for people and never holds a secret.
 */
public record OperationResult(String accountId, String operation, Outcome outcome, AccountStatus status, String detail) {

    public enum Outcome {
        /** The operation did what was asked. */
        SUCCEEDED(true),
        /** An unknown outcome was settled by recovery, which found the new credential live and committed it. */
        RECOVERED_FORWARD(true),
        /** The admin account reset a credential nothing else could open. */
        RECONCILED(true),
        /** The target refused the change; the old credential is still CURRENT and works. */
        REJECTED(false),
        /** Recovery found the old CURRENT still live and dropped the unused PENDING candidate. */
        ROLLED_BACK(false),
        /** Recovery found PREVIOUS live and made it CURRENT again. */
        RESTORED_PREVIOUS(false),
        /** No stored credential works; kept everything, waiting for an admin reconcile. */
        NEEDS_RECONCILE(false),
        /**
         * The change was sent but its outcome is not known yet (it may still land): PENDING is kept and recovery
         * probes again after the quiet period.
         */
        UNKNOWN(false),
        /** The target could not be reached; nothing was decided, recovery will try again. */
        UNREACHABLE(false),
        /** Another worker holds the account. */
        BUSY(false),
        /** A verify found the stored CURRENT rejected. */
        OUT_OF_SYNC(false),
        FAILED(false),
        /**
         * The target refused the admin account's login: no candidate was offered and none is retried; automatic work
         * stops using that admin on the target for a while (docs/architecture.md, "Automatic work").
         */
        ADMIN_LOGIN_FAILED(false),
        /** Someone else holds the account (checkout); nothing was done. It rotates at checkin. */
        SKIPPED_CHECKED_OUT(false),
        /**
         * Automatic work left the account alone, with the reason in the detail: DISABLED, known not to log in
         * (OUT_OF_SYNC), or waiting for its reconcile back-off. Nothing was sent to the target.
         */
        SKIPPED(false);

        private final boolean success;

        Outcome(boolean success) {
            this.success = success;
        }

        public boolean success() {
            return success;
        }
    }

    public boolean success() {
        return outcome.success();
    }
}
