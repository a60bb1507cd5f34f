package io.rotor.vault;

/** The worker's lock on an account was taken over; its write was refused and nothing changed. */
public class StaleLockException extends VaultException {
    public StaleLockException(String accountId) {
        super("the lock on account '" + accountId + "' was taken over by another worker; this worker's change was not committed");
    }
}
