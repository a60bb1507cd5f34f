package io.rotor.domain;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class VaultTemplateTest {
    private static VaultTemplate template(String pattern) {
        return new VaultTemplate("t", "pam", pattern, Map.of());
    }

    @Test
    void expandReplacesEachPlaceholder() {
        assertThat(template("{target}-{username}").expand("db1", "app", "db1.app")).isEqualTo("db1-app");
        assertThat(template("v.{account}_{username}").expand("db1", "app", "db1.app")).isEqualTo("v.db1.app_app");
        assertThat(template("{username}{username}").expand("db1", "a", "x")).isEqualTo("aa");
    }

    @Test
    void expandIsOnePassSoAPlaceholderInsideAValueStaysLiteral() {
        assertThat(template("{username}-{account}").expand("db1", "{account}$1\\", "id")).isEqualTo("{account}$1\\-id");
    }

    @Test
    void patternProblemsAreDescribed() {
        assertThat(VaultTemplate.patternProblem("{target}-{username}")).isEmpty();
        assertThat(VaultTemplate.patternProblem("{account}")).isEmpty();
        assertThat(VaultTemplate.patternProblem(null)).contains("must not be blank");
        assertThat(VaultTemplate.patternProblem(" ")).contains("must not be blank");
        assertThat(VaultTemplate.patternProblem("{target}-x")).get().asString().startsWith("must contain {username} or {account}");
        assertThat(VaultTemplate.patternProblem("{target}-{user}")).get().asString()
                .isEqualTo("has an unknown placeholder at index 9; use [{target}, {username}, {account}]");
        assertThat(VaultTemplate.patternProblem("a b{username}")).get().asString().contains("bad character at index 1");
        assertThat(VaultTemplate.patternProblem("{username")).get().asString().contains("bad character at index 0");
        assertThat(VaultTemplate.patternProblem("x".repeat(250) + "{account}")).get().asString()
                .isEqualTo("must be at most 255 characters (is 259)");
    }

    @Test
    void accountIdForReplacesCharactersOutsideTheIdAlphabet() {
        assertThat(VaultTemplate.accountIdFor("db1-svc$app")).isEqualTo("db1-svc_app");
        assertThat(VaultTemplate.accountIdFor("a.b_c-D9")).isEqualTo("a.b_c-D9");
        assertThat(VaultTemplate.accountIdFor("é@x")).isEqualTo("__x");
    }

    @Test
    void attributesAreSortedSetsAndImmutable() {
        Map<String, List<String>> in = new HashMap<>();
        in.put("groups", Arrays.asList("b", "a", "b"));
        in.put("none", null);
        VaultTemplate t = new VaultTemplate("t", "pam", "{account}", in);
        in.clear();
        assertThat(t.attributes()).containsExactly(Map.entry("groups", List.of("a", "b")), Map.entry("none", List.of()));
        assertThat(t.defaults("groups")).containsExactly("a", "b");
        assertThat(t.defaults("other")).isEmpty();
        assertThat(t.attributeNames()).containsExactly("groups", "none");
        assertThat(t).isEqualTo(new VaultTemplate("t", "pam", "{account}", Map.of("groups", List.of("a", "b"), "none", List.of())));
    }
}
