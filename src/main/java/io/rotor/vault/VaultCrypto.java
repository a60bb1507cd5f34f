package io.rotor.vault;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.TinkProtoKeysetFormat;
import com.google.crypto.tink.aead.AeadConfig;
import com.google.crypto.tink.aead.PredefinedAeadParameters;
import com.google.crypto.tink.subtle.AesGcmJce;
import io.rotor.domain.Secret;

import javax.sql.DataSource;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;

/**
 * Encrypts credentials with a Tink AES-256-GCM keyset. The associated data binds each ciphertext to its
 * account id and version, so a ciphertext copied to another record never decrypts. The keyset lives in the
 * vault database, encrypted under the {@link MasterKey}; its {@code generation} column tells other processes
 * (the server while {@code rotor vault rotate-key} runs) when to reload it.
 */
public final class VaultCrypto {
    private static final byte[] KEYSET_ASSOCIATED_DATA = "rotor:vault-keyset:v1".getBytes(StandardCharsets.UTF_8);
    private static final long GENERATION_CHECK_MILLIS = 2_000;

    private final DataSource dataSource;
    private final Aead keysetEncryption;
    private final String masterKeySource;
    private final Clock clock;

    private volatile LoadedKeyset loaded;
    private volatile long lastGenerationCheck;

    private record LoadedKeyset(long generation, KeysetHandle handle, Aead aead) {
    }

    public VaultCrypto(DataSource dataSource, MasterKey masterKey, Clock clock) {
        this.dataSource = dataSource;
        this.masterKeySource = masterKey.source();
        this.clock = clock;
        try {
            AeadConfig.register();
            byte[] raw = masterKey.bytes();
            try {
                this.keysetEncryption = new AesGcmJce(raw);
            } finally {
                Arrays.fill(raw, (byte) 0);
            }
        } catch (GeneralSecurityException e) {
            throw new VaultException("cannot initialise encryption: " + e.getMessage(), e);
        }
    }

    /** Loads the keyset, creating it on first start. Fails with a clear message when the master key is wrong. */
    public void open() {
        LoadedKeyset existing = readKeyset();
        if (existing == null) {
            createKeyset();
            existing = readKeyset();
        }
        loaded = existing;
        lastGenerationCheck = clock.millis();
    }

    public byte[] encrypt(String accountId, long version, Secret secret) {
        refreshIfStale();
        byte[] plain = secret.utf8();
        try {
            return loaded.aead().encrypt(plain, associatedData(accountId, version));
        } catch (GeneralSecurityException e) {
            throw new VaultException("cannot encrypt the credential of account '" + accountId + "'", e);
        } finally {
            Arrays.fill(plain, (byte) 0);
        }
    }

    public Secret decrypt(String accountId, long version, byte[] ciphertext) {
        try {
            return decryptWith(loaded, accountId, version, ciphertext);
        } catch (GeneralSecurityException first) {
            // the record may have been re-encrypted under a key another process just added: reload once
            LoadedKeyset latest = readKeyset();
            if (latest != null && latest.generation() != loaded.generation()) {
                loaded = latest;
                try {
                    return decryptWith(latest, accountId, version, ciphertext);
                } catch (GeneralSecurityException second) {
                    throw new TamperedCredentialException(accountId, version);
                }
            }
            throw new TamperedCredentialException(accountId, version);
        }
    }

    private static Secret decryptWith(LoadedKeyset keyset, String accountId, long version, byte[] ciphertext)
            throws GeneralSecurityException {
        byte[] plain = keyset.aead().decrypt(ciphertext, associatedData(accountId, version));
        try {
            return Secret.fromUtf8(plain);
        } finally {
            Arrays.fill(plain, (byte) 0);
        }
    }

    /** Adds a fresh AES-256-GCM key as primary; older keys stay so that existing records still decrypt. */
    public long addPrimaryKey() {
        LoadedKeyset current = readKeyset();
        try {
            KeysetHandle.Builder builder = KeysetHandle.newBuilder(current.handle());
            // makePrimary() on the new entry demotes the old primary, which stays for decryption
            builder.addEntry(KeysetHandle.generateEntryFromParameters(PredefinedAeadParameters.AES256_GCM)
                    .withRandomId().makePrimary());
            KeysetHandle next = builder.build();
            long generation = current.generation() + 1;
            writeKeyset(next, generation, current.generation());
            loaded = new LoadedKeyset(generation, next, next.getPrimitive(Aead.class));
            return generation;
        } catch (GeneralSecurityException e) {
            throw new VaultException("cannot add a new primary key: " + e.getMessage(), e);
        }
    }

    public int keyCount() {
        return loaded.handle().size();
    }

    public long generation() {
        return loaded.generation();
    }

    private void refreshIfStale() {
        long now = clock.millis();
        if (now - lastGenerationCheck < GENERATION_CHECK_MILLIS) {
            return;
        }
        lastGenerationCheck = now;
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("SELECT generation FROM vault_keyset WHERE id = 1");
             ResultSet r = s.executeQuery()) {
            if (r.next() && r.getLong(1) != loaded.generation()) {
                loaded = readKeyset();
            }
        } catch (SQLException e) {
            throw new VaultException("cannot read the vault keyset generation: " + e.getMessage(), e);
        }
    }

    private LoadedKeyset readKeyset() {
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement(
                     "SELECT generation, encrypted_keyset FROM vault_keyset WHERE id = 1");
             ResultSet r = s.executeQuery()) {
            if (!r.next()) {
                return null;
            }
            long generation = r.getLong(1);
            byte[] encrypted = r.getBytes(2);
            KeysetHandle handle;
            try {
                handle = TinkProtoKeysetFormat.parseEncryptedKeyset(encrypted, keysetEncryption, KEYSET_ASSOCIATED_DATA);
            } catch (GeneralSecurityException e) {
                throw new VaultException("the master key from " + masterKeySource + " does not open this vault's keyset:"
                        + " it is the wrong key for this vault (or the keyset was altered); refusing to start");
            }
            return new LoadedKeyset(generation, handle, handle.getPrimitive(Aead.class));
        } catch (SQLException e) {
            throw new VaultException("cannot read the vault keyset: " + e.getMessage(), e);
        } catch (GeneralSecurityException e) {
            throw new VaultException("the vault keyset is unusable: " + e.getMessage(), e);
        }
    }

    private void createKeyset() {
        try {
            KeysetHandle handle = KeysetHandle.generateNew(PredefinedAeadParameters.AES256_GCM);
            byte[] encrypted = TinkProtoKeysetFormat.serializeEncryptedKeyset(handle, keysetEncryption, KEYSET_ASSOCIATED_DATA);
            try (Connection c = dataSource.getConnection();
                 PreparedStatement s = c.prepareStatement(
                         "INSERT INTO vault_keyset (id, generation, encrypted_keyset, updated_at) VALUES (1, 1, ?, ?)")) {
                s.setBytes(1, encrypted);
                s.setTimestamp(2, Timestamp.from(Instant.now(clock)));
                s.executeUpdate();
            }
        } catch (SQLException e) {
            // another process created it first; reading it next is what we want
            if (readKeyset() == null) {
                throw new VaultException("cannot create the vault keyset: " + e.getMessage(), e);
            }
        } catch (GeneralSecurityException e) {
            throw new VaultException("cannot create the vault keyset: " + e.getMessage(), e);
        }
    }

    private void writeKeyset(KeysetHandle handle, long generation, long expectedGeneration)
            throws GeneralSecurityException {
        byte[] encrypted = TinkProtoKeysetFormat.serializeEncryptedKeyset(handle, keysetEncryption, KEYSET_ASSOCIATED_DATA);
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("UPDATE vault_keyset SET generation = ?, encrypted_keyset = ?,"
                     + " updated_at = ? WHERE id = 1 AND generation = ?")) {
            s.setLong(1, generation);
            s.setBytes(2, encrypted);
            s.setTimestamp(3, Timestamp.from(Instant.now(clock)));
            s.setLong(4, expectedGeneration);
            if (s.executeUpdate() != 1) {
                throw new VaultException("the vault keyset changed while adding a key (another key rotation ran); try again");
            }
        } catch (SQLException e) {
            throw new VaultException("cannot store the vault keyset: " + e.getMessage(), e);
        }
    }

    static byte[] associatedData(String accountId, long version) {
        return ("rotor:credential:" + accountId + ":" + version).getBytes(StandardCharsets.UTF_8);
    }

}
