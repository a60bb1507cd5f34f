package io.rotor.domain;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How vault accounts are created on a vault target (the seed's {@code --vault-template-id}).
 *
 * <p>{@code namePattern} gives the vault account's name from its backing account: literal letters, digits,
 * {@code _ . -} and the placeholders {@code {target}} (backing target id), {@code {username}} (backing
 * username) and {@code {account}} (backing account id), e.g. {@code {target}-{username}}. It must hold
 * {@code {username}} or {@code {account}}, otherwise every vault account would get the same name.
 *
 * <p>{@code attributes} are default attribute values (e.g. a default user group under the group attribute)
 * merged with the per-account link, association and group values. Values form a set: they are kept sorted and
 * without duplicates.
 */
public record VaultTemplate(String id, String vaultTargetId, String namePattern, Map<String, List<String>> attributes) {
    public static final List<String> PLACEHOLDERS = List.of("{target}", "{username}", "{account}");
    private static final Pattern TOKEN = Pattern.compile("\\{[^{}]*}|[A-Za-z0-9_.-]+");
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{(target|username|account)}");
    private static final Pattern ID_UNSAFE = Pattern.compile("[^A-Za-z0-9_.-]");

    public VaultTemplate {
        Map<String, List<String>> copy = new TreeMap<>();
        if (attributes != null) {
            attributes.forEach((name, values) -> copy.put(name,
                    values == null ? List.of() : List.copyOf(new TreeSet<>(values))));
        }
        attributes = Collections.unmodifiableMap(copy);
    }

    /** What is wrong with a name pattern, or empty when it is usable. */
    public static Optional<String> patternProblem(String pattern) {
        if (pattern == null || pattern.isBlank()) {
            return Optional.of("must not be blank");
        }
        if (pattern.length() > 255) {
            return Optional.of("must be at most 255 characters (is " + pattern.length() + ")");
        }
        Matcher m = TOKEN.matcher(pattern);
        int at = 0;
        boolean varies = false;
        while (at < pattern.length()) {
            if (!m.find(at) || m.start() != at) {
                return Optional.of("may hold only letters, digits, _ . - and the placeholders " + PLACEHOLDERS
                        + " (bad character at index " + at + ")");
            }
            String token = m.group();
            if (token.startsWith("{")) {
                if (!PLACEHOLDERS.contains(token)) {
                    return Optional.of("has an unknown placeholder at index " + at + "; use " + PLACEHOLDERS);
                }
                varies |= !token.equals("{target}");
            }
            at = m.end();
        }
        if (!varies) {
            return Optional.of("must contain {username} or {account}, else every vault account gets the same name");
        }
        return Optional.empty();
    }

    /** The vault account name for a backing account: the pattern with its placeholders replaced. */
    public String expand(String backingTargetId, String backingUsername, String backingAccountId) {
        // one pass, so that a placeholder inside a substituted value is not expanded again
        Matcher m = PLACEHOLDER.matcher(namePattern);
        StringBuilder name = new StringBuilder();
        while (m.find()) {
            String value = switch (m.group()) {
                case "{target}" -> backingTargetId;
                case "{username}" -> backingUsername;
                case "{account}" -> backingAccountId;
                default -> m.group();
            };
            m.appendReplacement(name, Matcher.quoteReplacement(value));
        }
        m.appendTail(name);
        return name.toString();
    }

    /**
     * The account id for a vault account name: the name itself with every character outside
     * {@code A-Z a-z 0-9 _ . -} replaced by {@code _} (a backing username may hold {@code $}, for instance).
     */
    public static String accountIdFor(String name) {
        return ID_UNSAFE.matcher(name).replaceAll("_");
    }

    /** The default values of one attribute, empty when the template gives none. */
    public List<String> defaults(String attribute) {
        return attributes.getOrDefault(attribute, List.of());
    }

    /** Attribute names the template sets, in order. */
    public List<String> attributeNames() {
        return new ArrayList<>(attributes.keySet());
    }
}
