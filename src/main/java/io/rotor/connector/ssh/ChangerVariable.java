package io.rotor.connector.ssh;

/**
 * A variable of a password changer bound to an object property (Fudo API v2 {@code variables}): e.g.
 * {@code transport_host} bound to the server's {@code address}. {@code encrypted} variables are secrets.
 */
public record ChangerVariable(String name, String description, String objectType, String objectProperty,
                              boolean encrypted, boolean optional, boolean transport) {
}
