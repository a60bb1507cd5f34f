package io.rotor.vault;

/**
 * A change the vault refused because of the state of what it touches (an account in use, a target that still
 * has accounts...). Nothing was changed. The message names the record and never holds a secret.
 */
public class VaultConflictException extends VaultException {
    public enum Reason {
        /** Another principal holds the account (checkout). */
        CHECKED_OUT,
        /** A checkin for an account nobody holds. */
        NOT_CHECKED_OUT,
        /** An operation holds the account's lock right now. */
        BUSY,
        /** The account has a PENDING credential that recovery must settle first. */
        PENDING_CREDENTIAL,
        /** Other records still refer to it. */
        IN_USE,
        /** No CURRENT credential is stored. */
        NO_CREDENTIAL
    }

    private final Reason reason;

    public VaultConflictException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
