package io.rotor.api;

import io.rotor.workflow.OperationResult.Outcome;

/**
 * The HTTP status of an account operation's answer, by outcome. The answer's body is always the operation
 * result, whose {@code outcome} is the stable code. Stable mapping (documented in docs/api.md):
 * <pre>
 * 200  SUCCEEDED, RECOVERED_FORWARD, RECONCILED     done
 * 409  BUSY                                         another operation holds the account; retry later
 * 409  OUT_OF_SYNC                                  verify: the target rejects the stored CURRENT credential
 * 409  NEEDS_RECONCILE                              no stored credential opens the target
 * 409  ROLLED_BACK, RESTORED_PREVIOUS               the change did not take; the account is as reported
 * 422  REJECTED                                     the target refused the new credential (e.g. its own policy)
 * 422  FAILED                                       the operation could not run (no credential, no admin account, ...)
 * 422  ADMIN_LOGIN_FAILED                           the target refused the admin account's login; nothing was offered
 * 409  SKIPPED_CHECKED_OUT                          someone else holds the account (checkout); it rotates at checkin
 * 409  SKIPPED                                      automatic work left the account alone (DISABLED, ...), see detail
 * 503  UNREACHABLE                                  the target could not be reached; recovery will retry
 * 503  UNKNOWN                                      the change's outcome is not known yet; recovery probes again
 * </pre>
 */
public final class OutcomeStatus {
    private OutcomeStatus() {
    }

    public static int of(Outcome outcome) {
        return switch (outcome) {
            case SUCCEEDED, RECOVERED_FORWARD, RECONCILED -> 200;
            case BUSY, OUT_OF_SYNC, NEEDS_RECONCILE, ROLLED_BACK, RESTORED_PREVIOUS, SKIPPED_CHECKED_OUT, SKIPPED -> 409;
            case REJECTED, FAILED, ADMIN_LOGIN_FAILED -> 422;
            case UNREACHABLE, UNKNOWN -> 503;
        };
    }
}
