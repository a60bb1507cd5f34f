package io.rotor.connector;

import io.rotor.domain.Target;

/**
 * Check {@code login} on the target.
 *
 * @param admin the target's admin login, given only to a connector whose verify is
 *              {@link VerificationKind#CONFIRMED} (it confirms through the admin API, having no login to try);
 *              null otherwise
 */
public record VerifyRequest(Target target, Login login, Login admin) {
    public VerifyRequest(Target target, Login login) {
        this(target, login, null);
    }
}
