package io.rotor.domain;

import java.util.Locale;

/**
 * What the vault stores of a user-defined password changer (a dialogue of expected prompts and input lines): the
 * fields of the Fudo API's {@code PasswordChangerModel}, with {@code type} (change|verify) and {@code transport}
 * (SSH, Telnet, LDAP, WinRM) in their wire spelling and the variables and commands as the JSON arrays the API
 * spells. It holds no secret: inputs name secrets only as {@code %%placeholders%%}.
 */
public record ChangerDefinition(String name, String type, String transport, int timeoutSeconds, boolean pty,
                                String variablesJson, String commandsJson) {

    /** Names are unique regardless of case: the trimmed, lower-case name is the key compared. */
    public String nameKey() {
        return nameKey(name);
    }

    public static String nameKey(String name) {
        return name.trim().toLowerCase(Locale.ROOT);
    }
}
