package io.rotor.workflow.passwords;

import io.rotor.domain.Secret;
import io.rotor.domain.passwords.TransportKey;
import io.rotor.vault.MasterKey;
import io.rotor.vault.TransportKeyRepository;
import io.rotor.vault.Vault;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.crypto.Cipher;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TransportKeysTest {
    private static final String PASSWORD = "Tr4nsport-Secret!";

    @TempDir
    Path dataDir;
    private Vault vault;
    private MovableClock clock;
    private TransportKeys keys;

    /** A clock the test moves forward. */
    static final class MovableClock extends Clock {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @BeforeEach
    void open() {
        vault = Vault.open(null, null, null, dataDir, MasterKey.load(null, dataDir.resolve("master.key")), 2);
        clock = new MovableClock();
        keys = new TransportKeys(new TransportKeyRepository(vault.unitOfWork(), vault.audit(), vault.credentials().crypto()),
                Duration.ofHours(24), clock);
    }

    @AfterEach
    void close() {
        vault.close();
    }

    static String encrypt(String publicKeyBase64, byte[] plain) throws Exception {
        PublicKey key = KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(publicKeyBase64)));
        Cipher cipher = Cipher.getInstance("RSA/ECB/PKCS1Padding");
        cipher.init(Cipher.ENCRYPT_MODE, key);
        return Base64.getEncoder().encodeToString(cipher.doFinal(plain));
    }

    @Test
    void theServedKeyIsRsa3072AndDecryptsWhatItsPublicKeyEncrypted() throws Exception {
        TransportKey key = keys.served();
        RSAPublicKey rsa = (RSAPublicKey) KeyFactory.getInstance("RSA")
                .generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(key.publicKey())));
        assertThat(rsa.getModulus().bitLength()).isEqualTo(3072);
        assertThat(keys.served().id()).as("served again, not remade").isEqualTo(key.id());
        try (Secret s = keys.decrypt(key.id(), encrypt(key.publicKey(), PASSWORD.getBytes(StandardCharsets.UTF_8)))) {
            assertThat(s.reveal()).isEqualTo(PASSWORD);
        }
    }

    @Test
    void thePrivateKeyIsSealedInTheVaultNotStoredInClear() throws Exception {
        TransportKey key = keys.served();
        try (var c = vault.dataSource().getConnection();
             var s = c.prepareStatement("SELECT private_key_sealed FROM transport_keys WHERE id = ?")) {
            s.setString(1, key.id());
            try (var r = s.executeQuery()) {
                assertThat(r.next()).isTrue();
                String stored = new String(r.getBytes(1), StandardCharsets.ISO_8859_1);
                assertThat(stored).doesNotContain("MII").doesNotContain(key.publicKey().substring(0, 40));
            }
        }
    }

    @Test
    void anUnknownKeyIdGarbageAndACiphertextForAnotherKeyAreRefusedByField() throws Exception {
        TransportKey key = keys.served();
        String good = encrypt(key.publicKey(), PASSWORD.getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> keys.decrypt("bm8tc3VjaC1rZXk=", good)).hasMessageStartingWith("publicKeyId: unknown key");
        assertThatThrownBy(() -> keys.decrypt(key.id(), "%%% not base64 %%%")).hasMessage("encryptedPassword: not base64");
        var other = KeyPairGenerator.getInstance("RSA");
        other.initialize(3072);
        String otherPublic = Base64.getEncoder().encodeToString(other.generateKeyPair().getPublic().getEncoded());
        assertThatThrownBy(() -> keys.decrypt(key.id(), encrypt(otherPublic, PASSWORD.getBytes(StandardCharsets.UTF_8))))
                .isInstanceOf(PasswordManagementException.class)
                .hasMessageStartingWith("encryptedPassword: cannot be decrypted").hasMessageNotContaining(PASSWORD);
        assertThatThrownBy(() -> keys.decrypt(key.id(), encrypt(key.publicKey(), new byte[]{(byte) 0xc3, (byte) 0x28})))
                .hasMessage("encryptedPassword: the decrypted password is not UTF-8");
    }

    @Test
    void aRotatedKeyIsAcceptedForTheGracePeriodThenRefused() throws Exception {
        TransportKey old = keys.served();
        String forOld = encrypt(old.publicKey(), PASSWORD.getBytes(StandardCharsets.UTF_8));
        clock.now = clock.now.plusSeconds(60);
        TransportKey fresh = keys.rotate("test");
        assertThat(fresh.id()).isNotEqualTo(old.id());
        assertThat(keys.served().id()).isEqualTo(fresh.id());
        clock.now = clock.now.plus(Duration.ofHours(23));
        try (Secret s = keys.decrypt(old.id(), forOld)) {
            assertThat(s.reveal()).isEqualTo(PASSWORD);
        }
        clock.now = clock.now.plus(Duration.ofHours(2));
        assertThatThrownBy(() -> keys.decrypt(old.id(), forOld)).hasMessageContaining("grace period");
        assertThat(vault.audit().search(new io.rotor.vault.AuditFilter(null, null, "TRANSPORT_KEY_ROTATE", null, 100)).stream()
                .filter(r -> r.operation().equals("TRANSPORT_KEY_ROTATE")).count()).isEqualTo(2);
    }
}
