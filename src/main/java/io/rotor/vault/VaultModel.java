package io.rotor.vault;

import io.rotor.domain.Ids;
import io.rotor.domain.UserGroup;
import io.rotor.domain.VaultUser;

/**
 * The vault model the bulk workflows need: Bravura's <em>vault target</em> and <em>vault user target</em> as
 * views onto Rotor's vault (see {@code docs/vault-model.md}).
 *
 * <ul>
 *   <li>A <b>vault target</b> is a {@code targets} row of type {@value #VAULT_TARGET_TYPE}. Its accounts are
 *       <b>vault accounts</b>: ordinary {@code accounts} rows, so they get CURRENT / PENDING / PREVIOUS versions
 *       from {@link CredentialRepository} like any other account.</li>
 *   <li>A <b>vault user target</b> is a {@code targets} row of type {@value #USER_TARGET_TYPE}. It holds
 *       {@link VaultUser users} and {@link UserGroup user groups} ({@link UserRepository}); ids of both are
 *       global.</li>
 *   <li>Accounts carry multi-valued <b>attributes</b> (a set of values per name; {@link AttributeRepository}).
 *       Three of them have a role, their names chosen per request as in the seed's flags: the <b>link
 *       attribute</b> holds the id of the backing account a vault account mirrors, the <b>group attribute</b>
 *       user-group ids, the <b>association attribute</b> user ids.</li>
 *   <li><b>Templates</b> create vault accounts from backing accounts ({@link TemplateRepository}).</li>
 *   <li><b>Access</b> ({@code vault_access}) is materialised by {@link AccessRepository#resync}: user U may use
 *       vault account V iff U is enabled and is in V's association attribute or a member of a group in V's group
 *       attribute.</li>
 * </ul>
 *
 * <p>Conventions of every repository of this model: every write takes the {@code actor} (who asked: an API user,
 * a job id) first, runs in one transaction of the {@link UnitOfWork} and writes its audit record (never a secret)
 * through {@link AuditLog#write} in that transaction, so that a failed audit write refuses the change. A write that
 * changes nothing writes no audit record and reports "nothing changed" (false / 0): the offboarding steps rely on
 * it, because a workflow retried after a crash runs them again. Ids must match {@value Ids#ID_REGEX}. Refusals are
 * {@link InvalidFieldException} (naming the field), {@link UnknownEntryException} (naming the missing entry) or
 * {@link ConflictException}; nothing is changed when one is thrown. Lists come back sorted by id.
 */
public final class VaultModel {
    public static final String VAULT_TARGET_TYPE = "vault";
    public static final String USER_TARGET_TYPE = "vault-users";
    /** Setting of a vault target: the association attribute of its last {@link AccessRepository#resync}. */
    public static final String SETTING_ASSOCIATION_ATTR = "vault.associationAttribute";
    /** Setting of a vault target: the group attribute of its last {@link AccessRepository#resync}. */
    public static final String SETTING_GROUP_ATTR = "vault.groupAttribute";

    private VaultModel() {
    }

    /**
     * Whether a target type is one of the vault's own views ({@value #VAULT_TARGET_TYPE},
     * {@value #USER_TARGET_TYPE}): such a target has no host, no connector and no health check.
     */
    public static boolean isVaultView(String targetType) {
        return VAULT_TARGET_TYPE.equals(targetType) || USER_TARGET_TYPE.equals(targetType);
    }
}
