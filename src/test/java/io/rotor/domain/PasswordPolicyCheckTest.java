package io.rotor.domain;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class PasswordPolicyCheckTest {
    private static final PasswordPolicy POLICY = new PasswordPolicy("group", 12, 20, 1, 1, 1, 1, "!#%", "O0", true);

    private static List<String> broken(String password, String username) {
        try (Secret s = Secret.of(password.toCharArray())) {
            return PasswordPolicyCheck.brokenRules(POLICY, s, username);
        }
    }

    @Test
    void aPasswordThatMeetsEveryRuleBreaksNone() {
        assertThat(broken("Abcdefgh3!xy", "alice")).isEmpty();
    }

    @Test
    void eachBrokenRuleIsNamedByItsPolicyFieldAndNeverQuotesThePassword() {
        List<String> rules = broken("short", "alice");
        assertThat(rules).anyMatch(r -> r.startsWith("minLength:")).anyMatch(r -> r.startsWith("minUpper:"))
                .anyMatch(r -> r.startsWith("minDigit:")).anyMatch(r -> r.startsWith("minSymbol:"));
        assertThat(String.join(" ", rules)).doesNotContain("short");
        assertThat(broken("Abcdefgh3!xy".repeat(2), null)).anyMatch(r -> r.startsWith("maxLength:"));
    }

    @Test
    void excludedForeignControlCharactersAndTheUsernameAreRefused() {
        assertThat(broken("Abcdefgh3!xO", null)).anyMatch(r -> r.startsWith("excluded:"));
        assertThat(broken("Abcdefgh3!x$", null)).anyMatch(r -> r.startsWith("symbols:"));
        assertThat(broken("Abcdefgh3!x\n", null)).anyMatch(r -> r.startsWith("control characters:"));
        assertThat(broken("xAliceyz3!Bc", "alice")).anyMatch(r -> r.startsWith("notContainUsername:"));
    }

    @Test
    void describeListsTheRulesInWords() {
        assertThat(PasswordPolicyCheck.describe(POLICY)).contains("minLength is 12", "maxLength is 20", "minDigit is 1",
                "excluded are O0", "notContainUsername is true");
    }
}
