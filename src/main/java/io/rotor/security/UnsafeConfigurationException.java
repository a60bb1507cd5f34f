package io.rotor.security;

/**
 * A start-up refusal for a set-up that would expose the vault or the master key: route files that others can
 * write, plain HTTP on a network address. The command line exits with {@code ExitCodes.UNSAFE_CONFIGURATION}.
 */
public class UnsafeConfigurationException extends IllegalArgumentException {
    public UnsafeConfigurationException(String message) {
        super(message);
    }
}
