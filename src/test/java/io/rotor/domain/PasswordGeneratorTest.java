package io.rotor.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PasswordGeneratorTest {
    private static final String UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    private static final String LOWER = "abcdefghijklmnopqrstuvwxyz";
    private static final String DIGITS = "0123456789";

    private final PasswordGenerator generator = new PasswordGenerator();

    private static PasswordPolicy policy(int minLength, int maxLength, int minUpper, int minLower, int minDigit,
                                         int minSymbol, String symbols, String excluded) {
        return new PasswordPolicy("p", minLength, maxLength, minUpper, minLower, minDigit, minSymbol, symbols,
                excluded, false);
    }

    static Stream<Arguments> unsatisfiable() {
        return Stream.of(
                Arguments.of(policy(0, 10, 0, 0, 0, 0, "!", ""), "minLength", "minLength 0"),
                Arguments.of(policy(4097, 5000, 0, 0, 0, 0, "!", ""), "minLength", "minLength 4097"),
                Arguments.of(policy(10, 9, 0, 0, 0, 0, "!", ""), "maxLength", "maxLength 9 is below minLength 10"),
                Arguments.of(policy(10, 5000, 0, 0, 0, 0, "!", ""), "maxLength", "maxLength 5000 exceeds 4096"),
                Arguments.of(policy(8, 10, -1, 0, 0, 0, "!", ""), "minUpper", "minUpper -1 must not be negative"),
                Arguments.of(policy(8, 10, 0, -1, 0, 0, "!", ""), "minLower", "minLower -1"),
                Arguments.of(policy(8, 10, 0, 0, -2, 0, "!", ""), "minDigit", "minDigit -2"),
                Arguments.of(policy(8, 10, 0, 0, 0, -3, "!", ""), "minSymbol", "minSymbol -3"),
                Arguments.of(policy(20, 32, 10, 10, 10, 10, "!#$%", ""), "maxLength",
                        "minUpper + minLower + minDigit + minSymbol = 40 exceeds maxLength 32"),
                Arguments.of(policy(8, 10, 1, 0, 0, 0, "!", UPPER), "minUpper", "no upper-case letter is left after excluded"),
                Arguments.of(policy(8, 10, 0, 1, 0, 0, "!", LOWER), "minLower", "no lower-case letter is left"),
                Arguments.of(policy(8, 10, 0, 0, 1, 0, "!", DIGITS), "minDigit", "no digit is left"),
                Arguments.of(policy(8, 10, 0, 0, 0, 1, "!#", "#!"), "minSymbol", "no symbol is left"),
                Arguments.of(policy(8, 10, 0, 0, 0, 1, "", ""), "minSymbol", "no symbol is left"),
                Arguments.of(policy(8, 10, 0, 0, 0, 0, "!a", ""), "symbols", "letters or digits"),
                Arguments.of(policy(8, 10, 0, 0, 0, 0, "!7", ""), "symbols", "letters or digits"),
                Arguments.of(policy(8, 10, 0, 0, 0, 0, "!\t", ""), "symbols", "control characters"),
                // ^U kills the line on a terminal: a generated password must never hold it
                Arguments.of(policy(8, 10, 0, 0, 0, 0, "!\u0015", ""), "symbols", "control characters"),
                Arguments.of(policy(8, 10, 0, 0, 0, 0, "!\u0017", ""), "symbols", "control characters"),
                Arguments.of(policy(8, 10, 0, 0, 0, 0, "!\u007f", ""), "symbols", "printable ASCII"),
                Arguments.of(policy(8, 10, 0, 0, 0, 0, "!\u00a7", ""), "symbols", "printable ASCII"),
                Arguments.of(policy(8, 10, 0, 0, 0, 0, "!#!", ""), "symbols", "more than once"),
                Arguments.of(policy(8, 10, 0, 0, 0, 0, "!\0", ""), "symbols", "NUL, CR or LF"),
                Arguments.of(policy(8, 10, 0, 0, 0, 0, "!\r", ""), "symbols", "NUL, CR or LF"),
                Arguments.of(policy(8, 10, 0, 0, 0, 0, "!\n", ""), "symbols", "NUL, CR or LF"),
                Arguments.of(policy(8, 10, 0, 0, 0, 0, "", UPPER + LOWER + DIGITS), "excluded", "no character is allowed"),
                Arguments.of(policy(8, 10, 0, 0, 0, 0, "!#", UPPER + LOWER + DIGITS + "#!"), "excluded",
                        "no character is allowed"));
    }

    @ParameterizedTest
    @MethodSource("unsatisfiable")
    void refusesUnsatisfiablePolicyNamingTheField(PasswordPolicy p, String field, String text) {
        assertThatThrownBy(() -> PasswordGenerator.validate(p))
                .isInstanceOf(PasswordPolicyException.class)
                .hasMessageStartingWith("policy 'p': ")
                .hasMessageContaining(field)
                .hasMessageContaining(text)
                .satisfies(e -> assertThat(((PasswordPolicyException) e).field()).isEqualTo(field));
        assertThatThrownBy(() -> generator.generate(p, "someone")).isInstanceOf(PasswordPolicyException.class);
    }

    @Test
    void exampleMessageNamesPolicyAndSum() {
        PasswordPolicy p = new PasswordPolicy("db-strict", 20, 32, 10, 10, 10, 10, "!#$%", "", true);
        assertThatThrownBy(() -> PasswordGenerator.validate(p))
                .hasMessage("policy 'db-strict': minUpper + minLower + minDigit + minSymbol = 40 exceeds maxLength 32");
    }

    @Test
    void acceptsDefaultsAndTightPolicies() {
        PasswordGenerator.validate(PasswordPolicy.defaults());
        PasswordGenerator.validate(policy(4, 4, 1, 1, 1, 1, "!", ""));
        PasswordGenerator.validate(policy(1, 1, 0, 0, 0, 0, "", UPPER + LOWER + "012345678"));
    }

    @Test
    void tenThousandPasswordsSatisfyThePolicy() {
        PasswordPolicy p = new PasswordPolicy("db-strict", 20, 32, 2, 3, 4, 5, "!#$%&*+-=?@^_", "O0Il1#", true);
        Set<Character> allowed = new HashSet<>();
        for (char c : (UPPER + LOWER + DIGITS + "!#$%&*+-=?@^_").toCharArray()) {
            if ("O0Il1#".indexOf(c) < 0) {
                allowed.add(c);
            }
        }
        Set<Integer> lengths = new HashSet<>();
        Set<Character> seen = new HashSet<>();
        for (int n = 0; n < 10_000; n++) {
            try (Secret s = generator.generate(p, "app")) {
                char[] chars = s.chars();
                lengths.add(chars.length);
                assertThat(chars.length).isBetween(20, 32);
                int upper = 0, lower = 0, digit = 0, symbol = 0;
                for (char c : chars) {
                    assertThat(allowed).contains(c);
                    seen.add(c);
                    if (UPPER.indexOf(c) >= 0) upper++;
                    else if (LOWER.indexOf(c) >= 0) lower++;
                    else if (DIGITS.indexOf(c) >= 0) digit++;
                    else symbol++;
                }
                assertThat(upper).isGreaterThanOrEqualTo(2);
                assertThat(lower).isGreaterThanOrEqualTo(3);
                assertThat(digit).isGreaterThanOrEqualTo(4);
                assertThat(symbol).isGreaterThanOrEqualTo(5);
                assertThat(GeneratorTestSupport.containsIgnoreCase(chars, "app")).isFalse();
            }
        }
        // every length in the range and every allowed character shows up
        assertThat(lengths).hasSize(13);
        assertThat(seen).isEqualTo(allowed);
    }

    @Test
    void everyDefaultSymbolEventuallyAppears() {
        PasswordPolicy p = PasswordPolicy.defaults();
        assertThat(p.symbols()).contains("'", "\"", "\\", ";", "$", "`", " ");
        Set<Character> wanted = new HashSet<>();
        for (char c : p.symbols().toCharArray()) {
            wanted.add(c);
        }
        Set<Character> seen = new HashSet<>();
        for (int n = 0; n < 5_000 && !seen.containsAll(wanted); n++) {
            try (Secret s = generator.generate(p, "postgres")) {
                for (char c : s.chars()) {
                    seen.add(c);
                }
            }
        }
        assertThat(seen).containsAll(wanted);
    }

    @Test
    void passwordNeverContainsTheUsername() {
        // a tiny alphabet (a, b) makes "abab" likely in most candidates, so the redraw is exercised
        PasswordPolicy p = new PasswordPolicy("tiny", 8, 8, 0, 0, 0, 0, "", UPPER + "cdefghijklmnopqrstuvwxyz" + DIGITS, true);
        int containing = 0;
        for (int n = 0; n < 500; n++) {
            try (Secret s = generator.generate(p, "ABab")) {
                char[] chars = s.chars();
                assertThat(chars).hasSize(8);
                assertThat(GeneratorTestSupport.containsIgnoreCase(chars, "abab")).isFalse();
            }
        }
        // same policy without the rule produces the username often: the rule is what keeps it out
        PasswordPolicy lax = new PasswordPolicy("tiny", 8, 8, 0, 0, 0, 0, "", UPPER + "cdefghijklmnopqrstuvwxyz" + DIGITS, false);
        for (int n = 0; n < 500; n++) {
            try (Secret s = generator.generate(lax, "ABab")) {
                if (GeneratorTestSupport.containsIgnoreCase(s.chars(), "abab")) {
                    containing++;
                }
            }
        }
        assertThat(containing).isPositive();
    }

    @Test
    void unavoidableUsernameIsReported() {
        PasswordPolicy onlyA = new PasswordPolicy("only-a", 5, 5, 0, 0, 0, 0, "", UPPER + "bcdefghijklmnopqrstuvwxyz" + DIGITS, true);
        assertThatThrownBy(() -> generator.generate(onlyA, "aaa"))
                .isInstanceOf(PasswordPolicyException.class)
                .hasMessageContaining("policy 'only-a'")
                .hasMessageContaining("username cannot be avoided")
                .satisfies(e -> assertThat(((PasswordPolicyException) e).field()).isEqualTo("notContainUsername"));
    }

    @Test
    void shortUsernamesAreNotChecked() {
        PasswordPolicy onlyA = new PasswordPolicy("only-a", 5, 5, 0, 0, 0, 0, "", UPPER + "bcdefghijklmnopqrstuvwxyz" + DIGITS, true);
        try (Secret s = generator.generate(onlyA, "aa")) {
            assertThat(s.chars()).containsOnly('a').hasSize(5);
        }
        try (Secret s = generator.generate(onlyA, null)) {
            assertThat(s.length()).isEqualTo(5);
        }
    }

    @Test
    void fourCharactersOneOfEachClass() {
        PasswordPolicy p = new PasswordPolicy("four", 4, 4, 1, 1, 1, 1, "!#", "", true);
        Set<String> patterns = new HashSet<>();
        for (int n = 0; n < 2_000; n++) {
            try (Secret s = generator.generate(p, "bob")) {
                char[] chars = s.chars();
                assertThat(chars).hasSize(4);
                StringBuilder pattern = new StringBuilder();
                for (char c : chars) {
                    pattern.append(UPPER.indexOf(c) >= 0 ? 'U' : LOWER.indexOf(c) >= 0 ? 'L' : DIGITS.indexOf(c) >= 0 ? 'D' : 'S');
                }
                assertThat(pattern.chars().sorted().toArray()).containsExactly('D', 'L', 'S', 'U');
                patterns.add(pattern.toString());
            }
        }
        // the shuffle puts each class in every position: all 24 orders occur
        assertThat(patterns).hasSize(24);
    }

    @Test
    void lengthStartsAtTheSumOfMinimumsWhenThatExceedsMinLength() {
        PasswordPolicy p = new PasswordPolicy("sum", 2, 6, 1, 1, 1, 2, "!#", "", false);
        Set<Integer> lengths = new HashSet<>();
        for (int n = 0; n < 500; n++) {
            try (Secret s = generator.generate(p, null)) {
                lengths.add(s.length());
            }
        }
        assertThat(lengths).containsExactlyInAnyOrder(5, 6);
    }

    @Test
    void secretDoesNotPrintItself() {
        try (Secret s = generator.generate(PasswordPolicy.defaults(), "x")) {
            assertThat(s.toString()).isEqualTo("****");
        }
    }

    /** Independent of the generator's own search, so the test checks the generator rather than itself. */
    static final class GeneratorTestSupport {
        static boolean containsIgnoreCase(char[] chars, String needle) {
            return new String(chars).toLowerCase(java.util.Locale.ROOT).contains(needle.toLowerCase(java.util.Locale.ROOT));
        }
    }
}
