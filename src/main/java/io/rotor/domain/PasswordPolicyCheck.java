package io.rotor.domain;

import java.util.ArrayList;
import java.util.List;

/**
 * Checks a password that a person chose (not one Rotor generated) against a {@link PasswordPolicy}, and states
 * the policy as human-readable rules (SailPoint's {@code PasswordInfo.policies}). A broken rule is named by the
 * policy field it breaks; the password itself never appears in a result.
 */
public final class PasswordPolicyCheck {
    private PasswordPolicyCheck() {
    }

    /**
     * @param username the account's login, for {@code notContainUsername}; may be null
     * @return the rules the password breaks, empty when it satisfies the policy, e.g.
     * {@code "minLength: at least 12 characters"}
     */
    public static List<String> brokenRules(PasswordPolicy policy, Secret password, String username) {
        List<String> broken = new ArrayList<>();
        char[] chars = password.chars();
        try {
            int upper = 0;
            int lower = 0;
            int digit = 0;
            int symbol = 0;
            boolean excluded = false;
            boolean foreign = false;
            String symbols = policy.symbols() == null ? "" : policy.symbols();
            String excludedChars = policy.excluded() == null ? "" : policy.excluded();
            for (char c : chars) {
                if (c >= 'A' && c <= 'Z') {
                    upper++;
                } else if (c >= 'a' && c <= 'z') {
                    lower++;
                } else if (c >= '0' && c <= '9') {
                    digit++;
                } else if (symbols.indexOf(c) >= 0) {
                    symbol++;
                } else {
                    foreign = true;
                }
                if (excludedChars.indexOf(c) >= 0) {
                    excluded = true;
                }
            }
            if (SecretRules.firstControlCharacter(chars) >= 0) {
                broken.add("control characters: " + SecretRules.RULE);
            }
            if (chars.length < policy.minLength()) {
                broken.add("minLength: at least " + policy.minLength() + " characters");
            }
            if (chars.length > policy.maxLength()) {
                broken.add("maxLength: at most " + policy.maxLength() + " characters");
            }
            if (upper < policy.minUpper()) {
                broken.add("minUpper: at least " + policy.minUpper() + " upper-case letter(s)");
            }
            if (lower < policy.minLower()) {
                broken.add("minLower: at least " + policy.minLower() + " lower-case letter(s)");
            }
            if (digit < policy.minDigit()) {
                broken.add("minDigit: at least " + policy.minDigit() + " digit(s)");
            }
            if (symbol < policy.minSymbol()) {
                broken.add("minSymbol: at least " + policy.minSymbol() + " symbol(s) from the policy's symbols");
            }
            if (foreign) {
                broken.add("symbols: only letters A-Z a-z, digits and the policy's symbols are allowed");
            }
            if (excluded) {
                broken.add("excluded: none of the characters '" + excludedChars + "'");
            }
            if (policy.notContainUsername() && username != null
                    && username.length() >= PasswordGenerator.MIN_USERNAME_CHECK_LENGTH
                    && PasswordGenerator.containsIgnoreCase(chars, username)) {
                broken.add("notContainUsername: must not contain the account's username");
            }
            return broken;
        } finally {
            java.util.Arrays.fill(chars, '\0');
        }
    }

    /** The policy as rules a person reads before choosing a password. */
    public static List<String> describe(PasswordPolicy policy) {
        List<String> rules = new ArrayList<>();
        rules.add("minLength is " + policy.minLength());
        rules.add("maxLength is " + policy.maxLength());
        rules.add("minUpper is " + policy.minUpper());
        rules.add("minLower is " + policy.minLower());
        rules.add("minDigit is " + policy.minDigit());
        rules.add("minSymbol is " + policy.minSymbol());
        rules.add("symbols are " + (policy.symbols() == null ? "" : policy.symbols()));
        if (policy.excluded() != null && !policy.excluded().isEmpty()) {
            rules.add("excluded are " + policy.excluded());
        }
        if (policy.notContainUsername()) {
            rules.add("notContainUsername is true");
        }
        return rules;
    }
}
