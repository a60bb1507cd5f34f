package io.rotor.connector.ssh;

import io.rotor.domain.Secret;
import org.apache.sshd.common.NamedResource;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;
import org.apache.sshd.common.util.security.SecurityUtils;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.Base64;
import java.util.Iterator;
import java.util.Locale;

/**
 * SSH key pairs as vault credentials. The key types PassMan lists, minus the one OpenSSH no longer accepts:
 * {@code ssh-ed25519}, {@code ecdsa-sha2-nistp256}, {@code ssh-rsa} (3072 bits or more); {@code ssh-dss} is
 * refused. A private key is stored as one line, {@code rotor-sshkey:} + base64 of its OpenSSH PEM, so that it
 * passes the vault's no-CR/LF rule; a raw PEM ({@code -----BEGIN}) is accepted on input too.
 */
public final class SshKeys {
    public static final String PREFIX = "rotor-sshkey:";
    public static final int MIN_RSA_BITS = 3072;

    private SshKeys() {
    }

    public static boolean isKey(Secret secret) {
        if (secret == null) {
            return false;
        }
        char[] c = secret.chars();
        try {
            String head = new String(c, 0, Math.min(c.length, 16));
            return head.startsWith(PREFIX) || head.startsWith("-----BEGIN");
        } finally {
            java.util.Arrays.fill(c, '\0');
        }
    }

    /**
     * @param type {@code ed25519}, {@code ecdsa} / {@code ecdsa-sha2-nistp256}, {@code rsa} (optionally
     *             {@code rsa:4096}); {@code dsa} / {@code ssh-dss} is refused
     */
    public static KeyPair generate(String type) {
        String t = type == null ? "ed25519" : type.trim().toLowerCase(Locale.ROOT);
        try {
            if (t.equals("ed25519") || t.equals("ssh-ed25519")) {
                KeyPairGenerator g = SecurityUtils.getKeyPairGenerator(SecurityUtils.EDDSA);
                g.initialize(256);
                return g.generateKeyPair();
            }
            if (t.equals("ecdsa") || t.equals("ecdsa-sha2-nistp256")) {
                KeyPairGenerator g = SecurityUtils.getKeyPairGenerator(KeyUtils.EC_ALGORITHM);
                g.initialize(256);
                return g.generateKeyPair();
            }
            if (t.equals("rsa") || t.equals("ssh-rsa") || t.startsWith("rsa:")) {
                int bits = t.startsWith("rsa:") ? Integer.parseInt(t.substring(4)) : MIN_RSA_BITS;
                if (bits < MIN_RSA_BITS) {
                    throw new IllegalArgumentException("RSA keys must have at least " + MIN_RSA_BITS + " bits (asked: " + bits + ")");
                }
                KeyPairGenerator g = SecurityUtils.getKeyPairGenerator(KeyUtils.RSA_ALGORITHM);
                g.initialize(bits);
                return g.generateKeyPair();
            }
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException("cannot generate a " + t + " key: " + e.getMessage(), e);
        }
        if (t.equals("dsa") || t.equals("ssh-dss")) {
            throw new IllegalArgumentException("ssh-dss (DSA) keys are refused: they are limited to 1024 bits and"
                    + " OpenSSH no longer accepts them; use ed25519, ecdsa-sha2-nistp256 or rsa (3072 bits or more)");
        }
        throw new IllegalArgumentException("unknown SSH key type '" + type + "': use ed25519, ecdsa-sha2-nistp256 or rsa");
    }

    /** The vault form of a private key. */
    public static Secret toSecret(KeyPair kp) {
        try {
            ByteArrayOutputStream pem = new ByteArrayOutputStream();
            OpenSSHKeyPairResourceWriter.INSTANCE.writePrivateKey(kp, "rotor", null, pem);
            byte[] bytes = pem.toByteArray();
            String encoded = PREFIX + Base64.getEncoder().encodeToString(bytes);
            java.util.Arrays.fill(bytes, (byte) 0);
            return Secret.of(encoded.toCharArray());
        } catch (Exception e) {
            throw new IllegalStateException("cannot encode the private key: " + e.getClass().getSimpleName(), e);
        }
    }

    /** The key pair of a vault credential (the prefixed form or a raw PEM). */
    public static KeyPair fromSecret(Secret secret) {
        char[] chars = secret.chars();
        String value = new String(chars);
        java.util.Arrays.fill(chars, '\0');
        byte[] pem = value.startsWith(PREFIX) ? Base64.getDecoder().decode(value.substring(PREFIX.length()))
                : value.getBytes(StandardCharsets.UTF_8);
        try {
            Iterable<KeyPair> keys = SecurityUtils.loadKeyPairIdentities(null, NamedResource.ofName("vault key"),
                    new ByteArrayInputStream(pem), null);
            Iterator<KeyPair> it = keys == null ? null : keys.iterator();
            if (it == null || !it.hasNext()) {
                throw new IllegalArgumentException("the credential holds no private key");
            }
            return it.next();
        } catch (IllegalArgumentException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalArgumentException("the private key cannot be read: " + e.getClass().getSimpleName());
        } finally {
            java.util.Arrays.fill(pem, (byte) 0);
        }
    }

    /** {@code type base64} as in authorized_keys (no comment). */
    public static String publicLine(KeyPair kp) {
        return PublicKeyEntry.toString(kp.getPublic());
    }
}
