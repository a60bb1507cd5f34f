package io.rotor.domain;

import java.util.ArrayList;
import java.util.List;

/**
 * Whether a password sync group's policy can be met on one of its sources. A group's password is applied unchanged
 * to every member source, so the group policy must allow at least one password each source takes: the source's own
 * policy (when its target names one, the administrator's statement of what it accepts) bounds the length and the
 * symbols; without one, the connector's default policy says which symbols the target takes literally (a network
 * device's command line drops {@code ?}), and the length is not bounded.
 */
public final class PolicyFit {
    private PolicyFit() {
    }

    /** What a source accepts: the longest password and the symbols it takes. */
    public record Capability(String source, int maxLength, String symbols) {
        /** From the source's own policy: its maximum length and its symbols minus its excluded characters. */
        public static Capability ofSourcePolicy(String source, PasswordPolicy policy) {
            return new Capability(source, policy.maxLength(), allowedSymbols(policy));
        }

        /** From the connector's default: its symbols only (the default lengths are a choice, not a limit). */
        public static Capability ofConnectorDefault(String source, PasswordPolicy connectorDefault) {
            return new Capability(source, Integer.MAX_VALUE, allowedSymbols(connectorDefault));
        }
    }

    /** @return why {@code group} cannot be met on the source, one sentence per rule; empty when it can */
    public static List<String> conflicts(PasswordPolicy group, Capability source) {
        List<String> out = new ArrayList<>();
        if (group.minLength() > source.maxLength()) {
            out.add("source '" + source.source() + "' takes passwords of at most " + source.maxLength()
                    + " characters, but policy '" + group.id() + "' requires at least " + group.minLength());
        }
        if (group.minSymbol() > 0) {
            String usable = allowedSymbols(group).chars()
                    .filter(c -> source.symbols().indexOf(c) >= 0)
                    .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
            if (usable.isEmpty()) {
                out.add("policy '" + group.id() + "' requires a symbol, but none of its symbols is accepted by source '"
                        + source.source() + "'");
            }
        }
        return out;
    }

    private static String allowedSymbols(PasswordPolicy policy) {
        String excluded = policy.excluded() == null ? "" : policy.excluded();
        StringBuilder out = new StringBuilder();
        policy.symbols().chars().filter(c -> excluded.indexOf(c) < 0).forEach(out::appendCodePoint);
        return out.toString();
    }
}
