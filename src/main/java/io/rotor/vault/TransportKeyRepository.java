package io.rotor.vault;

import io.rotor.domain.Secret;
import io.rotor.domain.passwords.TransportKey;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.List;
import java.util.Optional;

/**
 * The transport key pairs of the password self-service (table {@code transport_keys}). The private key is sealed
 * with the vault keyset ({@link VaultCrypto}) under the associated data of its own id, so a sealed key copied to
 * another row never opens; it is opened only to decrypt one request, in memory. Storing a new key retires the
 * served one in the same transaction, with its audit record.
 */
public final class TransportKeyRepository {
    private static final String SELECT = "SELECT id, public_key, created_at, created_by, retired_at FROM transport_keys";

    private final UnitOfWork work;
    private final AuditLog audit;
    private final VaultCrypto crypto;

    public TransportKeyRepository(UnitOfWork work, AuditLog audit, VaultCrypto crypto) {
        this.work = work;
        this.audit = audit;
        this.crypto = crypto;
    }

    /**
     * Stores a new served key and retires the one served until now (the retired one stays readable for its grace
     * period). The key's {@code createdAt} is also the previous key's retirement time: the caller's clock decides
     * both, so the grace period is measured on one clock.
     *
     * @param privateKey the PKCS#8 private key in base64; sealed here, never stored in clear
     */
    public void store(TransportKey key, Secret privateKey, String actor) {
        byte[] sealed = crypto.encrypt(sealingName(key.id()), 0, privateKey);
        work.useTransaction(h -> {
            Timestamp now = Timestamp.from(key.createdAt());
            int retired = h.createUpdate("UPDATE transport_keys SET retired_at = :now WHERE retired_at IS NULL")
                    .bind("now", now).execute();
            h.createUpdate("INSERT INTO transport_keys (id, public_key, private_key_sealed, created_at, created_by)"
                            + " VALUES (:id, :publicKey, :sealed, :now, :actor)")
                    .bind("id", key.id()).bind("publicKey", key.publicKey()).bind("sealed", sealed).bind("now", now)
                    .bind("actor", actor)
                    .execute();
            audit.write(h, AuditRecord.of(actor, "TRANSPORT_KEY_ROTATE", null, null, null, "SUCCEEDED",
                    "transport key '" + key.id() + "' created" + (retired > 0 ? "; " + retired + " older key(s) retired" : "")));
        });
    }

    /** The key served to clients now: the newest one not retired. */
    public Optional<TransportKey> served() {
        return work.read(h -> h.createQuery(SELECT + " WHERE retired_at IS NULL ORDER BY created_at DESC, id")
                .map((r, ctx) -> key(r)).findFirst());
    }

    public Optional<TransportKey> find(String id) {
        return work.read(h -> h.createQuery(SELECT + " WHERE id = :id").bind("id", id).map((r, ctx) -> key(r)).findFirst());
    }

    public List<TransportKey> list() {
        return work.read(h -> h.createQuery(SELECT + " ORDER BY created_at, id").map((r, ctx) -> key(r)).list());
    }

    /** Opens the sealed private key (PKCS#8, base64); the caller closes the secret as soon as it has used it. */
    public Secret privateKey(String id) {
        byte[] sealed = work.read(h -> h.createQuery("SELECT private_key_sealed FROM transport_keys WHERE id = :id")
                .bind("id", id).mapTo(byte[].class).findFirst())
                .orElseThrow(() -> new VaultException("no transport key has the id '" + id + "'"));
        return crypto.decrypt(sealingName(id), 0, sealed);
    }

    private static String sealingName(String id) {
        return "transport-key:" + id;
    }

    private static TransportKey key(ResultSet r) throws SQLException {
        Timestamp retired = r.getTimestamp(5);
        return new TransportKey(r.getString(1), r.getString(2), r.getTimestamp(3).toInstant(), r.getString(4),
                retired == null ? null : retired.toInstant());
    }
}
