package io.rotor.vault;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Set;

/**
 * The operator's master key: 32 random bytes, base64-encoded, from the {@code ROTOR_MASTER_KEY} environment
 * variable or from a key file that is created with mode 0600 on first start. It only encrypts the vault
 * keyset; the keyset encrypts the credentials.
 */
public final class MasterKey {
    public static final String ENV_VARIABLE = "ROTOR_MASTER_KEY";
    private static final int KEY_BYTES = 32;

    private final byte[] key;
    private final String source;

    private MasterKey(byte[] key, String source) {
        this.key = key;
        this.source = source;
    }

    /** The key from {@code envValue} when it is set, else from {@code keyFile} (created if absent). */
    public static MasterKey load(String envValue, Path keyFile) {
        if (envValue != null && !envValue.isBlank()) {
            return new MasterKey(decode(envValue.trim(), ENV_VARIABLE), ENV_VARIABLE);
        }
        return fromFile(keyFile);
    }

    static MasterKey fromFile(Path keyFile) {
        try {
            if (Files.notExists(keyFile)) {
                create(keyFile);
            }
            checkPermissions(keyFile);
            byte[] text = Files.readAllBytes(keyFile);
            try {
                return new MasterKey(decode(new String(text, StandardCharsets.US_ASCII).trim(), "key file " + keyFile),
                        "key file " + keyFile);
            } finally {
                Arrays.fill(text, (byte) 0);
            }
        } catch (IOException e) {
            throw new VaultException("cannot read the master key file " + keyFile + ": " + e.getMessage(), e);
        }
    }

    private static void create(Path keyFile) throws IOException {
        byte[] fresh = new byte[KEY_BYTES];
        new SecureRandom().nextBytes(fresh);
        byte[] encoded = Base64.getEncoder().encode(fresh);
        Arrays.fill(fresh, (byte) 0);
        Vault.createPrivateDirectory(keyFile.toAbsolutePath().getParent());
        try {
            // created 0600 atomically, so the key is never readable by others, not even for a moment
            Files.createFile(keyFile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (FileAlreadyExistsException raced) {
            return;
        }
        Files.write(keyFile, encoded);
        Arrays.fill(encoded, (byte) 0);
    }

    private static void checkPermissions(Path keyFile) throws IOException {
        Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(keyFile);
        for (PosixFilePermission p : permissions) {
            if (p != PosixFilePermission.OWNER_READ && p != PosixFilePermission.OWNER_WRITE) {
                throw new VaultException("refusing the master key file " + keyFile + ": its mode is "
                        + PosixFilePermissions.toString(permissions) + ", it must be rw------- (chmod 600)");
            }
        }
    }

    private static byte[] decode(String base64, String source) {
        byte[] decoded;
        try {
            decoded = Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            throw new VaultException("the master key from " + source + " is not valid base64"
                    + " (expected 32 random bytes, base64-encoded, e.g. from `openssl rand -base64 32`)");
        }
        if (decoded.length != KEY_BYTES) {
            int length = decoded.length;
            Arrays.fill(decoded, (byte) 0);
            throw new VaultException("the master key from " + source + " is " + length
                    + " bytes long; it must be 32 bytes, base64-encoded (e.g. `openssl rand -base64 32`)");
        }
        return decoded;
    }

    byte[] bytes() {
        return key.clone();
    }

    /** Where the key came from, for messages (never the key itself). */
    public String source() {
        return source;
    }

    @Override
    public String toString() {
        return "MasterKey[" + source + "]";
    }
}
