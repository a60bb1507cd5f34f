package io.rotor.connector.ssh;

import io.rotor.domain.Secret;
import io.rotor.domain.SecretRules;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.security.KeyPair;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SshKeysTest {
    @ParameterizedTest
    @ValueSource(strings = {"ed25519", "ssh-ed25519", "ecdsa", "ecdsa-sha2-nistp256", "rsa"})
    void generatedKeysSurviveTheVaultFormAndPassTheSecretRules(String type) {
        KeyPair kp = SshKeys.generate(type);
        Secret s = SshKeys.toSecret(kp);
        SecretRules.check(s);
        assertThat(SshKeys.isKey(s)).isTrue();
        assertThat(SshKeys.publicLine(SshKeys.fromSecret(s))).isEqualTo(SshKeys.publicLine(kp));
    }

    @Test
    void refusedTypes() {
        assertThatThrownBy(() -> SshKeys.generate("ssh-dss")).hasMessageContaining("ssh-dss (DSA) keys are refused");
        assertThatThrownBy(() -> SshKeys.generate("rsa:2048")).hasMessageContaining("at least 3072 bits");
        assertThatThrownBy(() -> SshKeys.generate("x448")).hasMessageContaining("unknown SSH key type");
        assertThat(SshKeys.isKey(Secret.of("plain password".toCharArray()))).isFalse();
    }

    @Test
    void modeProblemsNameTheFileAndTheFix() {
        assertThat(SshConnector.modeProblem("bob", "/home/bob|bob|755\n/home/bob/.ssh|bob|700\n/home/bob/.ssh/authorized_keys|bob|600")).isNull();
        assertThat(SshConnector.modeProblem("bob", "/home/bob|bob|755\n/home/bob/.ssh|bob|775\n"))
                .isEqualTo("/home/bob/.ssh has mode 775 (group/world-writable): sshd ignores authorized_keys (StrictModes); fix with chmod go-w /home/bob/.ssh");
        assertThat(SshConnector.modeProblem("bob", "/home/bob/.ssh|alice|700")).startsWith("/home/bob/.ssh is owned by alice, not bob");
    }
}
