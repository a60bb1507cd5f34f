package io.rotor.vault;

import java.time.Instant;

/**
 * Which audit records to read: every non-null field must match exactly ({@code since} inclusive), newest first,
 * at most {@code limit}.
 */
public record AuditFilter(String accountId, String actor, String operation, Instant since, int limit) {
    public AuditFilter {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1");
        }
    }
}
