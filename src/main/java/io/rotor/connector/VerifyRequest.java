package io.rotor.connector;

import io.rotor.domain.Target;

public record VerifyRequest(Target target, Login login) {
}
