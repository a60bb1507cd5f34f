package io.rotor.domain.passwords;

import java.time.Instant;
import java.util.List;

/**
 * A password sync group (SailPoint's {@code PasswordSyncGroup}): sources (Rotor targets) whose accounts of one
 * identity share one password. A source belongs to at most one group.
 *
 * @param policyId the Rotor password policy every member source's password must satisfy; null for the default
 */
public record SyncGroup(String id, String name, String policyId, List<String> sourceIds, Instant created, Instant modified) {
    public SyncGroup {
        sourceIds = sourceIds == null ? List.of() : List.copyOf(sourceIds);
    }
}
