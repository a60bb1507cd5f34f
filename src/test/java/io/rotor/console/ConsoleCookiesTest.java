package io.rotor.console;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class ConsoleCookiesTest {
    @Test
    void overPlainHttpTheCookieIsHttpOnlyAndSameSiteStrict() {
        ConsoleCookies cookies = new ConsoleCookies(false);
        assertThat(cookies.setCookie(cookies.sessionName(), "abc", null))
                .isEqualTo("rotor_session=abc; Path=/; HttpOnly; SameSite=Strict");
    }

    @Test
    void underTlsItIsAlsoSecureWithTheHostPrefix() {
        ConsoleCookies cookies = new ConsoleCookies(true);
        assertThat(cookies.sessionName()).isEqualTo("__Host-rotor_session");
        assertThat(cookies.setCookie(cookies.sessionName(), "abc", Duration.ofMinutes(1)))
                .isEqualTo("__Host-rotor_session=abc; Path=/; HttpOnly; SameSite=Strict; Secure; Max-Age=60");
        assertThat(cookies.delete(cookies.signInName())).contains("__Host-rotor_signin=;").endsWith("Max-Age=0");
    }

    @Test
    void readsOneCookieByExactName() {
        String header = "other=1; xrotor_session=evil; rotor_session=good ; rotor_signin=t";
        assertThat(ConsoleCookies.read(header, "rotor_session")).contains("good");
        assertThat(ConsoleCookies.read(header, "rotor_signin")).contains("t");
        assertThat(ConsoleCookies.read(header, "missing")).isEmpty();
        assertThat(ConsoleCookies.read(null, "rotor_session")).isEmpty();
    }
}
