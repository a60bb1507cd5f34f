package io.rotor.workflow.passwords;

/**
 * Who asks the password self-service.
 *
 * @param actor          for the audit trail, e.g. {@code api:token:alice}
 * @param identityId     the vault user an identity token is bound to; null for other principals
 * @param actsForOthers  an admin (or an operator where configured) may act for any identity
 */
public record Caller(String actor, String identityId, boolean actsForOthers) {
    /** @throws PasswordManagementException FORBIDDEN unless the caller may act for {@code identityId} */
    void requireMayActFor(String identityId) {
        if (actsForOthers || (this.identityId != null && this.identityId.equals(identityId))) {
            return;
        }
        throw PasswordManagementException.forbidden(this.identityId == null
                ? "this principal is bound to no identity and may not act for identity '" + identityId + "'"
                : "an identity may change only its own passwords; this token belongs to another identity");
    }
}
