package io.rotor.connector.jdbc;

import org.junit.jupiter.api.Test;
import org.postgresql.util.PasswordUtil;

import java.util.Base64;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ScramSha256VerifierTest {
    /** The salt of the RFC 7677 example exchange. */
    private static final byte[] RFC_SALT = Base64.getDecoder().decode("W22ZaJ0SNY7soEsUEjb6gQ==");

    @Test
    void hasPostgresStructureWithRandomSixteenByteSalt() {
        String verifier = ScramSha256Verifier.compute("correct horse".toCharArray());
        assertThat(verifier).matches("SCRAM-SHA-256\\$4096:[A-Za-z0-9+/]{22}==\\$[A-Za-z0-9+/]{43}=:[A-Za-z0-9+/]{43}=");
        ScramSha256Verifier.Parts parts = ScramSha256Verifier.parse(verifier);
        assertThat(parts.iterations()).isEqualTo(4096);
        assertThat(parts.salt()).hasSize(16);
        assertThat(parts.storedKey()).hasSize(32);
        assertThat(parts.serverKey()).hasSize(32);
    }

    @Test
    void sameSaltAndPasswordGiveTheSameVerifierAndFreshSaltsDiffer() {
        char[] pw = "p'a\"s\\s w;o$r`d".toCharArray();
        assertThat(ScramSha256Verifier.compute(pw, RFC_SALT, 4096))
                .isEqualTo(ScramSha256Verifier.compute(pw, RFC_SALT, 4096));
        assertThat(ScramSha256Verifier.compute(pw)).isNotEqualTo(ScramSha256Verifier.compute(pw));
        assertThat(ScramSha256Verifier.compute("other".toCharArray(), RFC_SALT, 4096))
                .isNotEqualTo(ScramSha256Verifier.compute(pw, RFC_SALT, 4096));
    }

    /** Expected values computed independently (Python hashlib.pbkdf2_hmac + hmac) from the same inputs. */
    @Test
    void matchesIndependentlyComputedVectors() {
        assertThat(ScramSha256Verifier.compute("pencil".toCharArray(), RFC_SALT, 4096)).isEqualTo(
                "SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ==$WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY="
                        + ":wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU=");
        // U+2168 ROMAN NUMERAL NINE is NFKC-normalized to "IX"
        assertThat(ScramSha256Verifier.compute("\u2168".toCharArray(), RFC_SALT, 4096)).isEqualTo(
                "SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ==$jm4XkHvFe7q0xZ4vmAKJUiTKPr1F+7MXnYyksTUVeBE="
                        + ":EqXM4c5+I7lQ5vHl5Ngu2rY8DBMM1XjG0dY6GEjwLx0=");
        // NO-BREAK SPACE maps to a space, SOFT HYPHEN to nothing: "x\u00A0\u00ADy" -> "x y"
        assertThat(ScramSha256Verifier.compute("x\u00A0\u00ADy".toCharArray(), RFC_SALT, 4096)).isEqualTo(
                "SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ==$a7hx8TLuzZuu6Ac0PauTOD9zEJX7z+YHl7i5IRpHUgA="
                        + ":a1Z8sVq7/ckmqCJn1dJq8b3jPGwajHgEQuQwcUAGhD8=");
        // Hebrew followed by a Latin letter breaks the bidi rule: the raw UTF-8 bytes are used
        assertThat(ScramSha256Verifier.compute("\u05d0\u05d1a".toCharArray(), RFC_SALT, 4096)).isEqualTo(
                "SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ==$4hEbBI8wLTbz8vs6vx9lnz6RWLRpr37ClaNeccvutBE="
                        + ":PAXg1ADEDxmNaeCV7vgu1YYTBhY4s1xNoi34/mJrYec=");
    }

    /** pgjdbc's own encoder (used by its alterUserPassword) agrees for every printable ASCII password. */
    @Test
    void agreesWithPgjdbcForPrintableAscii() {
        Random random = new Random(42);
        byte[] salt = new byte[16];
        for (int n = 0; n < 50; n++) {
            random.nextBytes(salt);
            StringBuilder pw = new StringBuilder();
            for (int i = 0; i < 8 + n; i++) {
                pw.append((char) (0x20 + random.nextInt(0x5F)));
            }
            assertThat(ScramSha256Verifier.compute(pw.toString().toCharArray(), salt, 4096))
                    .isEqualTo(PasswordUtil.encodeScramSha256(pw.toString().toCharArray(), 4096, salt));
        }
    }

    /** For ordinary non-ASCII passwords pgjdbc's SASLprep (a different implementation) gives the same result. */
    @Test
    void agreesWithPgjdbcForOrdinaryNonAscii() {
        for (String pw : new String[] {"pässwörd", "ﬁnance", "x\u00A0y", "a\u00ADb", "Ⅸ-ⅻ", "日本語パスワード",
                "\u05d0\u05d1\u05d2", "ＦＵＬＬ　ｗｉｄｔｈ", "e\u0301t\u00e9", "\u05d0\u05d1a"}) {
            assertThat(ScramSha256Verifier.compute(pw.toCharArray(), RFC_SALT, 4096)).as(pw)
                    .isEqualTo(PasswordUtil.encodeScramSha256(pw.toCharArray(), 4096, RFC_SALT));
        }
    }

    @Test
    void matchesChecksAPasswordAgainstAVerifier() {
        String verifier = ScramSha256Verifier.compute("s3cret' \\".toCharArray());
        assertThat(ScramSha256Verifier.matches("s3cret' \\".toCharArray(), verifier)).isTrue();
        assertThat(ScramSha256Verifier.matches("s3cret'  \\".toCharArray(), verifier)).isFalse();
    }

    @Test
    void refusesEmptyPasswordsLoneSurrogatesAndMalformedVerifiers() {
        assertThatThrownBy(() -> ScramSha256Verifier.compute(new char[0])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ScramSha256Verifier.compute(new char[] {'a', '\uD800'}))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ScramSha256Verifier.parse("md5abc")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void saslPrepFallsBackToRawBytesWhereSaslPrepRefuses() {
        assertThat(SaslPrep.wouldNormalize("plain ascii".toCharArray())).isFalse();
        assertThat(SaslPrep.wouldNormalize("ﬁ".toCharArray())).isTrue();
        assertThat(SaslPrep.wouldNormalize("a\u0007é".toCharArray())).isFalse(); // control character
        assertThat(SaslPrep.wouldNormalize("é\uE000".toCharArray())).isFalse(); // private use
        assertThat(SaslPrep.wouldNormalize("é\uD83D\uDE00".toCharArray())).isFalse(); // unassigned in Unicode 3.2
        assertThat(SaslPrep.wouldNormalize("\u00AD".toCharArray())).isFalse(); // maps to nothing: empty
        assertThat(SaslPrep.prepare("\u00AD".toCharArray())).containsExactly(0xC2 - 256, 0xAD - 256);
        assertThat(SaslPrep.prepare("ﬁ".toCharArray())).containsExactly('f', 'i');
    }
}
