package io.rotor.connector.ssh;

import io.rotor.domain.Secret;
import io.rotor.domain.SecretRules;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The values a dialogue's {@code %%name%%} placeholders stand for. Plain values (logins, host) and secrets
 * (everything the transcript must never show) are kept apart. Well-known names: {@code account_login},
 * {@code account_secret}, {@code account_new_secret}, {@code admin_login}, {@code admin_secret}.
 */
public final class Placeholders {
    public static final String ACCOUNT_LOGIN = "account_login";
    public static final String ACCOUNT_SECRET = "account_secret";
    public static final String ACCOUNT_NEW_SECRET = "account_new_secret";
    public static final String ADMIN_LOGIN = "admin_login";
    public static final String ADMIN_SECRET = "admin_secret";
    /** A network device's enable secret (target setting {@code enableSecretAccount}). */
    public static final String ENABLE_SECRET = "enable_secret";
    /** The same value under PMP's other name for it. */
    public static final String ENABLE_PASSWORD = "enable_password";
    /** The public half of a new SSH key (not secret; it carries the new credential all the same). */
    public static final String ACCOUNT_NEW_PUBLIC_KEY = "account_new_public_key";

    static final Pattern PLACEHOLDER = Pattern.compile("%%([A-Za-z0-9_]+)%%");

    private final Map<String, String> plain = new LinkedHashMap<>();
    private final Map<String, Secret> secrets = new LinkedHashMap<>();

    public Placeholders plain(String name, String value) {
        if (value != null) {
            plain.put(name, value);
        }
        return this;
    }

    public Placeholders secret(String name, Secret value) {
        if (value != null) {
            secrets.put(name, value);
        }
        return this;
    }

    public boolean isSecret(String name) {
        return secrets.containsKey(name);
    }

    /** The secrets' values, for redaction. */
    String[] secretValues() {
        return secrets.values().stream().map(Secret::reveal).toArray(String[]::new);
    }

    /**
     * Substitutes every placeholder of {@code template}.
     *
     * @throws IllegalArgumentException naming the placeholder when it has no value or its value holds a control
     *                                  character ({@link SecretRules#isControl}; never the value itself)
     */
    String substitute(String template) {
        Matcher m = PLACEHOLDER.matcher(template);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String name = m.group(1);
            String value = value(name);
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** The template with only the plain placeholders substituted: secrets stay {@code %%name%%}. */
    String redactedForm(String template) {
        Matcher m = PLACEHOLDER.matcher(template);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String name = m.group(1);
            m.appendReplacement(out, Matcher.quoteReplacement(secrets.containsKey(name) || !plain.containsKey(name)
                    ? m.group() : plain.get(name)));
        }
        m.appendTail(out);
        return out.toString();
    }

    static boolean mentions(String template, String name) {
        return template.contains("%%" + name + "%%");
    }

    private String value(String name) {
        String value;
        if (secrets.containsKey(name)) {
            value = secrets.get(name).reveal();
        } else if (plain.containsKey(name)) {
            value = plain.get(name);
        } else {
            throw new IllegalArgumentException("%%" + name + "%% has no value");
        }
        int at = SecretRules.firstControlCharacter(value);
        if (at >= 0) {
            throw new IllegalArgumentException("the value of %%" + name + "%% contains "
                    + SecretRules.describe(value.charAt(at)) + " at position " + (at + 1)
                    + "; control characters are never sent to a dialogue (on a terminal they edit the line)");
        }
        return value;
    }
}
