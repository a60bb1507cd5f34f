package io.rotor.cluster.agent;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Enrollment tokens and agent credentials: 32 random bytes, base64url; the vault keeps only their SHA-256 (they are
 * random, so a fast hash is enough, as for API tokens).
 */
public final class AgentCredentials {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int BYTES = 32;
    public static final int MAX_LENGTH = 512;

    private AgentCredentials() {
    }

    public static String newSecret() {
        byte[] bytes = new byte[BYTES];
        RANDOM.nextBytes(bytes);
        try {
            return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        } finally {
            java.util.Arrays.fill(bytes, (byte) 0);
        }
    }

    public static String hash(String secret) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }
}
