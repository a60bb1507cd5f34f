package io.rotor.api;

import io.rotor.domain.Role;

import java.util.EnumSet;
import java.util.Set;

/**
 * The API's authorisation rules, one line each. An auditor reads the inventory and the audit trail and never a
 * secret; an operator runs operations on accounts (and may check a secret out); only an admin changes the
 * inventory.
 */
public enum Permission {
    /** GET targets, policies, accounts and the directory (users, groups, templates, attributes; never a secret). */
    READ_INVENTORY(Role.ADMIN, Role.OPERATOR, Role.AUDITOR),
    /** POST / PUT / DELETE targets, policies, accounts and the directory; resync a vault target. */
    WRITE_INVENTORY(Role.ADMIN),
    /** rotate, verify, reconcile, set, checkin. */
    OPERATE(Role.ADMIN, Role.OPERATOR),
    /** checkout: the CURRENT secret in the answer. */
    READ_SECRET(Role.ADMIN, Role.OPERATOR),
    /** GET the audit trail. */
    READ_AUDIT(Role.ADMIN, Role.AUDITOR),
    /**
     * Mass onboard: it discovers logins, writes them into the inventory and resets their passwords, so it is an
     * inventory change (see docs/architecture.md, "Security rules").
     */
    ONBOARD(Role.ADMIN),
    /** Start a bulk workflow (mass-password-reset, single-user-offboard) and cancel a job. */
    RUN_WORKFLOW(Role.ADMIN, Role.OPERATOR),
    /** GET jobs, their results and reports (never a secret). */
    READ_JOBS(Role.ADMIN, Role.OPERATOR, Role.AUDITOR),
    /**
     * The SailPoint-shaped password self-service (/v3 query-password-info, set-password, status): an identity for
     * itself, an admin for anyone (the service checks which identity; an auditor never).
     */
    SET_OWN_PASSWORD(Role.ADMIN, Role.OPERATOR, Role.IDENTITY);

    private final Set<Role> roles;

    Permission(Role first, Role... rest) {
        this.roles = EnumSet.of(first, rest);
    }

    public boolean allows(Role role) {
        return role != null && roles.contains(role);
    }

    public Set<Role> roles() {
        return EnumSet.copyOf(roles);
    }
}
