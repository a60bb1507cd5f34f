package io.rotor.connector.ssh;

import io.rotor.connector.Elevation;
import io.rotor.connector.Login;
import io.rotor.domain.Secret;
import io.rotor.domain.Target;

import java.util.Locale;

/**
 * How an admin change reaches a Unix host or a device over a terminal (SSH or telnet): whose session runs it and
 * which changer plays there. The rule that decides it: privileges are raised ({@code sudo}, {@code su},
 * {@code enable}) only in the session of a login Rotor controls, never in the session of the account being
 * rotated, whose owner controls its shell ({@code ~/.bashrc} can define a {@code su} function that keeps the
 * password it is given).
 *
 * <ul>
 *   <li>{@code adminMethod: sudo} (default): the admin account logs in and runs {@code adminChanger} (default
 *       {@value BuiltinChangers#UNIX_SUDO}); sudo asks for the admin's own password. Network devices use this path
 *       too, with a device changer as {@code adminChanger}: the admin account is the device's login account.</li>
 *   <li>{@code adminMethod: su}: the login account (target setting {@code loginAccount}, a vault account; default
 *       the admin account itself) logs in; from there {@code su -} to the admin (root or another uid-0 name) with
 *       its password ({@value BuiltinChangers#UNIX_SU}). When the login account is the admin itself, no su is
 *       needed: {@value BuiltinChangers#UNIX_ROOT}. The login account's own rotation is a self-change in its own
 *       session, which is Rotor's.</li>
 * </ul>
 *
 * @param session     who logs in (null when refused)
 * @param changer     the changer's name
 * @param selfChange  the session is the rotated account's own (only for the login account itself)
 * @param refusal     why nothing can be sent, or null
 */
record AdminPlan(Login session, String changer, boolean selfChange, String refusal) {
    static final String SUDO = "sudo";
    static final String SU = "su";

    static AdminPlan refused(String why) {
        return new AdminPlan(null, null, false, why);
    }

    boolean isRefused() {
        return refusal != null;
    }

    static String method(Target target) {
        return target.setting("adminMethod", SUDO).trim().toLowerCase(Locale.ROOT);
    }

    /**
     * @param username  the account being changed
     * @param current   its current credential, when known (only a self-change of the login account uses it)
     * @param admin     the target's admin login (not null)
     * @param elevation the login account, when the target names one
     */
    static AdminPlan of(Target target, String username, Secret current, Login admin, Elevation elevation) {
        String method = method(target);
        String adminChanger = target.setting("adminChanger", null);
        switch (method) {
            case SUDO -> {
                return new AdminPlan(admin, adminChanger != null ? adminChanger : BuiltinChangers.UNIX_SUDO, false, null);
            }
            case SU -> {
                Login login = elevation.loginAccount() != null ? elevation.loginAccount() : admin;
                if (login.username().equals(username)) {
                    // the login account itself: its session is Rotor's, so it changes its own password there
                    if (current == null) {
                        return refused("account " + username + " is the target's login account and its current"
                                + " credential is not known; it can only change its own password");
                    }
                    return new AdminPlan(new Login(username, current), SshConnector.selfChanger(target), true, null);
                }
                boolean loggedInAsAdmin = login.username().equals(admin.username());
                String changer = adminChanger != null ? adminChanger
                        : loggedInAsAdmin ? BuiltinChangers.UNIX_ROOT : BuiltinChangers.UNIX_SU;
                return new AdminPlan(login, changer, false, null);
            }
            default -> {
                return refused("target '" + target.id() + "': adminMethod must be sudo or su, not '" + method + "'");
            }
        }
    }
}
