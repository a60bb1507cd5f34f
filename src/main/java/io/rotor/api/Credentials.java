package io.rotor.api;

import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;

/**
 * How API credentials are made and stored. Nothing here is reversible:
 * <ul>
 *   <li>API tokens are 32 bytes from {@link SecureRandom}, base64url without padding (43 characters), stored as
 *       their SHA-256 in hex. A token has 256 bits of entropy, so a fast hash is enough and makes the lookup an
 *       index seek.</li>
 *   <li>Service-account passwords are chosen by people, so they are stored as PBKDF2-HMAC-SHA256 with a random
 *       16-byte salt and {@value #ITERATIONS} iterations, in the form
 *       {@code pbkdf2-sha256$<iterations>$<salt b64>$<key b64>}, and compared in constant time.</li>
 * </ul>
 */
public final class Credentials {
    public static final String SCHEME = "pbkdf2-sha256";
    /** OWASP's 2023 figure for PBKDF2-HMAC-SHA256; never below {@value #MIN_ITERATIONS}. */
    public static final int ITERATIONS = 600_000;
    public static final int MIN_ITERATIONS = 210_000;
    public static final int SALT_BYTES = 16;
    public static final int KEY_BITS = 256;
    public static final int TOKEN_BYTES = 32;
    /** A token given by the operator (ROTOR_ADMIN_TOKEN) must be at least this long. */
    public static final int MIN_SUPPLIED_TOKEN_LENGTH = 32;
    /** Longer Authorization values are refused before any hashing. */
    public static final int MAX_TOKEN_LENGTH = 512;
    public static final int MAX_PASSWORD_LENGTH = 1024;

    private static final SecureRandom RANDOM = new SecureRandom();

    private Credentials() {
    }

    /** A fresh API token: 32 random bytes, base64url without padding. */
    public static String newToken() {
        byte[] bytes = new byte[TOKEN_BYTES];
        RANDOM.nextBytes(bytes);
        try {
            return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
    }

    /** Lower-case hex SHA-256 of the token's UTF-8 bytes: what the database holds. */
    public static String tokenHash(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }

    /**
     * Checks a token that an operator supplies (ROTOR_ADMIN_TOKEN): long enough to be stored as a fast hash, and
     * sendable in an HTTP header. The message never repeats the value.
     */
    public static void checkSuppliedToken(String token, String what) {
        if (token == null || token.length() < MIN_SUPPLIED_TOKEN_LENGTH) {
            throw new IllegalArgumentException(what + " must be at least " + MIN_SUPPLIED_TOKEN_LENGTH
                    + " characters (use `openssl rand -base64 32` or `rotor token create`)");
        }
        if (token.length() > MAX_TOKEN_LENGTH) {
            throw new IllegalArgumentException(what + " must be at most " + MAX_TOKEN_LENGTH + " characters");
        }
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            if (c <= ' ' || c > '~') {
                throw new IllegalArgumentException(what + " must be printable ASCII without spaces (found another"
                        + " character at position " + (i + 1) + ")");
            }
        }
    }

    /** A new salted PBKDF2 hash of {@code password} with {@value #ITERATIONS} iterations. */
    public static String hashPassword(char[] password) {
        byte[] salt = new byte[SALT_BYTES];
        RANDOM.nextBytes(salt);
        return encode(ITERATIONS, salt, pbkdf2(password, salt, ITERATIONS));
    }

    static String encode(int iterations, byte[] salt, byte[] key) {
        Base64.Encoder b64 = Base64.getEncoder().withoutPadding();
        return SCHEME + "$" + iterations + "$" + b64.encodeToString(salt) + "$" + b64.encodeToString(key);
    }

    /**
     * Whether {@code password} matches {@code stored}. The derived keys are compared in constant time; a stored
     * value that cannot be parsed, or that uses fewer than {@value #MIN_ITERATIONS} iterations, never matches.
     */
    public static boolean verifyPassword(char[] password, String stored) {
        if (password == null || stored == null) {
            return false;
        }
        String[] parts = stored.split("\\$");
        if (parts.length != 4 || !SCHEME.equals(parts[0])) {
            return false;
        }
        int iterations;
        byte[] salt;
        byte[] expected;
        try {
            iterations = Integer.parseInt(parts[1]);
            salt = Base64.getDecoder().decode(parts[2]);
            expected = Base64.getDecoder().decode(parts[3]);
        } catch (IllegalArgumentException e) {
            return false;
        }
        if (iterations < MIN_ITERATIONS || salt.length < SALT_BYTES || expected.length * 8 != KEY_BITS) {
            return false;
        }
        byte[] actual = pbkdf2(password, salt, iterations);
        try {
            return MessageDigest.isEqual(actual, expected);
        } finally {
            Arrays.fill(actual, (byte) 0);
        }
    }

    /** A well-formed hash of nothing anyone knows: verifying against it costs what a real check costs. */
    static String decoyHash() {
        byte[] salt = new byte[SALT_BYTES];
        RANDOM.nextBytes(salt);
        byte[] key = new byte[KEY_BITS / 8];
        RANDOM.nextBytes(key);
        return encode(ITERATIONS, salt, key);
    }

    private static byte[] pbkdf2(char[] password, byte[] salt, int iterations) {
        PBEKeySpec spec = new PBEKeySpec(password, salt, iterations, KEY_BITS);
        try {
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PBKDF2WithHmacSHA256 is not available", e);
        } finally {
            spec.clearPassword();
        }
    }
}
