package io.rotor.connector.https;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.rotor.domain.Secret;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;

/**
 * Request bodies that carry a secret, built as bytes the caller wipes after sending ({@link HttpsCaller#send} does),
 * never as a String that would outlive the call. A secret travels only in a body: never in a URI, a header other
 * than the token one, or a message.
 */
public final class SecretBodies {
    private static final JsonFactory JSON = new JsonFactory();

    private SecretBodies() {
    }

    /** Writes JSON with {@code writer}; secrets go in with {@link #writeSecret}. */
    public static byte[] json(JsonWriter writer) {
        WipeableBuffer out = new WipeableBuffer();
        try {
            try (JsonGenerator g = JSON.createGenerator(out)) {
                writer.write(g);
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot build a request body", e);
        } finally {
            out.wipe();
        }
    }

    /** Writes {@code secret} as a JSON string value, from a copy of its characters that is wiped at once. */
    public static void writeSecret(JsonGenerator g, Secret secret) throws IOException {
        char[] chars = secret.chars();
        try {
            g.writeString(chars, 0, chars.length);
        } finally {
            Arrays.fill(chars, '\0');
        }
    }

    /**
     * An {@code application/x-www-form-urlencoded} body; each value is a String or a {@link Secret}, percent-encoded
     * from its UTF-8 bytes (RFC 3986 unreserved characters kept as they are).
     */
    public static byte[] form(Map<String, ?> fields) {
        WipeableBuffer out = new WipeableBuffer();
        try {
            boolean first = true;
            for (Map.Entry<String, ?> field : fields.entrySet()) {
                if (!first) {
                    out.write('&');
                }
                first = false;
                encode(out, field.getKey().getBytes(StandardCharsets.UTF_8));
                out.write('=');
                Object value = field.getValue();
                byte[] bytes = value instanceof Secret secret ? secret.utf8() : String.valueOf(value).getBytes(StandardCharsets.UTF_8);
                try {
                    encode(out, bytes);
                } finally {
                    Arrays.fill(bytes, (byte) 0);
                }
            }
            return out.toByteArray();
        } finally {
            out.wipe();
        }
    }

    private static void encode(ByteArrayOutputStream out, byte[] bytes) {
        final String hex = "0123456789ABCDEF";
        for (byte b : bytes) {
            int c = b & 0xff;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~') {
                out.write(c);
            } else {
                out.write('%');
                out.write(hex.charAt(c >> 4));
                out.write(hex.charAt(c & 15));
            }
        }
    }

    /** Writes one JSON document. */
    @FunctionalInterface
    public interface JsonWriter {
        void write(JsonGenerator g) throws IOException;
    }

    /** A buffer whose internal array can be wiped, so the only copy left is the one returned. */
    private static final class WipeableBuffer extends ByteArrayOutputStream {
        void wipe() {
            Arrays.fill(buf, (byte) 0);
        }
    }
}
