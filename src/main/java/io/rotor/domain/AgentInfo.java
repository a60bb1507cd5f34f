package io.rotor.domain;

import java.time.Instant;

/**
 * An agent of a site the server cannot reach, as the vault keeps it: never its credential (only a hash is stored).
 *
 * @param enrolledAt    when it exchanged its one-time enrollment token for its own credential; null until then
 * @param lastContactAt its last request (enrollment, poll or result); null before the first
 * @param lastAddress   the address that request came from, as the server saw it
 */
public record AgentInfo(String name, String site, Instant createdAt, String createdBy, Instant enrolledAt,
                        Instant lastContactAt, String lastAddress, Instant revokedAt) {
    public boolean active() {
        return revokedAt == null;
    }

    public String state() {
        return revokedAt != null ? "revoked" : enrolledAt == null ? "awaiting enrollment" : "enrolled";
    }
}
