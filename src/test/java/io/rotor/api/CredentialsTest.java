package io.rotor.api;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CredentialsTest {
    private static final char[] PASSWORD = "correct horse battery staple".toCharArray();

    @Test
    void aTokenIs32RandomBytesInBase64urlWithoutPadding() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            String token = Credentials.newToken();
            assertThat(token).hasSize(43).matches("[A-Za-z0-9_-]{43}");
            assertThat(Base64.getUrlDecoder().decode(token)).hasSize(32);
            seen.add(token);
        }
        assertThat(seen).as("no token repeats").hasSize(200);
    }

    @Test
    void aTokenIsStoredAsItsSha256InHex() throws Exception {
        String token = Credentials.newToken();
        String expected = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(token.getBytes(StandardCharsets.UTF_8)));

        assertThat(Credentials.tokenHash(token)).isEqualTo(expected).hasSize(64).doesNotContain(token);
        assertThat(Credentials.tokenHash(token + "x")).isNotEqualTo(expected);
    }

    @Test
    void aPasswordHashIsSaltedPbkdf2WithEnoughIterations() {
        String first = Credentials.hashPassword(PASSWORD);
        String second = Credentials.hashPassword(PASSWORD);

        String[] parts = first.split("\\$");
        assertThat(parts).hasSize(4);
        assertThat(parts[0]).isEqualTo("pbkdf2-sha256");
        assertThat(Integer.parseInt(parts[1])).isGreaterThanOrEqualTo(210_000);
        assertThat(Base64.getDecoder().decode(parts[2])).hasSize(16);
        assertThat(Base64.getDecoder().decode(parts[3])).hasSize(32);
        assertThat(first).as("a fresh salt each time").isNotEqualTo(second).doesNotContain(new String(PASSWORD));
    }

    @Test
    void theRightPasswordMatchesAndOthersDoNot() {
        String stored = Credentials.hashPassword(PASSWORD);

        assertThat(Credentials.verifyPassword(PASSWORD, stored)).isTrue();
        assertThat(Credentials.verifyPassword("correct horse battery stapl".toCharArray(), stored)).isFalse();
        assertThat(Credentials.verifyPassword("Correct horse battery staple".toCharArray(), stored)).isFalse();
        assertThat(Credentials.verifyPassword(new char[0], stored)).isFalse();
        assertThat(Credentials.verifyPassword(null, stored)).isFalse();
    }

    @Test
    void aMalformedOrWeakStoredHashNeverMatches() {
        String stored = Credentials.hashPassword(PASSWORD);
        String[] parts = stored.split("\\$");

        assertThat(Credentials.verifyPassword(PASSWORD, null)).isFalse();
        assertThat(Credentials.verifyPassword(PASSWORD, "")).isFalse();
        assertThat(Credentials.verifyPassword(PASSWORD, "plain-text")).isFalse();
        assertThat(Credentials.verifyPassword(PASSWORD, "md5$" + parts[1] + "$" + parts[2] + "$" + parts[3])).isFalse();
        assertThat(Credentials.verifyPassword(PASSWORD, parts[0] + "$x$" + parts[2] + "$" + parts[3])).isFalse();
        assertThat(Credentials.verifyPassword(PASSWORD, parts[0] + "$" + parts[1] + "$!!$" + parts[3])).isFalse();
        // the same key with fewer iterations written into the record: refused, not recomputed weaker
        assertThat(Credentials.verifyPassword(PASSWORD, parts[0] + "$1000$" + parts[2] + "$" + parts[3])).isFalse();
        byte[] key = Base64.getDecoder().decode(parts[3]);
        key[0] ^= 1;
        assertThat(Credentials.verifyPassword(PASSWORD, parts[0] + "$" + parts[1] + "$" + parts[2] + "$"
                + Base64.getEncoder().withoutPadding().encodeToString(key))).isFalse();
    }

    @Test
    void aLowIterationHashMadeWithTheSameSaltIsRefused() {
        byte[] salt = new byte[16];
        String weak = Credentials.encode(1000, salt, new byte[32]);
        assertThat(Credentials.verifyPassword(PASSWORD, weak)).isFalse();
    }

    @Test
    void anOperatorSuppliedTokenMustBeLongAndPrintable() {
        Credentials.checkSuppliedToken("A".repeat(32), "ROTOR_ADMIN_TOKEN");

        assertThatThrownBy(() -> Credentials.checkSuppliedToken("short-token", "ROTOR_ADMIN_TOKEN"))
                .hasMessageContaining("ROTOR_ADMIN_TOKEN must be at least 32 characters")
                .hasMessageNotContaining("short-token");
        assertThatThrownBy(() -> Credentials.checkSuppliedToken("A".repeat(20) + " " + "B".repeat(20), "ROTOR_ADMIN_TOKEN"))
                .hasMessageContaining("printable ASCII without spaces").hasMessageContaining("position 21");
        assertThatThrownBy(() -> Credentials.checkSuppliedToken(null, "ROTOR_ADMIN_TOKEN"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
