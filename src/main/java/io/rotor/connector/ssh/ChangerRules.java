package io.rotor.connector.ssh;

import io.rotor.domain.Secret;

/** What a changer must satisfy before a terminal connector plays it. Messages never hold a secret. */
final class ChangerRules {
    private ChangerRules() {
    }

    /**
     * Why {@code changer} cannot run over {@code over} (SSH or Telnet), or null. A changer runs over the transport
     * it declares; the built-ins are terminal dialogues that run over both SSH and Telnet. LDAP and WinRM changers
     * never run over a terminal. A verifier is not a changer.
     */
    static String problem(PasswordChanger changer, PasswordChanger.Transport over) {
        if (changer.type() != PasswordChanger.Type.CHANGE) {
            return "password changer '" + changer.name() + "' is a verifier, not a changer";
        }
        PasswordChanger.Transport declared = changer.transport();
        boolean terminal = declared == PasswordChanger.Transport.SSH || declared == PasswordChanger.Transport.TELNET;
        if (declared == over || (changer.builtin() && terminal)) {
            return null;
        }
        return "password changer '" + changer.name() + "' declares transport " + declared.wireName()
                + " and cannot run over " + over.wireName() + "; nothing was sent";
    }

    /**
     * Why a network device could not take {@code next} as typed, or null: its CLI treats {@code ?} as the help key
     * (the character never reaches the configuration, so the device would set a different password than the vault
     * holds), and it trims a leading or trailing space. The message names the rule, never the value.
     */
    static String deviceValueProblem(PasswordChanger changer, Secret next) {
        if (next == null || !BuiltinChangers.isNetworkDevice(changer)) {
            return null;
        }
        char[] c = next.chars();
        try {
            for (char x : c) {
                if (x == '?') {
                    return "the new password holds '?', which the command line of '" + changer.name()
                            + "' takes as its help key (the device would set a different password); give the target a"
                            + " policy without '?' (the device default policy has none); nothing was sent";
                }
            }
            if (c.length > 0 && (c[0] == ' ' || c[c.length - 1] == ' ')) {
                return "the new password starts or ends with a space, which the command line of '" + changer.name()
                        + "' drops; give the target a policy without spaces; nothing was sent";
            }
            return null;
        } finally {
            java.util.Arrays.fill(c, '\0');
        }
    }
}
