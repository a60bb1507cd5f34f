package io.rotor.connector;

import java.util.Set;
import java.util.TreeSet;

/**
 * What discovery learned about one login beyond its name, so that onboarding can refuse privileged and system
 * accounts (see docs/architecture.md, "Security rules"). Facts a connector cannot tell stay empty; they never
 * hold a secret.
 *
 * @param uid        the numeric user id on a Unix host, null when unknown or not a Unix login
 * @param privileges what makes the login privileged, in the target's own words (PostgreSQL {@code SUPERUSER},
 *                   {@code REPLICATION}, {@code BYPASSRLS}; MariaDB {@code SUPER}...); empty for an ordinary login
 */
public record LoginFacts(Long uid, Set<String> privileges) {
    public static final LoginFacts NONE = new LoginFacts(null, Set.of());

    public LoginFacts {
        privileges = privileges == null ? Set.of() : java.util.Collections.unmodifiableSet(new TreeSet<>(privileges));
    }

    public static LoginFacts uid(long uid) {
        return new LoginFacts(uid, Set.of());
    }

    public static LoginFacts privileges(Set<String> privileges) {
        return privileges.isEmpty() ? NONE : new LoginFacts(null, privileges);
    }
}
