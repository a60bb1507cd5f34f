package io.rotor.connector;

/**
 * Outcome of a change on the target.
 * <ul>
 *   <li>{@code CHANGED}: the target accepted the new credential.</li>
 *   <li>{@code REJECTED}: the target refused it and certainly still has the old one (e.g. a password-quality
 *       rule, a refused login before the change was sent). The protocol drops the candidate.</li>
 *   <li>{@code UNKNOWN}: the change may or may not have been applied (timeout, connection lost after the
 *       statement was sent). The protocol hands the account to recovery, never calls it failed.</li>
 * </ul>
 * {@code loginRefused} marks a REJECTED whose cause is that the login the change runs in (the admin account, or
 * the account's own CURRENT) was refused: no candidate was offered, so a fresh candidate would only repeat the
 * failed login and bring the target's lockout closer (docs/architecture.md, "Automatic work").
 * {@code detail} is human-readable and never holds a secret.
 * {@code issued} is the credential the target generated itself where the caller cannot choose it (an AWS access key:
 * {@code CreateAccessKey} answers the secret), and which replaces the candidate of the request; null when the target
 * took the candidate. The protocol must store it before it drops the result (docs/architecture.md, "AWS IAM").
 */
public record ChangeResult(Outcome outcome, String detail, boolean loginRefused, io.rotor.domain.Secret issued) {
    public enum Outcome { CHANGED, REJECTED, UNKNOWN }

    public ChangeResult(Outcome outcome, String detail, boolean loginRefused) {
        this(outcome, detail, loginRefused, null);
    }

    /** CHANGED to a credential the target generated ({@code issued}), not to the request's candidate. */
    public static ChangeResult changedTo(io.rotor.domain.Secret issued, String detail) {
        return new ChangeResult(Outcome.CHANGED, detail, false, issued);
    }

    public ChangeResult(Outcome outcome, String detail) {
        this(outcome, detail, false);
    }

    public static ChangeResult changed() {
        return new ChangeResult(Outcome.CHANGED, "changed");
    }

    public static ChangeResult rejected(String detail) {
        return new ChangeResult(Outcome.REJECTED, detail);
    }

    /** REJECTED because the login the change needed was refused; nothing was sent. */
    public static ChangeResult loginRefused(String detail) {
        return new ChangeResult(Outcome.REJECTED, detail, true);
    }

    public static ChangeResult unknown(String detail) {
        return new ChangeResult(Outcome.UNKNOWN, detail);
    }
}
