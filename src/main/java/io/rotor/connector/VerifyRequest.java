package io.rotor.connector;

import io.rotor.domain.Target;

/** @param accountId the vault account whose credential is tried, for connectors that hand it on; may be null */
public record VerifyRequest(Target target, Login login, String accountId) {
    public VerifyRequest(Target target, Login login) {
        this(target, login, null);
    }
}
