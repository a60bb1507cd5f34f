package io.rotor.vault;

import com.google.crypto.tink.subtle.Hkdf;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * The MAC of a vault row that grants power (a target's connection settings, an API token, a service account),
 * so that a row written or edited in the database by anyone but Rotor is refused (docs/architecture.md,
 * "Row MACs").
 *
 * <p>The key is derived from the {@link MasterKey} with HKDF-SHA256 (its own {@code info}, so it is independent
 * of the keyset encryption key) and lives only in memory: the database never holds it. The MAC is HMAC-SHA256
 * over a canonical form: the table name, then every field in a fixed order, each as a presence byte and a
 * length-prefixed UTF-8 value, so that no two different rows (null vs empty, a value moved across a field
 * boundary, the same fields in another table) have the same input.
 */
public final class RowSeal {
    private static final byte[] INFO = "rotor:row-mac:v1".getBytes(StandardCharsets.UTF_8);
    private static final HexFormat HEX = HexFormat.of();

    private final SecretKeySpec key;

    private RowSeal(byte[] key) {
        this.key = new SecretKeySpec(key, "HmacSHA256");
    }

    /** The row MAC key of this master key. */
    public static RowSeal of(MasterKey masterKey) {
        byte[] raw = masterKey.bytes();
        try {
            byte[] derived = Hkdf.computeHkdf("HMACSHA256", raw, new byte[0], INFO, 32);
            try {
                return new RowSeal(derived);
            } finally {
                Arrays.fill(derived, (byte) 0);
            }
        } catch (GeneralSecurityException e) {
            throw new VaultException("cannot derive the row MAC key: " + e.getMessage(), e);
        } finally {
            Arrays.fill(raw, (byte) 0);
        }
    }

    /** The MAC (lower-case hex, 64 characters) of a row of {@code table} with these fields, in this order. */
    public String mac(String table, String... fields) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return HEX.formatHex(mac.doFinal(canonical(table, fields)));
        } catch (GeneralSecurityException e) {
            throw new VaultException("cannot compute a row MAC: " + e.getMessage(), e);
        }
    }

    /** True when {@code stored} is the MAC of these fields (constant-time); false for a null or malformed one. */
    public boolean matches(String stored, String table, String... fields) {
        if (stored == null) {
            return false;
        }
        return MessageDigest.isEqual(stored.getBytes(StandardCharsets.US_ASCII),
                mac(table, fields).getBytes(StandardCharsets.US_ASCII));
    }

    static byte[] canonical(String table, String... fields) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        field(out, table);
        int count = fields.length;
        out.write(count >>> 8);
        out.write(count);
        for (String field : fields) {
            field(out, field);
        }
        return out.toByteArray();
    }

    private static void field(ByteArrayOutputStream out, String value) {
        if (value == null) {
            out.write(0);
            return;
        }
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        out.write(1);
        out.write(bytes.length >>> 24);
        out.write(bytes.length >>> 16);
        out.write(bytes.length >>> 8);
        out.write(bytes.length);
        out.writeBytes(bytes);
    }

    @Override
    public String toString() {
        return "RowSeal[HMAC-SHA256]";
    }
}
