package io.rotor.domain;

import java.time.Instant;

/** A user-defined password changer as read back from the vault, with its id and time stamps. */
public record StoredChanger(String id, ChangerDefinition definition, boolean hidden, Instant createdAt,
                            Instant modifiedAt) {
}
