package io.rotor.connector.jdbc;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.Arrays;

/**
 * SASLprep (RFC 4013) of a password exactly as PostgreSQL's {@code pg_saslprep} (src/common/saslprep.c)
 * does it, which both the server and libpq use when they derive a SCRAM key from a password:
 * <ol>
 *   <li>a pure ASCII password is used as it is (no checks at all);</li>
 *   <li>map: non-ASCII spaces (RFC 3454 C.1.2) become U+0020, "commonly mapped to nothing" (B.1) is removed;</li>
 *   <li>the mapped string must not be empty, nor contain prohibited output (C.1.2, C.2.1-C.9) or code points
 *       unassigned in Unicode 3.2 (A.1), nor break the bidi rule (D.1/D.2) - PostgreSQL checks the mapped
 *       string <em>before</em> normalization, and so do we;</li>
 *   <li>NFKC normalization ({@link java.text.Normalizer}); the checks above guarantee that every code point
 *       was assigned in Unicode 3.2, for which NFKC is stable across Unicode versions, so Java's tables and
 *       PostgreSQL's give the same result.</li>
 * </ol>
 * When any check fails PostgreSQL falls back to the raw UTF-8 bytes of the password, and so does
 * {@link #prepare(char[])}. A password that is not valid UTF-16 (a lone surrogate) cannot be encoded and is
 * refused.
 */
public final class SaslPrep {
    /** C.1.2 Non-ASCII space characters, mapped to U+0020. */
    private static final int[] NON_ASCII_SPACE = {
        0x00A0, 0x00A0, 0x1680, 0x1680, 0x2000, 0x200B, 0x202F, 0x202F, 0x205F, 0x205F, 0x3000, 0x3000,
    };
    /** B.1 Commonly mapped to nothing. */
    private static final int[] MAPPED_TO_NOTHING = {
        0x00AD, 0x00AD, 0x034F, 0x034F, 0x1806, 0x1806, 0x180B, 0x180D, 0x200B, 0x200D, 0x2060, 0x2060,
        0xFE00, 0xFE0F, 0xFEFF, 0xFEFF,
    };
    /** Union of C.1.2, C.2.1, C.2.2, C.3, C.4, C.5, C.6, C.7, C.8, C.9 (adjacent ranges merged). */
    private static final int[] PROHIBITED = {
        0x0000, 0x001F, 0x007F, 0x00A0, 0x0340, 0x0341, 0x06DD, 0x06DD, 0x070F, 0x070F, 0x1680, 0x1680,
        0x180E, 0x180E, 0x2000, 0x200F, 0x2028, 0x202F, 0x205F, 0x2063, 0x206A, 0x206F, 0x2FF0, 0x2FFB,
        0x3000, 0x3000, 0xD800, 0xF8FF, 0xFDD0, 0xFDEF, 0xFEFF, 0xFEFF, 0xFFF9, 0xFFFF, 0x1D173, 0x1D17A,
        0x1FFFE, 0x1FFFF, 0x2FFFE, 0x2FFFF, 0x3FFFE, 0x3FFFF, 0x4FFFE, 0x4FFFF, 0x5FFFE, 0x5FFFF,
        0x6FFFE, 0x6FFFF, 0x7FFFE, 0x7FFFF, 0x8FFFE, 0x8FFFF, 0x9FFFE, 0x9FFFF, 0xAFFFE, 0xAFFFF,
        0xBFFFE, 0xBFFFF, 0xCFFFE, 0xCFFFF, 0xDFFFE, 0xDFFFF, 0xE0001, 0xE0001, 0xE0020, 0xE007F,
        0xEFFFE, 0xEFFFF, 0xF0000, 0xFFFFF, 0x100000, 0x10FFFF,
    };

    private SaslPrep() {
    }

    /**
     * The bytes PostgreSQL feeds to PBKDF2 for this password. The caller wipes the result.
     *
     * @throws IllegalArgumentException if the password is empty or not valid UTF-16
     */
    public static byte[] prepare(char[] password) {
        if (password == null || password.length == 0) {
            throw new IllegalArgumentException("empty password");
        }
        byte[] raw = utf8(password);
        boolean ascii = true;
        for (byte b : raw) {
            if (b < 0) {
                ascii = false;
                break;
            }
        }
        if (ascii) {
            return raw;
        }
        int[] mapped = map(password);
        try {
            if (!acceptable(mapped)) {
                return raw;
            }
            String normalized = Normalizer.normalize(new String(mapped, 0, mapped.length), Normalizer.Form.NFKC);
            byte[] prepared = normalized.getBytes(StandardCharsets.UTF_8);
            Arrays.fill(raw, (byte) 0);
            return prepared;
        } finally {
            Arrays.fill(mapped, 0);
        }
    }

    /** Whether the string is prepared rather than used raw: for tests and diagnostics. */
    static boolean wouldNormalize(char[] password) {
        for (char c : password) {
            if (c >= 0x80) {
                return acceptable(map(password));
            }
        }
        return false;
    }

    private static int[] map(char[] password) {
        int[] out = new int[password.length];
        int count = 0;
        for (int i = 0; i < password.length; ) {
            int cp = Character.codePointAt(password, i);
            i += Character.charCount(cp);
            if (in(NON_ASCII_SPACE, cp)) {
                out[count++] = 0x20;
            } else if (!in(MAPPED_TO_NOTHING, cp)) {
                out[count++] = cp;
            }
        }
        int[] result = Arrays.copyOf(out, count);
        Arrays.fill(out, 0);
        return result;
    }

    private static boolean acceptable(int[] mapped) {
        if (mapped.length == 0) {
            return false;
        }
        boolean randAL = false;
        for (int cp : mapped) {
            if (in(PROHIBITED, cp) || in(SaslPrepTables.UNASSIGNED_A1, cp)) {
                return false;
            }
            randAL |= in(SaslPrepTables.RANDALCAT_D1, cp);
        }
        if (randAL) {
            for (int cp : mapped) {
                if (in(SaslPrepTables.LCAT_D2, cp)) {
                    return false;
                }
            }
            return in(SaslPrepTables.RANDALCAT_D1, mapped[0])
                    && in(SaslPrepTables.RANDALCAT_D1, mapped[mapped.length - 1]);
        }
        return true;
    }

    /** Binary search in a sorted table of inclusive {first, last} pairs. */
    static boolean in(int[] ranges, int cp) {
        int lo = 0;
        int hi = ranges.length / 2 - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (cp < ranges[2 * mid]) {
                hi = mid - 1;
            } else if (cp > ranges[2 * mid + 1]) {
                lo = mid + 1;
            } else {
                return true;
            }
        }
        return false;
    }

    private static byte[] utf8(char[] chars) {
        try {
            ByteBuffer buffer = StandardCharsets.UTF_8.newEncoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .encode(CharBuffer.wrap(chars));
            byte[] bytes = Arrays.copyOfRange(buffer.array(), buffer.position(), buffer.limit());
            Arrays.fill(buffer.array(), (byte) 0);
            return bytes;
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("password is not valid UTF-16 (lone surrogate)");
        }
    }
}
