package io.rotor.domain;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A credential value held as {@code char[]} so that it can be wiped, and that never prints itself:
 * {@link #toString()} is a mask, so a secret that slips into a log line or a message shows nothing.
 */
public final class Secret implements AutoCloseable {
    private final char[] value;

    private Secret(char[] value) {
        this.value = value;
    }

    /** Takes ownership of {@code value}; the caller must not reuse the array. */
    public static Secret of(char[] value) {
        return new Secret(value);
    }

    public static Secret fromUtf8(byte[] bytes) {
        CharBuffer chars = StandardCharsets.UTF_8.decode(ByteBuffer.wrap(bytes));
        char[] copy = Arrays.copyOfRange(chars.array(), chars.position(), chars.limit());
        Arrays.fill(chars.array(), '\0');
        return new Secret(copy);
    }

    /** A copy of the characters; the caller wipes it when done. */
    public char[] chars() {
        return value.clone();
    }

    /** The value as a String, for APIs (JDBC drivers) that accept nothing else. Keep its scope short. */
    public String reveal() {
        return new String(value);
    }

    public byte[] utf8() {
        ByteBuffer bytes = StandardCharsets.UTF_8.encode(CharBuffer.wrap(value));
        byte[] copy = Arrays.copyOfRange(bytes.array(), bytes.position(), bytes.limit());
        Arrays.fill(bytes.array(), (byte) 0);
        return copy;
    }

    public int length() {
        return value.length;
    }

    public boolean contentEquals(Secret other) {
        return other != null && java.security.MessageDigest.isEqual(utf8(), other.utf8());
    }

    @Override
    public void close() {
        Arrays.fill(value, '\0');
    }

    @Override
    public String toString() {
        return "****";
    }
}
