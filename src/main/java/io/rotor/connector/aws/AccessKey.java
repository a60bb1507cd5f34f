package io.rotor.connector.aws;

import io.rotor.domain.Secret;

import java.util.regex.Pattern;

/**
 * An AWS access key as Rotor stores it: one secret value {@code <AccessKeyId>:<SecretAccessKey>}, e.g.
 * {@code AKIAIOSFODNN7EXAMPLE:wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY} (docs/architecture.md, "AWS IAM"). The key id
 * is not secret and may be named in details; the secret part never is.
 */
record AccessKey(String id, Secret secret) implements AutoCloseable {
    /** AKIA (long-term key) or ASIA (temporary), then 16 upper-case letters or digits. */
    static final Pattern KEY_ID = Pattern.compile("(AKIA|ASIA)[A-Z0-9]{16}");
    private static final String SHAPE = "must be <AccessKeyId>:<SecretAccessKey>, the key id AKIA or ASIA followed by"
            + " 16 upper-case letters or digits";

    /**
     * Parses a stored value. {@code field} names where it came from (the admin account, the account's CURRENT) in
     * the error, which never repeats the value.
     *
     * @throws IllegalArgumentException when the value has not that shape
     */
    static AccessKey parse(Secret value, String field) {
        if (value == null) {
            throw new IllegalArgumentException(field + ": no access key given");
        }
        char[] chars = value.chars();
        try {
            int colon = -1;
            for (int i = 0; i < chars.length; i++) {
                if (chars[i] == ':') {
                    colon = i;
                    break;
                }
            }
            if (colon < 0) {
                throw new IllegalArgumentException(field + " " + SHAPE + " (no ':' found)");
            }
            String id = new String(chars, 0, colon);
            if (!KEY_ID.matcher(id).matches()) {
                throw new IllegalArgumentException(field + ": access key id " + SHAPE);
            }
            char[] secret = java.util.Arrays.copyOfRange(chars, colon + 1, chars.length);
            if (secret.length == 0) {
                throw new IllegalArgumentException(field + " " + SHAPE + " (the secret access key is empty)");
            }
            for (char c : secret) {
                if (c <= ' ' || c == 0x7f) {
                    java.util.Arrays.fill(secret, '\0');
                    throw new IllegalArgumentException(field + ": the secret access key holds whitespace or a control character");
                }
            }
            return new AccessKey(id, Secret.of(secret));
        } finally {
            java.util.Arrays.fill(chars, '\0');
        }
    }

    /** Whether {@code value} has the stored form of an access key (a key id, a colon, a secret); null has not. */
    static boolean hasShape(Secret value) {
        if (value == null) {
            return false;
        }
        try (AccessKey ignored = parse(value, "value")) {
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** The stored form of a key that {@code CreateAccessKey} answered. */
    static Secret format(String id, String secretAccessKey) {
        return Secret.of((id + ":" + secretAccessKey).toCharArray());
    }

    @Override
    public void close() {
        secret.close();
    }

    @Override
    public String toString() {
        return "AccessKey[" + id + "]";
    }
}
