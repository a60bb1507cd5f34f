package io.rotor.vault;

public class UnknownAccountException extends UnknownEntryException {
    public UnknownAccountException(String accountId) {
        super("account", accountId);
    }

    /** @param field the parameter that named the account, e.g. {@code vaultAccountId} */
    public UnknownAccountException(String accountId, String field) {
        super("account", accountId, field);
    }
}
