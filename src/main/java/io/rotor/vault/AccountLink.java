package io.rotor.vault;

/**
 * A vault account and the backing account whose password it mirrors (through the link attribute): the
 * "account pair" of the seed's mass password reset.
 */
public record AccountLink(String vaultAccountId, String backingAccountId, String backingTargetId) {
}
