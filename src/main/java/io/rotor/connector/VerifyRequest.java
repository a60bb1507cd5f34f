package io.rotor.connector;

import io.rotor.domain.Target;

/**
 * A login check of {@code login}. {@code admin} is the target's admin login, given only to connectors whose verify
 * confirms a change through the admin API ({@link VerificationKind#CONFIRMED}); null otherwise. {@code accountId} is
 * the vault account whose credential is tried, for connectors that hand it on (route connectors); may be null.
 */
public record VerifyRequest(Target target, Login login, Login admin, String accountId) {
    public VerifyRequest(Target target, Login login, Login admin) {
        this(target, login, admin, null);
    }

    public VerifyRequest(Target target, Login login) {
        this(target, login, null);
    }
}
