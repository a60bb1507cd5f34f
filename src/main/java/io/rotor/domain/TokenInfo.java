package io.rotor.domain;

import java.time.Instant;

/** An API token as the vault keeps it: its name and role, never the token (only its hash is stored). */
public record TokenInfo(String name, Role role, Instant createdAt, String createdBy, Instant revokedAt) {
    public boolean active() {
        return revokedAt == null;
    }
}
