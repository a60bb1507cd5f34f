package io.rotor.vault;

import java.time.Instant;

/**
 * One line of the audit trail. {@code detail} is free text that must never hold a secret; callers pass
 * outcomes and reasons only, and {@link AuditLog} truncates it to the column size.
 */
public record AuditRecord(Instant at, String actor, String operation, String accountId, String targetId,
                          String rotationId, String outcome, String detail) {
    public static AuditRecord of(String actor, String operation, String accountId, String targetId,
                                 String rotationId, String outcome, String detail) {
        return new AuditRecord(null, actor, operation, accountId, targetId, rotationId, outcome, detail);
    }
}
