package io.rotor.vault;

import java.sql.SQLException;

/** What a vault failure means, for callers that must answer differently without looking at SQL themselves. */
public final class VaultErrors {
    private VaultErrors() {
    }

    /**
     * True when {@code failure} was caused by an integrity constraint (SQLSTATE class 23: a row still referred to,
     * a unique key taken), which a caller may report as a conflict rather than an internal error.
     */
    public static boolean isIntegrityViolation(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && sql.getSQLState() != null && sql.getSQLState().startsWith("23")) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }
}
