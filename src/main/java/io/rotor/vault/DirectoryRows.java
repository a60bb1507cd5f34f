package io.rotor.vault;

import io.rotor.domain.Account;
import io.rotor.domain.AccountStatus;
import io.rotor.domain.CredentialType;
import io.rotor.domain.UserGroup;
import io.rotor.domain.VaultUser;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.mapper.RowMapper;

import java.util.List;
import java.util.Optional;

/**
 * The rows and look-ups that the vault model's repositories share ({@link VaultModel}): each method runs on the
 * handle of its caller's transaction, so a check and the write it guards see the same data.
 */
final class DirectoryRows {
    static final String USER_SELECT = "SELECT id, user_target_id, login, display_name, disabled FROM vault_users";
    static final String GROUP_SELECT = "SELECT id, user_target_id, name FROM vault_user_groups";
    /** Accounts as {@code a}, so that callers can join. */
    static final String ACCOUNT_SELECT =
            "SELECT a.id, a.target_id, a.username, a.credential_type, a.status, a.version, a.policy_id FROM accounts a";
    static final String ACCESS_SELECT = "SELECT va.user_id, va.vault_account_id, va.via FROM vault_access va";

    static final RowMapper<VaultUser> USER = (r, ctx) ->
            new VaultUser(r.getString(1), r.getString(2), r.getString(3), r.getString(4), r.getBoolean(5));
    static final RowMapper<UserGroup> GROUP = (r, ctx) -> new UserGroup(r.getString(1), r.getString(2), r.getString(3));
    static final RowMapper<Account> ACCOUNT = (r, ctx) -> new Account(r.getString(1), r.getString(2), r.getString(3),
            CredentialType.valueOf(r.getString(4)), AccountStatus.valueOf(r.getString(5)), r.getLong(6), r.getString(7));
    static final RowMapper<VaultAccess> ACCESS = (r, ctx) -> new VaultAccess(r.getString(1), r.getString(2), r.getString(3));

    /** Size of {@code audit_log.actor}. */
    private static final int ACTOR_MAX = 128;

    private DirectoryRows() {
    }

    /** The audit record of a directory write: succeeded, no rotation, the actor ("system" when blank) cut to size. */
    static AuditRecord audited(String actor, String operation, String accountId, String targetId, String detail) {
        String who = actor == null || actor.isBlank() ? "system" : actor;
        return AuditRecord.of(who.length() > ACTOR_MAX ? who.substring(0, ACTOR_MAX) : who, operation, accountId,
                targetId, null, "SUCCEEDED", detail);
    }

    // ---------------------------------------------------------------- targets

    /** The type of a target, or null when there is none. */
    static String targetType(Handle h, String targetId) {
        return h.createQuery("SELECT type FROM targets WHERE id = :id").bind("id", targetId)
                .mapTo(String.class).findFirst().orElse(null);
    }

    static void requireTarget(Handle h, String field, String targetId, String type) {
        String actual = targetType(h, targetId);
        if (actual == null) {
            throw new UnknownEntryException(VaultModel.VAULT_TARGET_TYPE.equals(type) ? "vault target" : "user target",
                    targetId, field);
        }
        DirectoryRules.checkType(field, targetId, actual, type);
    }

    /**
     * Inserts a view target (a vault target or a vault user target: no host, no port) unless it exists; refuses an
     * existing target of another type.
     *
     * @return true when the target was inserted
     */
    static boolean insertViewTargetIfMissing(Handle h, RowSeal seal, String field, String targetId, String type) {
        String existing = targetType(h, targetId);
        if (existing != null) {
            DirectoryRules.checkType(field, targetId, existing, type);
            return false;
        }
        TargetRepository.insertViewTarget(h, seal, targetId, type);
        return true;
    }

    // ---------------------------------------------------------------- users, groups, accounts

    static Optional<VaultUser> user(Handle h, String id) {
        return h.createQuery(USER_SELECT + " WHERE id = :id").bind("id", id).map(USER).findFirst();
    }

    static Optional<UserGroup> group(Handle h, String id) {
        return h.createQuery(GROUP_SELECT + " WHERE id = :id").bind("id", id).map(GROUP).findFirst();
    }

    static Optional<Account> account(Handle h, String id) {
        return h.createQuery(ACCOUNT_SELECT + " WHERE a.id = :id").bind("id", id).map(ACCOUNT).findFirst();
    }

    static VaultUser requireUser(Handle h, String field, String userId) {
        return user(h, userId).orElseThrow(() -> new UnknownEntryException("user", userId, field));
    }

    static UserGroup requireGroup(Handle h, String field, String groupId) {
        return group(h, groupId).orElseThrow(() -> new UnknownEntryException("user group", groupId, field));
    }

    static Account requireAccount(Handle h, String field, String accountId) {
        return account(h, accountId).orElseThrow(() -> new UnknownAccountException(accountId, field));
    }

    /** The groups a user is a member of, sorted by id. */
    static List<UserGroup> groupsOf(Handle h, String userId) {
        return h.createQuery("SELECT g.id, g.user_target_id, g.name FROM vault_user_groups g"
                        + " JOIN vault_group_members m ON m.group_id = g.id WHERE m.user_id = :userId ORDER BY g.id")
                .bind("userId", userId).map(GROUP).list();
    }

    /**
     * The two users of an offboarding step: both exist, they differ, and the inheriting one is enabled.
     *
     * @return {from, to}
     */
    static VaultUser[] requireOffboardPair(Handle h, String fromUserId, String toUserId) {
        if (fromUserId.equals(toUserId)) {
            throw new InvalidFieldException("toUserId", "must differ from fromUserId ('" + fromUserId + "')");
        }
        VaultUser from = requireUser(h, "fromUserId", fromUserId);
        VaultUser to = requireUser(h, "toUserId", toUserId);
        if (to.disabled()) {
            throw new InvalidFieldException("toUserId", "'" + toUserId + "' is disabled and cannot inherit access");
        }
        return new VaultUser[]{from, to};
    }

    // ---------------------------------------------------------------- attributes

    /** The values of one attribute of an account, sorted. */
    static List<String> attribute(Handle h, String accountId, String name) {
        return h.createQuery("SELECT attr_value FROM account_attributes WHERE account_id = :accountId AND attr_name = :name"
                        + " ORDER BY attr_value")
                .bind("accountId", accountId).bind("name", name).mapTo(String.class).list();
    }

    static boolean hasAttributeValue(Handle h, String accountId, String name, String value) {
        return h.createQuery("SELECT 1 FROM account_attributes WHERE account_id = :accountId AND attr_name = :name"
                        + " AND attr_value = :value")
                .bind("accountId", accountId).bind("name", name).bind("value", value).mapTo(Integer.class).findFirst()
                .isPresent();
    }

    static void insertAttribute(Handle h, String accountId, String name, String value) {
        h.createUpdate("INSERT INTO account_attributes (account_id, attr_name, attr_value) VALUES (:accountId, :name, :value)")
                .bind("accountId", accountId).bind("name", name).bind("value", value).execute();
    }

    static int deleteAttribute(Handle h, String accountId, String name, String value) {
        return h.createUpdate("DELETE FROM account_attributes WHERE account_id = :accountId AND attr_name = :name"
                        + " AND attr_value = :value")
                .bind("accountId", accountId).bind("name", name).bind("value", value).execute();
    }

    /** The accounts of one target whose attribute {@code name} holds {@code value}, sorted by id. */
    static List<Account> accountsWithAttributeValue(Handle h, String targetId, String name, String value) {
        return h.createQuery(ACCOUNT_SELECT + " JOIN account_attributes x ON x.account_id = a.id"
                        + " WHERE a.target_id = :targetId AND x.attr_name = :name AND x.attr_value = :value ORDER BY a.id")
                .bind("targetId", targetId).bind("name", name).bind("value", value).map(ACCOUNT).list();
    }
}
