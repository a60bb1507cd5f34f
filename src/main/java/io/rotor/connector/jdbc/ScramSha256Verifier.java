package io.rotor.connector.jdbc;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Computes a PostgreSQL SCRAM-SHA-256 verifier client-side (RFC 5802 / RFC 7677), in the form PostgreSQL
 * stores in {@code pg_authid.rolpassword} and accepts verbatim in {@code ALTER ROLE ... PASSWORD '...'}:
 * <pre>SCRAM-SHA-256$&lt;iterations&gt;:&lt;base64 salt&gt;$&lt;base64 StoredKey&gt;:&lt;base64 ServerKey&gt;</pre>
 * <ul>
 *   <li>SaltedPassword = PBKDF2-HMAC-SHA-256(SASLprep(password), salt, iterations), one 32-byte block</li>
 *   <li>ClientKey = HMAC(SaltedPassword, "Client Key"), StoredKey = SHA-256(ClientKey)</li>
 *   <li>ServerKey = HMAC(SaltedPassword, "Server Key")</li>
 * </ul>
 * SASLprep is PostgreSQL's (see {@link SaslPrep}): ASCII passwords are used as their raw bytes, other
 * passwords are mapped and NFKC-normalized, and fall back to their raw UTF-8 bytes where SASLprep would
 * refuse them, exactly as the server does. Because the server only ever receives the verifier, the clear
 * password never reaches it nor its statement log.
 */
public final class ScramSha256Verifier {
    public static final int DEFAULT_ITERATIONS = 4096;
    public static final int SALT_LENGTH = 16;
    private static final String PREFIX = "SCRAM-SHA-256";
    private static final Pattern FORMAT = Pattern.compile(
            "SCRAM-SHA-256\\$(\\d+):([A-Za-z0-9+/=]+)\\$([A-Za-z0-9+/=]+):([A-Za-z0-9+/=]+)");
    private static final SecureRandom RANDOM = new SecureRandom();

    /** A verifier taken apart. */
    public record Parts(int iterations, byte[] salt, byte[] storedKey, byte[] serverKey) {
    }

    private ScramSha256Verifier() {
    }

    /** A verifier with a fresh random 16-byte salt and 4096 iterations. */
    public static String compute(char[] password) {
        byte[] salt = new byte[SALT_LENGTH];
        RANDOM.nextBytes(salt);
        return compute(password, salt, DEFAULT_ITERATIONS);
    }

    /** A verifier for the given salt and iteration count: the same inputs always give the same verifier. */
    public static String compute(char[] password, byte[] salt, int iterations) {
        if (salt == null || salt.length == 0) {
            throw new IllegalArgumentException("salt must not be empty");
        }
        if (iterations < 1) {
            throw new IllegalArgumentException("iterations must be positive");
        }
        byte[] prepared = SaslPrep.prepare(password);
        byte[] salted = null;
        byte[] clientKey = null;
        try {
            salted = pbkdf2HmacSha256(prepared, salt, iterations);
            clientKey = hmac(salted, "Client Key".getBytes(StandardCharsets.US_ASCII));
            byte[] storedKey = MessageDigest.getInstance("SHA-256").digest(clientKey);
            byte[] serverKey = hmac(salted, "Server Key".getBytes(StandardCharsets.US_ASCII));
            Base64.Encoder b64 = Base64.getEncoder();
            return PREFIX + "$" + iterations + ":" + b64.encodeToString(salt) + "$"
                    + b64.encodeToString(storedKey) + ":" + b64.encodeToString(serverKey);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 / HmacSHA256 unavailable", e);
        } finally {
            Arrays.fill(prepared, (byte) 0);
            if (salted != null) {
                Arrays.fill(salted, (byte) 0);
            }
            if (clientKey != null) {
                Arrays.fill(clientKey, (byte) 0);
            }
        }
    }

    /** Takes a verifier apart, e.g. to recompute it with the same salt. */
    public static Parts parse(String verifier) {
        Matcher m = verifier == null ? null : FORMAT.matcher(verifier);
        if (m == null || !m.matches()) {
            throw new IllegalArgumentException("not a SCRAM-SHA-256 verifier");
        }
        Base64.Decoder b64 = Base64.getDecoder();
        return new Parts(Integer.parseInt(m.group(1)), b64.decode(m.group(2)), b64.decode(m.group(3)),
                b64.decode(m.group(4)));
    }

    /** Whether {@code password} matches {@code verifier} (same salt and iterations, constant-time compare). */
    public static boolean matches(char[] password, String verifier) {
        Parts parts = parse(verifier);
        String recomputed = compute(password, parts.salt(), parts.iterations());
        return MessageDigest.isEqual(recomputed.getBytes(StandardCharsets.US_ASCII),
                verifier.getBytes(StandardCharsets.US_ASCII));
    }

    private static byte[] pbkdf2HmacSha256(byte[] password, byte[] salt, int iterations)
            throws GeneralSecurityException {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(password, "HmacSHA256"));
        mac.update(salt);
        byte[] u = mac.doFinal(new byte[] {0, 0, 0, 1});
        byte[] result = u.clone();
        for (int i = 1; i < iterations; i++) {
            u = mac.doFinal(u);
            for (int j = 0; j < result.length; j++) {
                result[j] ^= u[j];
            }
        }
        Arrays.fill(u, (byte) 0);
        return result;
    }

    private static byte[] hmac(byte[] key, byte[] message) throws GeneralSecurityException {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        return mac.doFinal(message);
    }
}
