package io.rotor.workflow.passwords;

import io.rotor.domain.Secret;
import io.rotor.domain.passwords.TransportKey;
import io.rotor.vault.TransportKeyRepository;

import javax.crypto.Cipher;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.Optional;
import java.util.UUID;

/**
 * The transport key pair that clients encrypt a new password with: RSA 3072 made by the JDK, the private half
 * sealed in the vault ({@link TransportKeyRepository}). {@code encryptedPassword} is RSA PKCS#1 v1.5 of the UTF-8
 * password, as {@code openssl pkeyutl -encrypt -pubin} makes it; it is decrypted in memory only. A rotated key's
 * id is accepted for {@code grace} after its retirement, then refused.
 *
 * <p>Every decryption failure gets the same message, so an answer tells nothing about the padding (the
 * PKCS#1 v1.5 oracle).
 */
public final class TransportKeys {
    public static final int KEY_SIZE = 3072;
    static final String CIPHER = "RSA/ECB/PKCS1Padding";

    private final TransportKeyRepository keys;
    private final Duration grace;
    private final Clock clock;

    public TransportKeys(TransportKeyRepository keys, Duration grace, Clock clock) {
        this.keys = keys;
        this.grace = grace;
        this.clock = clock;
    }

    /** The key served to clients, made on first use. */
    public synchronized TransportKey served() {
        Optional<TransportKey> served = keys.served();
        return served.isPresent() ? served.get() : rotate("system:first-use");
    }

    /** Makes a new key pair, serves it from now on and retires the previous one (accepted for the grace period). */
    public synchronized TransportKey rotate(String actor) {
        KeyPair pair;
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(KEY_SIZE);
            pair = generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK cannot make an RSA key pair: " + e.getMessage(), e);
        }
        // SailPoint's ids are base64 of a UUID; so are Rotor's
        String id = Base64.getEncoder().encodeToString(UUID.randomUUID().toString().getBytes(StandardCharsets.US_ASCII));
        TransportKey key = new TransportKey(id, Base64.getEncoder().encodeToString(pair.getPublic().getEncoded()),
                clock.instant(), actor, null);
        byte[] pkcs8 = pair.getPrivate().getEncoded();
        byte[] encoded = Base64.getEncoder().encode(pkcs8);
        try (Secret sealed = Secret.fromUtf8(encoded)) {
            keys.store(key, sealed, actor);
        } finally {
            Arrays.fill(pkcs8, (byte) 0);
            Arrays.fill(encoded, (byte) 0);
        }
        return keys.find(id).orElseThrow();
    }

    public Duration grace() {
        return grace;
    }

    /**
     * Decrypts {@code encryptedPassword} with the key {@code publicKeyId} names.
     *
     * @throws PasswordManagementException INVALID naming publicKeyId (unknown, or retired beyond its grace period)
     *                                     or encryptedPassword (not base64, not decryptable with that key, not UTF-8)
     */
    public Secret decrypt(String publicKeyId, String encryptedPassword) {
        TransportKey key = keys.find(publicKeyId).orElseThrow(() -> PasswordManagementException.invalid(
                "publicKeyId: unknown key; query-password-info serves the current publicKeyId and publicKey"));
        if (key.retiredAt() != null && clock.instant().isAfter(key.retiredAt().plus(grace))) {
            throw PasswordManagementException.invalid("publicKeyId: the key was retired at " + key.retiredAt()
                    + " and its grace period of " + grace + " has ended; query-password-info serves the current key");
        }
        byte[] ciphertext;
        try {
            ciphertext = Base64.getMimeDecoder().decode(encryptedPassword.trim());
        } catch (IllegalArgumentException e) {
            throw PasswordManagementException.invalid("encryptedPassword: not base64");
        }
        if (ciphertext.length == 0) {
            throw PasswordManagementException.invalid("encryptedPassword: not base64");
        }
        byte[] plain = null;
        try {
            plain = decryptWith(publicKeyId, ciphertext);
            return strictUtf8(plain);
        } finally {
            if (plain != null) {
                Arrays.fill(plain, (byte) 0);
            }
        }
    }

    private byte[] decryptWith(String publicKeyId, byte[] ciphertext) {
        byte[] pkcs8 = null;
        try (Secret sealed = keys.privateKey(publicKeyId)) {
            pkcs8 = Base64.getDecoder().decode(sealed.utf8());
            PrivateKey privateKey = KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
            Cipher cipher = Cipher.getInstance(CIPHER);
            cipher.init(Cipher.DECRYPT_MODE, privateKey);
            return cipher.doFinal(ciphertext);
        } catch (GeneralSecurityException e) {
            throw PasswordManagementException.invalid("encryptedPassword: cannot be decrypted with the key publicKeyId"
                    + " names (encrypt the UTF-8 password with that key's publicKey, RSA PKCS#1 v1.5)");
        } finally {
            if (pkcs8 != null) {
                Arrays.fill(pkcs8, (byte) 0);
            }
        }
    }

    private static Secret strictUtf8(byte[] plain) {
        try {
            CharBuffer chars = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(plain));
            char[] copy = new char[chars.remaining()];
            chars.get(copy);
            if (chars.hasArray()) {
                Arrays.fill(chars.array(), '\0');
            }
            if (copy.length == 0) {
                throw PasswordManagementException.invalid("encryptedPassword: the password is empty");
            }
            return Secret.of(copy);
        } catch (CharacterCodingException e) {
            throw PasswordManagementException.invalid("encryptedPassword: the decrypted password is not UTF-8");
        }
    }
}
