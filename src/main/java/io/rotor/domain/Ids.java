package io.rotor.domain;

import java.util.regex.Pattern;

/**
 * The one id rule of Rotor: ids of policies, targets, accounts, users, groups, templates and attribute names are 1 to
 * 128 letters, digits, {@code _ . -}, starting with a letter or digit. Anything that checks an id points here, so the
 * rule and the messages that quote it cannot drift apart.
 */
public final class Ids {
    public static final String ID_REGEX = "[A-Za-z0-9][A-Za-z0-9_.-]{0,127}";
    public static final Pattern ID_PATTERN = Pattern.compile(ID_REGEX);

    private Ids() {
    }

    /** Whether {@code value} is a well-formed id (null is not). */
    public static boolean isId(String value) {
        return value != null && ID_PATTERN.matcher(value).matches();
    }
}
