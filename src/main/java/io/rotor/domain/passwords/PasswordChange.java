package io.rotor.domain.passwords;

import java.time.Instant;
import java.util.List;

/**
 * One set-password request as the vault keeps it (never the password): who asked, for which account, and one
 * result per account it changes.
 */
public record PasswordChange(String id, String identityId, String sourceId, String accountId, String requestedBy,
                             State state, Instant created, Instant finished, List<Result> results) {
    public enum State { IN_PROGRESS, FINISHED, FAILED }

    /** WAITING until the account is worked on; NOT_CHANGED when the request ended before touching it. */
    public enum Outcome { WAITING, CHANGED, FAILED, NOT_CHANGED }

    /**
     * @param startVersion the account's credential version when the request was accepted
     * @param detail       for people, never a password
     */
    public record Result(String sourceId, String accountId, long startVersion, Outcome outcome, String detail) {
    }

    public PasswordChange {
        results = results == null ? List.of() : List.copyOf(results);
    }
}
