package io.rotor.workflow.passwords;

/** A refused password-management request; the message names the field at fault and never holds a password. */
public class PasswordManagementException extends RuntimeException {
    public enum Kind { INVALID, FORBIDDEN, NOT_FOUND }

    private final Kind kind;

    public PasswordManagementException(Kind kind, String message) {
        super(message, null, false, false);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }

    static PasswordManagementException invalid(String message) {
        return new PasswordManagementException(Kind.INVALID, message);
    }

    static PasswordManagementException forbidden(String message) {
        return new PasswordManagementException(Kind.FORBIDDEN, message);
    }

    static PasswordManagementException notFound(String message) {
        return new PasswordManagementException(Kind.NOT_FOUND, message);
    }
}
