package io.rotor.domain;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * What an API principal may do; the API's Permission says what each one allows. IDENTITY is the role of a
 * personal token bound to one vault user (password self-service only); it is never offered as an assignable role.
 */
public enum Role {
    ADMIN, OPERATOR, AUDITOR, IDENTITY;

    /** The spelling used on the command line, in the database and in JSON: {@code admin}, {@code operator}, {@code auditor}. */
    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * @throws IllegalArgumentException naming the accepted values
     */
    public static Role parse(String text) {
        if (text != null) {
            for (Role role : values()) {
                if (role.configName().equals(text.trim().toLowerCase(Locale.ROOT))) {
                    return role;
                }
            }
        }
        throw new IllegalArgumentException("role must be one of " + names());
    }

    /** The roles a token or service account may be given by name (IDENTITY comes only with a bound identity). */
    public static String names() {
        return Arrays.stream(values()).filter(r -> r != IDENTITY).map(Role::configName).collect(Collectors.joining(", "));
    }
}
