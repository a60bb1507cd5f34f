package io.rotor.vault;

import io.rotor.domain.Secret;
import io.rotor.domain.Slot;

/** A decrypted credential version; close it (wipes the secret) when done. */
public record StoredCredential(Slot slot, long version, String rotationId, Secret secret) implements AutoCloseable {
    @Override
    public void close() {
        secret.close();
    }
}
