package io.rotor.vault;

import io.rotor.domain.VaultUser;

import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static io.rotor.vault.DirectoryRows.USER;
import static io.rotor.vault.DirectoryRows.USER_SELECT;
import static io.rotor.vault.DirectoryRows.audited;
import static io.rotor.vault.DirectoryRows.requireTarget;
import static io.rotor.vault.DirectoryRows.requireUser;
import static io.rotor.vault.DirectoryRules.requireId;
import static io.rotor.vault.DirectoryRules.requireText;
import static io.rotor.vault.VaultModel.USER_TARGET_TYPE;
import static io.rotor.vault.VaultModel.VAULT_TARGET_TYPE;

/**
 * The vault user targets of the vault model ({@link VaultModel}, whose conventions every method follows) and their
 * users. User groups and membership are in {@link GroupRepository}.
 */
public final class UserRepository {
    private final UnitOfWork work;
    private final AuditLog audit;
    private final RowSeal seal;

    public UserRepository(UnitOfWork work, AuditLog audit, RowSeal seal) {
        this.work = work;
        this.audit = audit;
        this.seal = seal;
    }

    /**
     * Declares a vault user target (type {@value VaultModel#USER_TARGET_TYPE}). Refuses an existing target of another
     * type.
     *
     * @return true when the target was created, false when it already existed
     */
    public boolean ensureUserTarget(String actor, String userTargetId) {
        requireId("userTargetId", userTargetId);
        return work.inTransaction(h -> {
            if (!DirectoryRows.insertViewTargetIfMissing(h, seal, "userTargetId", userTargetId, USER_TARGET_TYPE)) {
                return false;
            }
            audit.write(h, audited(actor, "TARGET_CREATE", null, userTargetId, "type=" + USER_TARGET_TYPE));
            return true;
        });
    }

    // ---------------------------------------------------------------- users

    /**
     * Creates or updates a user (login, display name, disabled flag). A user never moves to another user target.
     *
     * @return true when the user was created, false when an existing one was updated (or already equal)
     */
    public boolean upsertUser(String actor, VaultUser user) {
        return writeUser(actor, user, false);
    }

    /**
     * Creates a user only when its id is free, checked in the same transaction as the insert (the API's POST).
     *
     * @return false, changing nothing, when a user with that id exists
     */
    public boolean createUser(String actor, VaultUser user) {
        return writeUser(actor, user, true);
    }

    private boolean writeUser(String actor, VaultUser user, boolean createOnly) {
        if (user == null) {
            throw new InvalidFieldException("user", "is required");
        }
        requireId("user.id", user.id());
        requireId("user.userTargetId", user.userTargetId());
        requireText("user.login", user.login(), true);
        requireText("user.displayName", user.displayName(), false);
        return work.inTransaction(h -> {
            requireTarget(h, "user.userTargetId", user.userTargetId(), USER_TARGET_TYPE);
            Optional<VaultUser> existing = DirectoryRows.user(h, user.id());
            if (createOnly && existing.isPresent()) {
                return false;
            }
            if (existing.isPresent() && !existing.get().userTargetId().equals(user.userTargetId())) {
                throw new ConflictException("user '" + user.id() + "' belongs to user target '"
                        + existing.get().userTargetId() + "', not '" + user.userTargetId() + "'");
            }
            Optional<String> sameLogin = h.createQuery("SELECT id FROM vault_users WHERE user_target_id = :userTargetId"
                            + " AND login = :login AND id <> :id")
                    .bind("userTargetId", user.userTargetId()).bind("login", user.login()).bind("id", user.id())
                    .mapTo(String.class).findFirst();
            if (sameLogin.isPresent()) {
                throw new ConflictException("login '" + user.login() + "' is already used by user '" + sameLogin.get()
                        + "' on user target '" + user.userTargetId() + "'");
            }
            if (existing.isPresent()) {
                if (existing.get().equals(user)) {
                    return false;
                }
                h.createUpdate("UPDATE vault_users SET login = :login, display_name = :displayName, disabled = :disabled,"
                                + " updated_at = :now WHERE id = :id")
                        .bind("login", user.login()).bind("displayName", user.displayName())
                        .bind("disabled", user.disabled()).bind("now", now()).bind("id", user.id()).execute();
                audit.write(h, audited(actor, "USER_UPDATE", null, user.userTargetId(),
                        "user=" + user.id() + " disabled=" + user.disabled()));
                return false;
            }
            h.createUpdate("INSERT INTO vault_users (id, user_target_id, login, display_name, disabled, updated_at)"
                            + " VALUES (:id, :userTargetId, :login, :displayName, :disabled, :now)")
                    .bind("id", user.id()).bind("userTargetId", user.userTargetId()).bind("login", user.login())
                    .bind("displayName", user.displayName()).bind("disabled", user.disabled()).bind("now", now()).execute();
            audit.write(h, audited(actor, "USER_CREATE", null, user.userTargetId(), "user=" + user.id()));
            return true;
        });
    }

    public Optional<VaultUser> findUser(String userId) {
        requireId("userId", userId);
        return work.read(h -> DirectoryRows.user(h, userId));
    }

    /** The users of one vault user target, sorted by id. */
    public List<VaultUser> listUsers(String userTargetId) {
        requireId("userTargetId", userTargetId);
        return work.read(h -> {
            requireTarget(h, "userTargetId", userTargetId, USER_TARGET_TYPE);
            return h.createQuery(USER_SELECT + " WHERE user_target_id = :userTargetId ORDER BY id")
                    .bind("userTargetId", userTargetId).map(USER).list();
        });
    }

    /**
     * Disables a user: from now on {@link AccessRepository#canUse} and {@link AccessRepository#accessibleAccounts}
     * give it nothing, and the next {@link AccessRepository#resync} drops its access rows. Memberships and
     * associations stay (an offboard moves them).
     *
     * @return true when the user was enabled before
     */
    public boolean disableUser(String actor, String userId) {
        return setDisabled(actor, userId, true);
    }

    /** @return true when the user was disabled before */
    public boolean enableUser(String actor, String userId) {
        return setDisabled(actor, userId, false);
    }

    private boolean setDisabled(String actor, String userId, boolean disabled) {
        requireId("userId", userId);
        return work.inTransaction(h -> {
            VaultUser user = requireUser(h, "userId", userId);
            if (user.disabled() == disabled) {
                return false;
            }
            h.createUpdate("UPDATE vault_users SET disabled = :disabled, updated_at = :now WHERE id = :id")
                    .bind("disabled", disabled).bind("now", now()).bind("id", userId).execute();
            audit.write(h, audited(actor, disabled ? "USER_DISABLE" : "USER_ENABLE", null, user.userTargetId(),
                    "user=" + userId));
            return true;
        });
    }

    /**
     * Deletes a user with its group memberships and access rows, in one audited transaction. Refused with a
     * {@link VaultConflictException} ({@code IN_USE}) while any attribute of a vault account still holds the user's
     * id: the association attribute's name is chosen per request, so every attribute is checked; otherwise a user
     * created later under the same id would inherit that access at the next {@link AccessRepository#resync}.
     *
     * @return false when there is no such user
     */
    public boolean deleteUser(String actor, String userId) {
        requireId("userId", userId);
        return work.inTransaction(h -> {
            Optional<VaultUser> user = DirectoryRows.user(h, userId);
            if (user.isEmpty()) {
                return false;
            }
            List<String[]> named = h.createQuery("SELECT DISTINCT a.id, x.attr_name FROM accounts a"
                            + " JOIN targets t ON t.id = a.target_id AND t.type = '" + VAULT_TARGET_TYPE + "'"
                            + " JOIN account_attributes x ON x.account_id = a.id WHERE x.attr_value = :userId"
                            + " ORDER BY a.id, x.attr_name")
                    .bind("userId", userId).map((r, ctx) -> new String[]{r.getString(1), r.getString(2)}).list();
            if (!named.isEmpty()) {
                throw new VaultConflictException(VaultConflictException.Reason.IN_USE, "user '" + userId
                        + "' is still named by " + describe(named)
                        + "; remove it from those attributes (or offboard the user) first");
            }
            int access = h.createUpdate("DELETE FROM vault_access WHERE user_id = :userId").bind("userId", userId).execute();
            int memberships = h.createUpdate("DELETE FROM vault_group_members WHERE user_id = :userId")
                    .bind("userId", userId).execute();
            h.createUpdate("DELETE FROM vault_users WHERE id = :userId").bind("userId", userId).execute();
            audit.write(h, audited(actor, "USER_DELETE", null, user.get().userTargetId(), "user=" + userId
                    + " memberships=" + memberships + " access=" + access));
            return true;
        });
    }

    /** "attributes of vault account(s) 'a' (owners), 'b' (owners)", at most 10 named. */
    private static String describe(List<String[]> accountAttributes) {
        Map<String, List<String>> byAccount = new LinkedHashMap<>();
        accountAttributes.forEach(row -> byAccount.computeIfAbsent(row[0], k -> new ArrayList<>()).add(row[1]));
        StringBuilder text = new StringBuilder("attributes of vault account(s) ");
        int shown = 0;
        for (Map.Entry<String, List<String>> e : byAccount.entrySet()) {
            if (shown == 10) {
                text.append(" and ").append(byAccount.size() - 10).append(" more");
                break;
            }
            text.append(shown == 0 ? "" : ", ").append('\'').append(e.getKey()).append("' (")
                    .append(String.join(", ", e.getValue())).append(')');
            shown++;
        }
        return text.toString();
    }
    private Timestamp now() {
        return Timestamp.from(work.now());
    }
}
