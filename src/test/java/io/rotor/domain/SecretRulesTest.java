package io.rotor.domain;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** No control character in any credential: a terminal's line discipline would act on it. */
class SecretRulesTest {
    private static Secret secret(String value) {
        return Secret.fromUtf8(value.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void theKillLineAttackIsRefusedNamingTheCharacterAndPositionButNotTheValue() {
        // typed into `chpasswd` on a terminal, ^U erases "bob:" and the line sets root's password
        assertThatThrownBy(() -> SecretRules.check(secret("\u0015root:Pwned1!")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("^U, U+0015").hasMessageContaining("position 1")
                .hasMessageContaining("control characters")
                .hasMessageNotContaining("root").hasMessageNotContaining("Pwned1");
    }

    @ParameterizedTest
    @ValueSource(ints = {0x00, 0x03, 0x04, 0x08, 0x09, 0x0A, 0x0D, 0x11, 0x13, 0x15, 0x16, 0x17, 0x1A, 0x1B, 0x1C, 0x1F,
            0x7F, 0x80, 0x9B, 0x9F})
    void everyC0CharacterDelAndC1AreRefusedAnywhere(int code) {
        String c = String.valueOf((char) code);
        for (String value : new String[]{c + "Secret-1", "Sec" + c + "ret-1", "Secret-1" + c}) {
            assertThatThrownBy(() -> SecretRules.check(secret(value)))
                    .hasMessageContaining(String.format("U+%04X", code)).hasMessageNotContaining("Secret-1");
        }
    }

    @Test
    void printableAsciiSpacesAndOtherLettersStayAllowed() {
        assertThatCode(() -> SecretRules.check(secret("N3w' \"\\;$`x $(id) ÄöÜ-ß€ ñ ~?"))).doesNotThrowAnyException();
        assertThatCode(() -> SecretRules.check(secret("\u00a0nbsp\u00a0"))).doesNotThrowAnyException();
    }

    @Test
    void emptyIsRefused() {
        assertThatThrownBy(() -> SecretRules.check(secret(""))).hasMessageContaining("empty");
    }

    @Test
    void linesKeepTheirOwnNames() {
        assertThat(SecretRules.describe('\n')).contains("LF");
        assertThat(SecretRules.describe('\r')).contains("CR");
        assertThat(SecretRules.describe('\0')).contains("NUL");
        assertThat(SecretRules.describe('\u007f')).contains("DEL");
        assertThat(SecretRules.firstControlCharacter("ab\u0017c")).isEqualTo(2);
        assertThat(SecretRules.firstControlCharacter("abc")).isEqualTo(-1);
    }

    @Test
    void theDeviceSafePolicyIsValidAndNeverGeneratesAQuestionMarkOrASpace() {
        PasswordPolicy device = PasswordPolicy.deviceSafe();
        PasswordGenerator.validate(device);
        assertThat(device.symbols()).doesNotContain("?", " ", "\"", "'", "\\");
        PasswordGenerator generator = new PasswordGenerator();
        for (int i = 0; i < 2000; i++) {
            try (Secret s = generator.generate(device, "netops")) {
                String v = s.reveal();
                assertThat(v).doesNotContain("?").doesNotContain(" ");
                assertThat(SecretRules.firstControlCharacter(v)).isEqualTo(-1);
            }
        }
    }
}
