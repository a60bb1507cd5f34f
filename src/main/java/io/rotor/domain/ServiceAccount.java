package io.rotor.domain;

import java.time.Instant;

/**
 * A service account of the API (HTTP Basic, the seed scripts' {@code --username/--password}). {@code passwordHash}
 * is a salted PBKDF2 hash, never the password; {@link #toString()} leaves it out all the same.
 */
public record ServiceAccount(String username, Role role, String passwordHash, Instant createdAt, String createdBy) {
    @Override
    public String toString() {
        return "ServiceAccount[" + username + ", " + role.configName() + "]";
    }
}
