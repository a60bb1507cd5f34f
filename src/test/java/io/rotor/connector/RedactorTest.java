package io.rotor.connector;

import io.rotor.domain.Secret;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RedactorTest {

    @Test
    void replacesEveryOccurrenceOfEachSecret() {
        String text = "login as bob with s3cr3t failed; new value n3w'pw; again s3cr3t";
        assertThat(Redactor.redact(text, "s3cr3t", "n3w'pw"))
                .isEqualTo("login as bob with **** failed; new value ****; again ****");
    }

    @Test
    void masksTheLongerSecretWholeWhenOneContainsTheOther() {
        assertThat(Redactor.redact("value abc123xyz", "abc", "abc123xyz")).isEqualTo("value ****");
    }

    @Test
    void treatsSecretsLiterallyNotAsPatterns() {
        assertThat(Redactor.redact("p.*$1\\x and pa$1\\x", "p.*$1\\x")).isEqualTo("**** and pa$1\\x");
    }

    @Test
    void ignoresNullAndEmptySecretsAndNullText() {
        assertThat(Redactor.redact("nothing here", (String) null, "")).isEqualTo("nothing here");
        assertThat(Redactor.redact(null, "x")).isNull();
        assertThat(Redactor.redact("text", new String[0])).isEqualTo("text");
    }

    @Test
    void acceptsSecretObjects() {
        Secret old = Secret.of("0ld pw".toCharArray());
        Secret fresh = Secret.of("fr\"esh".toCharArray());
        assertThat(Redactor.redact("0ld pw -> fr\"esh", old, null, fresh)).isEqualTo("**** -> ****");
    }
}
