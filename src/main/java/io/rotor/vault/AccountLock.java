package io.rotor.vault;

/**
 * Proof that this worker holds an account. Every protocol write checks {@code token} in the same
 * transaction, so a worker whose lock was taken over (it stalled past the lock's lifetime, or its process
 * died) cannot commit anything.
 */
public record AccountLock(String accountId, String token, String owner) {
}
