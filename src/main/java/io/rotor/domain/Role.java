package io.rotor.domain;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** What an API principal may do; the API's Permission says what each one allows. */
public enum Role {
    ADMIN, OPERATOR, AUDITOR;

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

    public static String names() {
        return Arrays.stream(values()).map(Role::configName).collect(Collectors.joining(", "));
    }
}
