package io.rotor.camel.route;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.Arrays;

/**
 * A request body that holds a secret (rendered by {@link RouteBodies}). It prints as a mask, so Camel's tracer,
 * message history and error log show {@code ****}; a producer that sends it (camel-http) reads it as an
 * {@link InputStream} through the type converter {@link RouteBodies} registers. It is not a stream itself, so
 * stream caching never copies it into a cache that the tracer would print. Wiped when the exchange completes.
 */
public final class SecretBody {
    private final byte[] bytes;
    private final String contentType;

    SecretBody(byte[] bytes, String contentType) {
        this.bytes = bytes;
        this.contentType = contentType;
    }

    public String contentType() {
        return contentType;
    }

    /** A fresh stream over the bytes, for the producer that sends them. */
    public InputStream openStream() {
        return new ByteArrayInputStream(bytes);
    }

    public int length() {
        return bytes.length;
    }

    void wipe() {
        Arrays.fill(bytes, (byte) 0);
    }

    @Override
    public String toString() {
        return "****";
    }
}
