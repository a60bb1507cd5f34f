package io.rotor.domain;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class UsernameRulesTest {

    @ParameterizedTest
    @ValueSource(strings = {"postgresql", "mariadb", "mysql", "linux", "ldap"})
    void injectionAttemptsAreRefusedForEveryType(String type) {
        assertThatThrownBy(() -> UsernameRules.check(type, "bob'; DROP ROLE x;--"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("quote")
                .hasMessageNotContaining("DROP");
        assertThatThrownBy(() -> UsernameRules.check(type, "a;b"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("semicolon")
                .hasMessageContaining("index 1");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "a\"b|quote",
            "a`b|quote",
            "a\\b|backslash",
            "a b|whitespace",
            "a\u00a0b|whitespace",
            "a\u2028b|whitespace",
            "a\tb|control characters",
            "a\u0007b|control characters",
            "a\u202eb|control characters",
            "a\u200bb|control characters",
    })
    void genericRules(String username, String rule) {
        assertThatThrownBy(() -> UsernameRules.check("other", username))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(rule);
    }

    @Test
    void lineBreaksAndNulAreRefused() {
        for (String name : new String[] {"a\rb", "a\nb", "a\0b"}) {
            assertThatThrownBy(() -> UsernameRules.check(null, name))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("NUL, CR or LF");
        }
    }

    @Test
    void blankIsRefused() {
        for (String name : new String[] {null, "", "   "}) {
            assertThatThrownBy(() -> UsernameRules.check("postgresql", name))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("username must not be blank");
        }
    }

    @Test
    void genericTypesAcceptWhatDatabasesRefuse() {
        assertThatCode(() -> UsernameRules.check("ldap", "cn=app,ou=people,dc=example,dc=org")).doesNotThrowAnyException();
        assertThatCode(() -> UsernameRules.check(null, "DOMAIN+user@example.org")).doesNotThrowAnyException();
    }

    @Test
    void postgresql() {
        assertThatCode(() -> UsernameRules.check("postgresql", "app")).doesNotThrowAnyException();
        assertThatCode(() -> UsernameRules.check("PostgreSQL", "_rotor.admin-1$")).doesNotThrowAnyException();
        assertThatCode(() -> UsernameRules.check("postgresql", "a".repeat(63))).doesNotThrowAnyException();
        assertThatThrownBy(() -> UsernameRules.check("postgresql", "a".repeat(64)))
                .hasMessageContaining("at most 63 bytes");
        assertThatThrownBy(() -> UsernameRules.check("postgresql", "é".repeat(32)))
                .hasMessageContaining("at most 63 bytes (is 64)");
        assertThatThrownBy(() -> UsernameRules.check("postgresql", "1app")).hasMessageContaining("must match");
        assertThatThrownBy(() -> UsernameRules.check("postgresql", "-app")).hasMessageContaining("must match");
        assertThatThrownBy(() -> UsernameRules.check("postgresql", "app@host")).hasMessageContaining("must match");
        assertThatThrownBy(() -> UsernameRules.check("postgresql", "appé")).hasMessageContaining("must match");
    }

    @ParameterizedTest
    @ValueSource(strings = {"mariadb", "mysql"})
    void mariadbAndMysql(String type) {
        assertThatCode(() -> UsernameRules.check(type, "1app")).doesNotThrowAnyException();
        assertThatCode(() -> UsernameRules.check(type, "app.ro-1$_")).doesNotThrowAnyException();
        assertThatCode(() -> UsernameRules.check(type, "a".repeat(80))).doesNotThrowAnyException();
        assertThatThrownBy(() -> UsernameRules.check(type, "a".repeat(81))).hasMessageContaining("at most 80 characters");
        assertThatThrownBy(() -> UsernameRules.check(type, "app@localhost"))
                .hasMessageContaining("'@'")
                .hasMessageContaining("host part is a target setting");
        assertThatThrownBy(() -> UsernameRules.check(type, "app%")).hasMessageContaining("must match");
        assertThatThrownBy(() -> UsernameRules.check(type, "appé")).hasMessageContaining("must match");
    }
}
