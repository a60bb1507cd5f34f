package io.rotor.connector.jdbc;

import io.rotor.connector.Redactor;

import java.io.IOException;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTimeoutException;
import java.sql.SQLTransientConnectionException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/** Reading driver and pool exceptions: what kind of failure, and a one-line description without secrets. */
final class SqlFailures {
    private static final int MAX_DETAIL = 300;

    private SqlFailures() {
    }

    /** Every throwable in the cause chain and the SQLException next-exception chains, outermost first. */
    static List<Throwable> chain(Throwable top) {
        List<Throwable> out = new ArrayList<>();
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        List<Throwable> todo = new ArrayList<>();
        todo.add(top);
        while (!todo.isEmpty() && out.size() < 32) {
            Throwable t = todo.remove(0);
            if (t == null || !seen.add(t)) {
                continue;
            }
            out.add(t);
            todo.add(t.getCause());
            if (t instanceof SQLException sql) {
                todo.add(sql.getNextException());
            }
        }
        return out;
    }

    static boolean any(Throwable top, Predicate<SQLException> test) {
        for (Throwable t : chain(top)) {
            if (t instanceof SQLException sql && test.test(sql)) {
                return true;
            }
        }
        return false;
    }

    static boolean hasSqlState(Throwable top, String... states) {
        return any(top, e -> {
            for (String state : states) {
                if (state.equals(e.getSQLState())) {
                    return true;
                }
            }
            return false;
        });
    }

    /**
     * Whether the failure is about the connection rather than an answer from the server: connection-class
     * SQLState (08), operator intervention (57: the session was terminated), the JDBC connection and timeout
     * exception types, or an I/O exception anywhere in the chain.
     */
    static boolean isConnectionFailure(Throwable top) {
        for (Throwable t : chain(top)) {
            if (t instanceof IOException || t instanceof SQLTimeoutException
                    || t instanceof SQLTransientConnectionException || t instanceof SQLNonTransientConnectionException
                    || t instanceof SQLRecoverableException) {
                return true;
            }
            // 57014 (query_canceled) is the server's statement_timeout stopping the change: rolled back, not unknown
            if (t instanceof SQLException sql && sql.getSQLState() != null && !"57014".equals(sql.getSQLState())
                    && (sql.getSQLState().startsWith("08") || sql.getSQLState().startsWith("57"))) {
                return true;
            }
        }
        return false;
    }

    /**
     * "[SQLState 28P01, code 0] first line of the driver message", taken from the innermost SQLException that
     * carries a SQLState (pool wrappers only say "timed out"), with every given secret masked.
     */
    static String describe(Throwable top, String... secrets) {
        List<Throwable> chain = chain(top);
        SQLException best = null;
        for (Throwable t : chain) {
            if (t instanceof SQLException sql && (best == null || sql.getSQLState() != null)) {
                best = sql;
            }
        }
        String text;
        if (best != null) {
            text = "[SQLState " + best.getSQLState() + ", code " + best.getErrorCode() + "] " + firstLine(best.getMessage());
            Throwable root = chain.get(chain.size() - 1);
            if (root instanceof IOException) {
                text += " (" + root.getClass().getSimpleName() + ": " + firstLine(root.getMessage()) + ")";
            }
        } else {
            text = top.getClass().getSimpleName() + ": " + firstLine(top.getMessage());
        }
        text = Redactor.redact(text, secrets);
        return text.length() > MAX_DETAIL ? text.substring(0, MAX_DETAIL) + "..." : text;
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        int nl = message.indexOf('\n');
        return (nl >= 0 ? message.substring(0, nl) : message).trim();
    }
}
