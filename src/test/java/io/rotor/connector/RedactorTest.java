package io.rotor.connector;

import io.rotor.domain.Secret;
import org.junit.jupiter.api.Test;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Attack: read a secret out of error text or a transcript in one of the forms a target or a driver echoes it in
 * (URL-encoded in a request line, JSON-escaped in an API answer, base64 in a Basic header, hex in a dump). Each form
 * below is computed independently of {@link Redactor} (by the JDK's own encoders or written out by hand) and must be
 * masked.
 */
class RedactorTest {
    /** Characters that change under each encoding: '@', ' ', '"', '/', '+', and a non-ASCII letter. */
    private static final String NASTY = "p@ss w\"rd/+\u00e9";
    private static final byte[] NASTY_UTF8 = NASTY.getBytes(StandardCharsets.UTF_8);

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

    @Test
    void masksTheFormEncodedForm() {
        String form = URLEncoder.encode(NASTY, StandardCharsets.UTF_8);
        assertThat(form).isEqualTo("p%40ss+w%22rd%2F%2B%C3%A9");
        assertMasked("POST body user=bob&password=" + form + "&x=1", form);
        assertMasked("lower-case hex: password=p%40ss+w%22rd%2f%2b%c3%a9", "p%40ss+w%22rd%2f%2b%c3%a9");
    }

    @Test
    void masksThePercentEncodedForm() {
        String percent = "p%40ss%20w%22rd%2F%2B%C3%A9";
        assertMasked("GET /login?pw=" + percent + " HTTP/1.1", percent);
        assertMasked("GET /login?pw=p%40ss%20w%22rd%2f%2b%c3%a9 HTTP/1.1", "p%40ss%20w%22rd%2f%2b%c3%a9");
        // RFC 3986 keeps '~' and encodes '*'
        assertThat(Redactor.redact("x=a%2Ab~c", "a*b~c")).isEqualTo("x=****");
    }

    @Test
    void masksTheJsonEscapedForm() {
        String json = "p@ss w\\\"rd/+\u00e9";   // p@ss w\"rd/+é
        assertMasked("{\"error\":\"bad password " + json + "\"}", json);
        assertMasked("{\"pw\":\"p@ss w\\\"rd\\/+\u00e9\"}", "p@ss w\\\"rd\\/+\u00e9");          // escaped solidus
        assertMasked("{\"pw\":\"p@ss w\\\"rd/+\\u00E9\"}", "p@ss w\\\"rd/+\\u00E9");          // ASCII-only, upper hex
        assertMasked("{\"pw\":\"p@ss w\\\"rd/+\\u00e9\"}", "p@ss w\\\"rd/+\\u00e9");          // ASCII-only, lower hex
        // a backslash and a control character in the secret
        assertThat(Redactor.redact("{\"pw\":\"a\\\\b\\tc\"}", "a\\b\tc")).isEqualTo("{\"pw\":\"****\"}");
    }

    @Test
    void masksEveryBase64Form() {
        // NASTY's base64 has padding; "p>>?w?" has '+' and '/' in standard base64, where URL-safe has '-' and '_'
        for (String secret : new String[]{NASTY, "p>>?w? \u00e9"}) {
            byte[] utf8 = secret.getBytes(StandardCharsets.UTF_8);
            for (String b64 : new String[]{
                    Base64.getEncoder().encodeToString(utf8),
                    Base64.getEncoder().withoutPadding().encodeToString(utf8),
                    Base64.getUrlEncoder().encodeToString(utf8),
                    Base64.getUrlEncoder().withoutPadding().encodeToString(utf8)}) {
                String text = "Authorization: Basic " + b64 + " rejected";
                assertThat(Redactor.redact(text, secret)).isEqualTo("Authorization: Basic **** rejected");
            }
        }
        assertThat(Base64.getEncoder().encodeToString(NASTY_UTF8)).endsWith("==");
        byte[] alphabet = "p>>?w? \u00e9".getBytes(StandardCharsets.UTF_8);
        assertThat(Base64.getEncoder().encodeToString(alphabet)).containsAnyOf("+", "/");
        assertThat(Base64.getUrlEncoder().encodeToString(alphabet)).containsAnyOf("-", "_");
    }

    @Test
    void masksHexInEitherCase() {
        String lower = HexFormat.of().formatHex(NASTY_UTF8);
        assertThat(lower).isEqualTo("704073732077227264" + "2f2bc3a9");
        assertMasked("dump: " + lower + " end", lower);
        assertMasked("DUMP: " + lower.toUpperCase(Locale.ROOT) + " END", lower.toUpperCase(Locale.ROOT));
    }

    @Test
    void everyFormOfEverySecretGoesAndNothingElse() {
        String other = "0ther-Secret_42";
        StringBuilder text = new StringBuilder("start|");
        for (String form : Redactor.forms(NASTY)) {
            text.append(form).append('|');
        }
        for (String form : Redactor.forms(other)) {
            text.append(form).append('|');
        }
        String redacted = Redactor.redact(text.toString(), Secret.of(NASTY.toCharArray()), Secret.of(other.toCharArray()));
        assertThat(redacted).matches("start\\|(\\*\\*\\*\\*\\|)+");
        assertThat(Redactor.forms(NASTY)).hasSizeGreaterThanOrEqualTo(12);
    }

    private static void assertMasked(String text, String form) {
        assertThat(text).contains(form);
        String redacted = Redactor.redact(text, NASTY);
        assertThat(redacted).doesNotContain(form).contains(Redactor.MASK);
        assertThat(redacted).doesNotContain("p@ss").doesNotContain("rd/+");
    }
}
