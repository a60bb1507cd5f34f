package io.rotor.connector;

import io.rotor.domain.Secret;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * Removes secrets from text that is about to leave a connector (driver error messages, result details, dialogue
 * transcripts): every occurrence of every given secret is replaced with {@value #MASK}, and so is every occurrence
 * of the forms a target or a driver commonly echoes it in ({@link #forms}): URL-encoded (form and percent, upper-
 * and lower-case hex), JSON-escaped, base64 (standard and URL-safe, with and without padding) and hex (lower and
 * upper case) of its UTF-8 bytes. Longer forms are replaced first, so a secret that contains another one is masked
 * whole. Null and empty secrets are ignored.
 *
 * <p>Not covered (docs/architecture.md, "Security rules"): a secret's base64 inside a larger base64 blob at an
 * offset that is not a multiple of three bytes, other character sets than UTF-8, and encodings applied twice.
 */
public final class Redactor {
    public static final String MASK = "****";

    private Redactor() {
    }

    public static String redact(String text, String... secrets) {
        if (text == null || secrets == null || secrets.length == 0) {
            return text;
        }
        Set<String> all = new LinkedHashSet<>();
        for (String secret : secrets) {
            if (secret != null && !secret.isEmpty()) {
                all.addAll(forms(secret));
            }
        }
        List<String> ordered = new ArrayList<>(all);
        ordered.sort(Comparator.comparingInt(String::length).reversed());
        String result = text;
        for (String form : ordered) {
            result = result.replace(form, MASK);
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

    /** The secret itself and each encoded form of it that {@link #redact} masks (empty for a null or empty secret). */
    public static Set<String> forms(String secret) {
        Set<String> forms = new LinkedHashSet<>();
        if (secret == null || secret.isEmpty()) {
            return forms;
        }
        forms.add(secret);
        byte[] utf8 = secret.getBytes(StandardCharsets.UTF_8);

        String formEncoded = URLEncoder.encode(secret, StandardCharsets.UTF_8);
        // RFC 3986: space is %20 and only A-Z a-z 0-9 - . _ ~ stay as they are
        String percentEncoded = formEncoded.replace("+", "%20").replace("*", "%2A").replace("%7E", "~");
        for (String encoded : List.of(formEncoded, percentEncoded)) {
            forms.add(encoded);
            forms.add(lowerHexEscapes(encoded));
        }

        String json = jsonEscaped(secret, false);
        forms.add(json);
        forms.add(json.replace("/", "\\/"));
        String jsonAscii = jsonEscaped(secret, true);
        forms.add(jsonAscii);
        forms.add(jsonAscii.replace("/", "\\/"));
        forms.add(lowerHexEscapes(jsonAscii));
        forms.add(lowerHexEscapes(jsonAscii.replace("/", "\\/")));

        forms.add(Base64.getEncoder().encodeToString(utf8));
        forms.add(Base64.getEncoder().withoutPadding().encodeToString(utf8));
        forms.add(Base64.getUrlEncoder().encodeToString(utf8));
        forms.add(Base64.getUrlEncoder().withoutPadding().encodeToString(utf8));

        String hex = HexFormat.of().formatHex(utf8);
        forms.add(hex);
        forms.add(hex.toUpperCase(Locale.ROOT));
        forms.remove("");
        return forms;
    }

    /** The secret as it stands between the quotes of a JSON string; {@code asciiOnly}: non-ASCII as {@code \\uXXXX}. */
    static String jsonEscaped(String secret, boolean asciiOnly) {
        StringBuilder out = new StringBuilder(secret.length() + 8);
        for (int i = 0; i < secret.length(); i++) {
            char c = secret.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20 || (asciiOnly && c > 0x7e)) {
                        out.append(String.format("\\u%04X", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.toString();
    }

    /** {@code %2F} → {@code %2f}, {@code \\u00E9} → {@code \\u00e9}: the same escapes with lower-case hex digits. */
    private static String lowerHexEscapes(String escaped) {
        StringBuilder out = new StringBuilder(escaped.length());
        int i = 0;
        while (i < escaped.length()) {
            char c = escaped.charAt(i);
            int digits = c == '%' ? 2 : (c == '\\' && i + 1 < escaped.length() && escaped.charAt(i + 1) == 'u') ? 4 : 0;
            int start = c == '%' ? i + 1 : i + 2;
            if (digits > 0 && start + digits <= escaped.length()) {
                out.append(escaped, i, start).append(escaped.substring(start, start + digits).toLowerCase(Locale.ROOT));
                i = start + digits;
            } else {
                if (c == '\\' && i + 1 < escaped.length()) {
                    // an escape like \\ or \" : copy both characters so the second is not read as the start of one
                    out.append(c).append(escaped.charAt(i + 1));
                    i += 2;
                    continue;
                }
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }
}
