package io.rotor.vault;

/**
 * A write that contradicts what the vault already holds (a vault account name taken by another account, a
 * group id that belongs to another user target...). The message names both sides. Nothing was changed.
 * Maps to HTTP 409.
 */
public class ConflictException extends VaultException {
    public ConflictException(String message) {
        super(message);
    }
}
