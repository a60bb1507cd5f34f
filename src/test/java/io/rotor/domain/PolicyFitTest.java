package io.rotor.domain;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class PolicyFitTest {
    private static PasswordPolicy policy(String id, int min, int max, int minSymbol, String symbols, String excluded) {
        return new PasswordPolicy(id, min, max, 1, 1, 1, minSymbol, symbols, excluded, false);
    }

    @Test
    void aGroupPolicyWithinWhatTheSourceTakesFits() {
        PasswordPolicy group = policy("g", 16, 40, 1, "-_.!", "");
        assertThat(PolicyFit.conflicts(group, PolicyFit.Capability.ofConnectorDefault("pg", PasswordPolicy.defaults()))).isEmpty();
        assertThat(PolicyFit.conflicts(group, PolicyFit.Capability.ofSourcePolicy("app", policy("app", 8, 16, 0, "!", ""))))
                .isEmpty();
    }

    @Test
    void aMinimumLengthBeyondTheSourcesMaximumIsNamed() {
        PasswordPolicy group = policy("g", 20, 40, 0, "", "");
        assertThat(PolicyFit.conflicts(group, PolicyFit.Capability.ofSourcePolicy("legacy", policy("legacy", 8, 12, 0, "!", ""))))
                .containsExactly("source 'legacy' takes passwords of at most 12 characters, but policy 'g' requires at least 20");
    }

    @Test
    void aRequiredSymbolTheSourceCannotTakeIsNamed() {
        PasswordPolicy onlyQuestionMark = policy("g", 16, 40, 1, "? ", "");
        assertThat(PolicyFit.conflicts(onlyQuestionMark, PolicyFit.Capability.ofConnectorDefault("router", PasswordPolicy.deviceSafe())))
                .containsExactly("policy 'g' requires a symbol, but none of its symbols is accepted by source 'router'");
        // the same symbols are fine where the target takes them, and excluded characters do not count
        assertThat(PolicyFit.conflicts(onlyQuestionMark, PolicyFit.Capability.ofConnectorDefault("pg", PasswordPolicy.defaults()))).isEmpty();
        assertThat(PolicyFit.conflicts(policy("g", 16, 40, 1, "!?", "!"),
                PolicyFit.Capability.ofConnectorDefault("router", PasswordPolicy.deviceSafe()))).hasSize(1);
    }

    @Test
    void noSymbolRequiredMeansAnySymbolSetFits() {
        assertThat(PolicyFit.conflicts(policy("g", 16, 40, 0, "?", ""),
                PolicyFit.Capability.ofConnectorDefault("router", PasswordPolicy.deviceSafe()))).isEmpty();
    }
}
