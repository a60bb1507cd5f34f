package io.rotor.connector;

import io.rotor.domain.Secret;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * Removes secrets from text that is about to leave a connector (driver error messages, result details):
 * every occurrence of every given secret is replaced with {@value #MASK}. Longer secrets are replaced first,
 * so a secret that contains another one is masked whole. Null and empty secrets are ignored.
 */
public final class Redactor {
    public static final String MASK = "****";

    private Redactor() {
    }

    public static String redact(String text, String... secrets) {
        if (text == null || secrets == null || secrets.length == 0) {
            return text;
        }
        List<String> ordered = new ArrayList<>(secrets.length);
        for (String secret : secrets) {
            if (secret != null && !secret.isEmpty()) {
                ordered.add(secret);
            }
        }
        ordered.sort(Comparator.comparingInt(String::length).reversed());
        String result = text;
        for (String secret : ordered) {
            result = result.replace(secret, MASK);
        }
        return result;
    }

    /** Same as {@link #redact(String, String...)} for {@link Secret}s; null secrets are ignored. */
    public static String redact(String text, Secret... secrets) {
        if (text == null || secrets == null) {
            return text;
        }
        return redact(text, java.util.Arrays.stream(secrets).filter(Objects::nonNull).map(Secret::reveal)
                .toArray(String[]::new));
    }
}
