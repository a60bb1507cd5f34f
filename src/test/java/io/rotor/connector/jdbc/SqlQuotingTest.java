package io.rotor.connector.jdbc;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SqlQuotingTest {

    /** Every printable ASCII character, space included. */
    static final String PRINTABLE;

    static {
        StringBuilder all = new StringBuilder();
        for (char c = 0x20; c < 0x7F; c++) {
            all.append(c);
        }
        PRINTABLE = all.toString();
    }

    // ---- MariaDB literals, checked by a reference reader of the server's literal syntax ----

    /**
     * Reads one single-quoted literal the way the MariaDB lexer does and returns its value; fails if the
     * literal ends early (an injection) or anything follows it.
     */
    static String readMariaLiteral(String sql, boolean noBackslashEscapes) {
        assertThat(sql).startsWith("'");
        StringBuilder value = new StringBuilder();
        int i = 1;
        while (true) {
            assertThat(i).as("literal is terminated").isLessThan(sql.length());
            char c = sql.charAt(i);
            if (c == '\'') {
                if (i + 1 < sql.length() && sql.charAt(i + 1) == '\'') {
                    value.append('\'');
                    i += 2;
                    continue;
                }
                assertThat(i).as("literal ends at the last character").isEqualTo(sql.length() - 1);
                return value.toString();
            }
            if (c == '\\' && !noBackslashEscapes) {
                char next = sql.charAt(i + 1);
                switch (next) {
                    case '0' -> value.append('\0');
                    case 'n' -> value.append('\n');
                    case 'r' -> value.append('\r');
                    case 't' -> value.append('\t');
                    case 'b' -> value.append('\b');
                    case 'Z' -> value.append('\032');
                    default -> value.append(next); // \\ \' \" and any other escaped character
                }
                i += 2;
                continue;
            }
            value.append(c);
            i++;
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void everyPrintableAsciiCharacterSurvivesAlone(boolean noBackslashEscapes) {
        for (char c : PRINTABLE.toCharArray()) {
            String value = String.valueOf(c);
            String literal = SqlQuoting.mariaLiteral(value, noBackslashEscapes);
            assertThat(readMariaLiteral(literal, noBackslashEscapes)).as("char %s", value).isEqualTo(value);
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void allPrintableAsciiTogetherAndNastyCombinationsSurvive(boolean noBackslashEscapes) {
        for (String value : new String[] {PRINTABLE, "\\'", "'\\", "\\\\'';--", "a\\' OR 1=1 -- ", "''''", "\\",
                "end\\", " ", "' ; DROP USER root; '", "\\0", "%_\\%"}) {
            String literal = SqlQuoting.mariaLiteral(value, noBackslashEscapes);
            assertThat(readMariaLiteral(literal, noBackslashEscapes)).as(value).isEqualTo(value);
        }
    }

    @Test
    void backslashHandlingFollowsSqlMode() {
        assertThat(SqlQuoting.mariaLiteral("a\\b'c", false)).isEqualTo("'a\\\\b''c'");
        assertThat(SqlQuoting.mariaLiteral("a\\b'c", true)).isEqualTo("'a\\b''c'");
        assertThat(SqlQuoting.mariaLiteral("a b", false)).isEqualTo("'a b'");
    }

    @Test
    void nulIsEscapedOnlyWhereItCanBe() {
        assertThat(SqlQuoting.mariaLiteral("a\0b", false)).isEqualTo("'a\\0b'");
        assertThat(readMariaLiteral(SqlQuoting.mariaLiteral("a\0b", false), false)).isEqualTo("a\0b");
        assertThatThrownBy(() -> SqlQuoting.mariaLiteral("a\0b", true)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void sqlModeParsing() {
        assertThat(SqlQuoting.noBackslashEscapes("STRICT_TRANS_TABLES,NO_BACKSLASH_ESCAPES")).isTrue();
        assertThat(SqlQuoting.noBackslashEscapes("no_backslash_escapes")).isTrue();
        assertThat(SqlQuoting.noBackslashEscapes("STRICT_TRANS_TABLES,ERROR_FOR_DIVISION_BY_ZERO")).isFalse();
        assertThat(SqlQuoting.noBackslashEscapes("")).isFalse();
        assertThat(SqlQuoting.noBackslashEscapes(null)).isFalse();
        assertThat(SqlQuoting.noBackslashEscapes("NO_BACKSLASH_ESCAPES_X")).isFalse();
    }

    @Test
    void mariaAccountQuotesBothParts() {
        assertThat(SqlQuoting.mariaAccount("o'neil", "%", false)).isEqualTo("'o''neil'@'%'");
        assertThat(SqlQuoting.mariaAccount("a\\b", "10.0.0.%", false)).isEqualTo("'a\\\\b'@'10.0.0.%'");
        assertThat(SqlQuoting.mariaAccount("a\\b", "localhost", true)).isEqualTo("'a\\b'@'localhost'");
    }

    @Test
    void nulCrLfDetection() {
        assertThat(SqlQuoting.hasNulCrLf(PRINTABLE)).isFalse();
        assertThat(SqlQuoting.hasNulCrLf("a\nb")).isTrue();
        assertThat(SqlQuoting.hasNulCrLf("a\rb")).isTrue();
        assertThat(SqlQuoting.hasNulCrLf("a\0b")).isTrue();
    }

    // ---- PostgreSQL ----

    /** Reads a double-quoted identifier as the PostgreSQL lexer does. */
    static String readPgIdentifier(String sql) {
        assertThat(sql).startsWith("\"").endsWith("\"");
        String inner = sql.substring(1, sql.length() - 1);
        assertThat(inner.replace("\"\"", "")).as("no lone double quote inside").doesNotContain("\"");
        return inner.replace("\"\"", "\"");
    }

    /** Reads an E'...' literal as the PostgreSQL lexer does (only the escapes pgLiteral can produce). */
    static String readPgLiteral(String sql) {
        assertThat(sql).startsWith("E'");
        StringBuilder value = new StringBuilder();
        int i = 2;
        while (true) {
            char c = sql.charAt(i);
            if (c == '\'') {
                if (i + 1 < sql.length() && sql.charAt(i + 1) == '\'') {
                    value.append('\'');
                    i += 2;
                    continue;
                }
                assertThat(i).isEqualTo(sql.length() - 1);
                return value.toString();
            }
            if (c == '\\') {
                assertThat(sql.charAt(i + 1)).as("only doubled backslashes").isEqualTo('\\');
                value.append('\\');
                i += 2;
                continue;
            }
            value.append(c);
            i++;
        }
    }

    @Test
    void pgIdentifierDoublesDoubleQuotes() {
        assertThat(SqlQuoting.pgIdentifier("rotor_it_1")).isEqualTo("\"rotor_it_1\"");
        assertThat(SqlQuoting.pgIdentifier("o\"neil")).isEqualTo("\"o\"\"neil\"");
        assertThat(SqlQuoting.pgIdentifier("o'neil")).isEqualTo("\"o'neil\"");
        for (char c : PRINTABLE.toCharArray()) {
            String name = "r" + c + "x";
            assertThat(readPgIdentifier(SqlQuoting.pgIdentifier(name))).isEqualTo(name);
        }
        assertThat(readPgIdentifier(SqlQuoting.pgIdentifier(PRINTABLE.substring(0, 60)))).isEqualTo(PRINTABLE.substring(0, 60));
    }

    @Test
    void pgIdentifierRefusesNulEmptyAndTruncatableNames() {
        assertThatThrownBy(() -> SqlQuoting.pgIdentifier("a\0b")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SqlQuoting.pgIdentifier("")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SqlQuoting.pgIdentifier("x".repeat(64))).isInstanceOf(IllegalArgumentException.class);
        assertThat(SqlQuoting.pgIdentifier("x".repeat(63))).hasSize(65);
        // 32 two-byte characters are 64 bytes
        assertThatThrownBy(() -> SqlQuoting.pgIdentifier("é".repeat(32))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void pgLiteralRoundTripsEveryPrintableCharacter() {
        assertThat(SqlQuoting.pgLiteral("a'b\\c")).isEqualTo("E'a''b\\\\c'");
        for (char c : PRINTABLE.toCharArray()) {
            String value = String.valueOf(c);
            assertThat(readPgLiteral(SqlQuoting.pgLiteral(value))).isEqualTo(value);
        }
        assertThat(readPgLiteral(SqlQuoting.pgLiteral(PRINTABLE))).isEqualTo(PRINTABLE);
        assertThatThrownBy(() -> SqlQuoting.pgLiteral("a\0")).isInstanceOf(IllegalArgumentException.class);
    }
}
