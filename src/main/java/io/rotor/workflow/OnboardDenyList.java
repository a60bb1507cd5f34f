package io.rotor.workflow;

import io.rotor.connector.LoginFacts;
import io.rotor.domain.Target;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Which logins mass-onboard may put under management. Onboarding resets a login's password, so a superuser, a
 * system account or the account Rotor itself reaches the target through must never be onboarded by accident (see
 * docs/architecture.md, "Security rules"). The rules, applied to every candidate of every run:
 * <ol>
 *   <li>the target's own accounts (its admin account, {@code loginAccount}, {@code enableSecretAccount}) are
 *       always refused: they are managed through their own entries, and resetting them in the middle of an
 *       onboarding would lock Rotor out of the target;</li>
 *   <li>privileged logins, as discovery reports them (PostgreSQL SUPERUSER, REPLICATION, BYPASSRLS, CREATEROLE,
 *       server-file roles; MariaDB SUPER, GRANT OPTION, CREATE USER);</li>
 *   <li>Unix uid 0, uid below {@value #FIRST_ORDINARY_UID} (system accounts), {@code nobody} (65534) and the
 *       overflow uids; a Unix login discovered without a uid is refused too, since nothing shows it is ordinary;</li>
 *   <li>built-in names: {@code root} everywhere; {@code postgres} and {@code pg_*} on PostgreSQL; {@code mysql.*},
 *       {@code mariadb.sys} and {@code debian-sys-maint} on MariaDB/MySQL; on Active Directory {@code Administrator},
 *       {@code Guest}, {@code krbtgt} (and {@code krbtgt_*}), {@code DefaultAccount}, {@code WDAGUtilityAccount} and
 *       machine or trust accounts (ending in {@code $}).</li>
 * </ol>
 * Rules 2–4 can be overridden for one target by an admin, and only there: the target setting
 * {@value #ALLOW_SETTING} lists login names (separated by {@code ;}) that may be onboarded anyway. The decision
 * then says which rule was overridden, so the dry run shows it. Names compare without regard to case.
 */
public final class OnboardDenyList {
    /** Target setting: login names (separated by ';') that rules 2–4 do not refuse on this target. */
    public static final String ALLOW_SETTING = "onboarding.allow";
    public static final long FIRST_ORDINARY_UID = 1000;
    private static final long NOBODY_UID = 65534;
    private static final long OVERFLOW_UID = 4294967294L;

    private final String type;
    private final Set<String> own;
    private final Set<String> allowed;

    private OnboardDenyList(String type, Set<String> own, Set<String> allowed) {
        this.type = type == null ? "" : type.toLowerCase(Locale.ROOT);
        this.own = own;
        this.allowed = allowed;
    }

    /**
     * @param target       the target whose logins are screened (its type and its {@value #ALLOW_SETTING} setting)
     * @param ownUsernames the usernames of the target's own accounts (admin, login, enable-secret account)
     */
    public static OnboardDenyList of(Target target, Collection<String> ownUsernames) {
        Set<String> own = new LinkedHashSet<>();
        ownUsernames.forEach(u -> {
            if (u != null) {
                own.add(fold(u));
            }
        });
        return new OnboardDenyList(target.type(), own, allowList(target.setting(ALLOW_SETTING, null)));
    }

    /** The names of a {@value #ALLOW_SETTING} value: split at ';', trimmed, empty entries dropped. */
    static Set<String> allowList(String setting) {
        Set<String> names = new LinkedHashSet<>();
        if (setting != null) {
            for (String name : setting.split(";")) {
                if (!name.isBlank()) {
                    names.add(fold(name.strip()));
                }
            }
        }
        return names;
    }

    /** What onboarding may do with one login: {@code onboard}, and the reason (refused, or a rule overridden). */
    public record Decision(boolean onboard, String reason) {
        static Decision ok() {
            return new Decision(true, null);
        }
    }

    /**
     * Decides for one login.
     *
     * @param username   the login name (or DN) on the target
     * @param facts      what discovery learned about it; null when it was not discovered in this run (a login
     *                   already in the vault), so that only the name rules apply
     */
    public Decision decide(String username, LoginFacts facts) {
        String name = fold(username);
        if (own.contains(name)) {
            return new Decision(false, "the target's own admin or login account: Rotor reaches the target through it;"
                    + " it is rotated through its own entry and is never onboarded");
        }
        List<String> rules = rulesMatched(username, facts);
        if (rules.isEmpty()) {
            return Decision.ok();
        }
        if (allowed.contains(name)) {
            return new Decision(true, "allowed by target setting " + ALLOW_SETTING + " despite: " + String.join("; ", rules));
        }
        return new Decision(false, String.join("; ", rules) + " (an admin may allow it with target setting "
                + ALLOW_SETTING + ")");
    }

    private List<String> rulesMatched(String username, LoginFacts facts) {
        List<String> rules = new ArrayList<>();
        if (facts != null && !facts.privileges().isEmpty()) {
            rules.add("privileged on the target: " + String.join(", ", facts.privileges()));
        }
        boolean unix = type.equals("ssh") || type.equals("unix");
        if (facts != null && facts.uid() != null) {
            long uid = facts.uid();
            if (uid == 0) {
                rules.add("uid 0 (superuser)");
            } else if (uid < FIRST_ORDINARY_UID) {
                rules.add("system account (uid " + uid + " < " + FIRST_ORDINARY_UID + ")");
            } else if (uid == NOBODY_UID || uid >= OVERFLOW_UID) {
                rules.add("unprivileged placeholder account (uid " + uid + ")");
            }
        } else if (facts != null && unix) {
            rules.add("uid unknown: discovery could not show it is an ordinary user");
        }
        String builtIn = builtIn(username);
        if (builtIn != null) {
            rules.add(builtIn);
        }
        return rules;
    }

    /** Why a name is a built-in account of this kind of target, or null. */
    private String builtIn(String username) {
        String name = fold(username);
        if (name.equals("root")) {
            return "built-in superuser name 'root'";
        }
        switch (type) {
            case "postgresql" -> {
                if (name.equals("postgres")) {
                    return "built-in PostgreSQL superuser 'postgres'";
                }
                if (name.startsWith("pg_")) {
                    return "reserved PostgreSQL role name (pg_*)";
                }
            }
            case "mariadb", "mysql" -> {
                if (name.startsWith("mysql.") || name.equals("mariadb.sys") || name.equals("debian-sys-maint")) {
                    return "built-in " + type + " system account";
                }
            }
            case "ssh", "unix" -> {
                if (name.equals("nobody")) {
                    return "built-in placeholder account 'nobody'";
                }
            }
            case "activedirectory" -> {
                String account = firstRdnValue(name);
                if (Set.of("administrator", "guest", "krbtgt", "defaultaccount", "wdagutilityaccount").contains(account)
                        || account.startsWith("krbtgt_")) {
                    return "Active Directory built-in account";
                }
                if (account.endsWith("$")) {
                    return "Active Directory machine or trust account (name ends in $)";
                }
            }
            default -> {
            }
        }
        return null;
    }

    /** {@code cn=administrator,cn=users,...} → {@code administrator}; a plain name stays as it is. */
    private static String firstRdnValue(String name) {
        int equals = name.indexOf('=');
        if (equals < 0) {
            return name;
        }
        int end = name.indexOf(',', equals);
        return name.substring(equals + 1, end < 0 ? name.length() : end).strip();
    }

    private static String fold(String name) {
        return name.toLowerCase(Locale.ROOT);
    }
}
