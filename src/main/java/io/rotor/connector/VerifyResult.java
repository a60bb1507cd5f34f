package io.rotor.connector;

/**
 * Outcome of a login attempt. {@link Outcome#UNREACHABLE} says nothing about the credential, so
 * recovery never treats it as a rejection.
 */
public record VerifyResult(Outcome outcome, String detail) {
    public enum Outcome { VALID, REJECTED, UNREACHABLE }

    public static VerifyResult valid() {
        return new VerifyResult(Outcome.VALID, "login succeeded");
    }

    public static VerifyResult rejected(String detail) {
        return new VerifyResult(Outcome.REJECTED, detail);
    }

    public static VerifyResult unreachable(String detail) {
        return new VerifyResult(Outcome.UNREACHABLE, detail);
    }

    public boolean isValid() {
        return outcome == Outcome.VALID;
    }
}
