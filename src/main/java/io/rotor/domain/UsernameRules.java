package io.rotor.domain;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Which usernames Rotor accepts for a target type. Connectors still quote identifiers; these rules refuse
 * names that no legitimate account has and that only serve injection (quotes, semicolons, line breaks...).
 *
 * <p>Messages name the rule broken and the index of the offending character; they do not repeat the
 * username, so that a hostile name cannot forge log lines.
 */
public final class UsernameRules {
    /** PostgreSQL's NAMEDATALEN - 1. */
    public static final int POSTGRESQL_MAX_BYTES = 63;
    /** MariaDB's (and MySQL 8's) limit on the user part of an account name. */
    public static final int MARIADB_MAX_CHARS = 80;
    /** Longest DN or login name accepted for directory targets. */
    public static final int DIRECTORY_MAX_CHARS = 1024;

    private static final Pattern POSTGRESQL = Pattern.compile("[A-Za-z_][A-Za-z0-9_$.-]*");
    private static final Pattern MARIADB = Pattern.compile("[A-Za-z0-9_$.-]+");
    /** Debian's useradd default (NAME_REGEX) plus upper case and dots, at most 32 characters. */
    private static final Pattern UNIX = Pattern.compile("[A-Za-z_][A-Za-z0-9_.-]*[$]?");
    public static final int UNIX_MAX_CHARS = 32;

    /** How a DN starts: an attribute type (name or OID) and '='. */
    private static final Pattern DN_START = Pattern.compile("(?:[A-Za-z][A-Za-z0-9-]*|[0-9]+(?:\\.[0-9]+)+)=");

    private UsernameRules() {
    }

    /**
     * @param targetType the target's connector type ({@code postgresql}, {@code mariadb}, {@code mysql},
     *                   anything else or null for the generic rules only)
     * @throws IllegalArgumentException naming the rule broken
     */
    public static void check(String targetType, String username) {
        String type = targetType == null ? "" : targetType.trim().toLowerCase(Locale.ROOT);
        if (type.equals("ldap") || type.equals("activedirectory")) {
            checkDirectory(type, username);
            return;
        }
        checkGeneric(username);
        switch (type) {
            case "postgresql" -> checkPostgresql(username);
            case "mariadb", "mysql" -> checkMariadb(type, username);
            case "ssh", "unix" -> checkUnix(type, username);
            default -> { }
        }
    }

    private static void checkGeneric(String username) {
        if (username == null || username.isBlank()) {
            throw new IllegalArgumentException("username must not be blank");
        }
        for (int i = 0; i < username.length(); i++) {
            char c = username.charAt(i);
            if (c == '\0' || c == '\r' || c == '\n') {
                throw new IllegalArgumentException("username must not contain NUL, CR or LF (found at index " + i + ")");
            }
            if (Character.isISOControl(c) || Character.getType(c) == Character.FORMAT) {
                throw new IllegalArgumentException("username must not contain control characters (found at index " + i + ")");
            }
            if (c == '\'' || c == '"' || c == '`') {
                throw new IllegalArgumentException("username must not contain a quote (' \" `) (found at index " + i + ")");
            }
            if (c == ';') {
                throw new IllegalArgumentException("username must not contain a semicolon (found at index " + i + ")");
            }
            if (c == '\\') {
                throw new IllegalArgumentException("username must not contain a backslash (found at index " + i + ")");
            }
            if (Character.isWhitespace(c) || Character.isSpaceChar(c)) {
                throw new IllegalArgumentException("username must not contain whitespace (found at index " + i + ")");
            }
        }
    }

    /**
     * {@code ldap} and {@code activedirectory}: a username is either a DN ({@code uid=alice,ou=people,dc=x}:
     * it holds {@code =}) or a login name (a {@code uid}/{@code sAMAccountName} value, or for AD a
     * userPrincipalName); which one a target expects is its setting {@code usernameIs}, which the connector
     * enforces. DNs legitimately hold spaces, commas, {@code +} and backslash escapes, and the connector
     * escapes login names per RFC 4514/4515. A DN may hold anything but NUL, CR, LF and other control
     * characters and leading or trailing whitespace (at most {@value #DIRECTORY_MAX_CHARS} characters); a
     * login name follows the generic rules (no quotes, semicolons, backslashes, whitespace) and must not hold
     * the filter metacharacters {@code * ( )} nor the DN separators {@code , =}.
     */
    private static void checkDirectory(String type, String username) {
        if (username == null || username.isBlank()) {
            throw new IllegalArgumentException("username must not be blank");
        }
        if (username.length() > DIRECTORY_MAX_CHARS) {
            throw new IllegalArgumentException(type + " username must be at most " + DIRECTORY_MAX_CHARS
                    + " characters (is " + username.length() + ")");
        }
        for (int i = 0; i < username.length(); i++) {
            char c = username.charAt(i);
            if (c == '\0' || c == '\r' || c == '\n') {
                throw new IllegalArgumentException("username must not contain NUL, CR or LF (found at index " + i + ")");
            }
            if (Character.isISOControl(c) || Character.getType(c) == Character.FORMAT) {
                throw new IllegalArgumentException("username must not contain control characters (found at index " + i + ")");
            }
        }
        if (Character.isWhitespace(username.charAt(0)) || Character.isWhitespace(username.charAt(username.length() - 1))) {
            throw new IllegalArgumentException(type + " username must not start or end with whitespace");
        }
        if (DN_START.matcher(username).lookingAt()) {
            return; // a DN: the connector parses it strictly (RFC 4514) and keeps it under baseDn
        }
        checkGeneric(username); // a login name: no quotes, semicolons, backslashes, whitespace
        for (int i = 0; i < username.length(); i++) {
            char c = username.charAt(i);
            if (c == '*' || c == '(' || c == ')' || c == ',' || c == '=') {
                throw new IllegalArgumentException(type + " login name must not contain * ( ) , or = (found at index "
                        + i + "); give a DN to name an entry by its DN");
            }
        }
    }

    private static void checkPostgresql(String username) {
        int bytes = username.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > POSTGRESQL_MAX_BYTES) {
            throw new IllegalArgumentException("postgresql username must be at most " + POSTGRESQL_MAX_BYTES
                    + " bytes (is " + bytes + ")");
        }
        if (!POSTGRESQL.matcher(username).matches()) {
            throw new IllegalArgumentException("postgresql username must match " + POSTGRESQL.pattern()
                    + " (a letter or underscore, then letters, digits, _ $ . -)");
        }
    }

    private static void checkUnix(String type, String username) {
        if (username.length() > UNIX_MAX_CHARS) {
            throw new IllegalArgumentException(type + " username must be at most " + UNIX_MAX_CHARS
                    + " characters (is " + username.length() + ")");
        }
        if (!UNIX.matcher(username).matches()) {
            throw new IllegalArgumentException(type + " username must match " + UNIX.pattern()
                    + " (a letter or underscore, then letters, digits, _ . -, optionally a final $)");
        }
    }

    private static void checkMariadb(String type, String username) {
        if (username.length() > MARIADB_MAX_CHARS) {
            throw new IllegalArgumentException(type + " username must be at most " + MARIADB_MAX_CHARS
                    + " characters (is " + username.length() + ")");
        }
        if (username.indexOf('@') >= 0) {
            throw new IllegalArgumentException(type + " username must not contain '@': give only the user part;"
                    + " the host part is a target setting");
        }
        if (!MARIADB.matcher(username).matches()) {
            throw new IllegalArgumentException(type + " username must match " + MARIADB.pattern()
                    + " (letters, digits, _ $ . -)");
        }
    }
}
