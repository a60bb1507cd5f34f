package io.rotor.connector.jdbc;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Quoting of SQL identifiers and string literals per dialect. Everything that goes into a statement the
 * connectors build comes through here; nothing is concatenated raw.
 *
 * <p>PostgreSQL: identifiers in double quotes with inner double quotes doubled; literals in the {@code E'...'}
 * form (backslashes and quotes doubled) so that the result does not depend on
 * {@code standard_conforming_strings}.
 *
 * <p>MariaDB / MySQL: string literals in single quotes. Single quotes are always doubled. Whether a
 * backslash is an escape character depends on the session's {@code sql_mode}: without
 * {@code NO_BACKSLASH_ESCAPES} a backslash is doubled and NUL written as {@code \0}; with it a backslash is
 * an ordinary character and NUL cannot be written at all (refused).
 */
public final class SqlQuoting {
    /** PostgreSQL truncates identifiers to NAMEDATALEN - 1 bytes; a longer name could address another role. */
    public static final int PG_MAX_IDENTIFIER_BYTES = 63;

    private SqlQuoting() {
    }

    /** {@code "name"} with inner double quotes doubled. Refuses empty names, NUL and names PostgreSQL would truncate. */
    public static String pgIdentifier(String name) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("identifier must not be empty");
        }
        if (name.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("identifier must not contain NUL");
        }
        if (name.getBytes(StandardCharsets.UTF_8).length > PG_MAX_IDENTIFIER_BYTES) {
            throw new IllegalArgumentException("identifier longer than " + PG_MAX_IDENTIFIER_BYTES
                    + " bytes would be truncated by PostgreSQL");
        }
        return '"' + name.replace("\"", "\"\"") + '"';
    }

    /** {@code E'value'} with backslashes and single quotes doubled; valid whatever standard_conforming_strings says. */
    public static String pgLiteral(String value) {
        if (value.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("literal must not contain NUL");
        }
        StringBuilder out = new StringBuilder(value.length() + 4).append("E'");
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\\' || c == '\'') {
                out.append(c);
            }
            out.append(c);
        }
        return out.append('\'').toString();
    }

    /** Whether a {@code @@SESSION.sql_mode} value turns backslash escapes off. */
    public static boolean noBackslashEscapes(String sqlMode) {
        if (sqlMode == null) {
            return false;
        }
        for (String mode : sqlMode.split(",")) {
            if (mode.trim().toUpperCase(Locale.ROOT).equals("NO_BACKSLASH_ESCAPES")) {
                return true;
            }
        }
        return false;
    }

    /** A MariaDB / MySQL string literal {@code 'value'} for a session whose sql_mode is as given. */
    public static String mariaLiteral(String value, boolean noBackslashEscapes) {
        StringBuilder out = new StringBuilder(value.length() + 2).append('\'');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\'' -> out.append("''");
                case '\\' -> out.append(noBackslashEscapes ? "\\" : "\\\\");
                case '\0' -> {
                    if (noBackslashEscapes) {
                        throw new IllegalArgumentException("NUL cannot be written in a literal under NO_BACKSLASH_ESCAPES");
                    }
                    out.append("\\0");
                }
                default -> out.append(c);
            }
        }
        return out.append('\'').toString();
    }

    /** {@code 'user'@'host'}, both parts as literals. */
    public static String mariaAccount(String user, String host, boolean noBackslashEscapes) {
        return mariaLiteral(user, noBackslashEscapes) + "@" + mariaLiteral(host, noBackslashEscapes);
    }

    /** Whether {@code value} holds NUL, CR or LF, which no secret handed to a target may contain. */
    public static boolean hasNulCrLf(CharSequence value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\0' || c == '\r' || c == '\n') {
                return true;
            }
        }
        return false;
    }
}
