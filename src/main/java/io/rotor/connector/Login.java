package io.rotor.connector;

import io.rotor.domain.Secret;

/** A username and the secret to log in with. */
public record Login(String username, Secret secret) {
    @Override
    public String toString() {
        return "Login[" + username + "]";
    }
}
