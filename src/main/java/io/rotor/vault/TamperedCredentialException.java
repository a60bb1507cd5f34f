package io.rotor.vault;

/** A stored ciphertext failed AEAD authentication: it was altered, moved to another record, or its key is gone. */
public class TamperedCredentialException extends VaultException {
    public TamperedCredentialException(String accountId, long version) {
        super("credential of account '" + accountId + "' version " + version
                + " failed authentication: the stored record was tampered with (or its key is missing); it was not used");
    }
}
