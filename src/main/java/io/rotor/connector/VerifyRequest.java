package io.rotor.connector;

import io.rotor.domain.Target;

/**
 * A login check of {@code login}. {@code admin} is the target's admin login, given only to connectors whose verify
 * confirms a change through the admin API ({@link VerificationKind#CONFIRMED}); null otherwise.
 */
public record VerifyRequest(Target target, Login login, Login admin) {
    public VerifyRequest(Target target, Login login) {
        this(target, login, null);
    }
}
