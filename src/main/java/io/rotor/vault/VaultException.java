package io.rotor.vault;

/** A vault failure whose message is safe to show to a user: it never holds a secret. */
public class VaultException extends RuntimeException {
    public VaultException(String message) {
        super(message);
    }

    public VaultException(String message, Throwable cause) {
        super(message, cause);
    }
}
