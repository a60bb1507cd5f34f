package io.rotor.vault;

import io.rotor.domain.UserGroup;
import io.rotor.domain.VaultUser;
import org.jdbi.v3.core.Handle;

import java.sql.Timestamp;
import java.util.List;
import java.util.Optional;

import static io.rotor.vault.DirectoryRows.GROUP;
import static io.rotor.vault.DirectoryRows.GROUP_SELECT;
import static io.rotor.vault.DirectoryRows.USER;
import static io.rotor.vault.DirectoryRows.audited;
import static io.rotor.vault.DirectoryRows.requireGroup;
import static io.rotor.vault.DirectoryRows.requireTarget;
import static io.rotor.vault.DirectoryRows.requireUser;
import static io.rotor.vault.DirectoryRules.requireId;
import static io.rotor.vault.DirectoryRules.requireText;
import static io.rotor.vault.VaultModel.USER_TARGET_TYPE;

/**
 * The user groups of the vault user targets ({@link VaultModel}, whose conventions every method follows): groups,
 * membership, and the two single-user offboard steps that move memberships. Users themselves are in
 * {@link UserRepository}.
 */
public final class GroupRepository {
    private final UnitOfWork work;
    private final AuditLog audit;

    public GroupRepository(UnitOfWork work, AuditLog audit) {
        this.work = work;
        this.audit = audit;
    }

    // ---------------------------------------------------------------- groups

    /**
     * Mass onboard step 1: creates the group unless it exists. An existing group keeps its name; a group id that
     * belongs to another user target is a conflict.
     *
     * @return true when the group was created
     */
    public boolean createGroupIfMissing(String actor, String userTargetId, String groupId, String name) {
        requireId("userTargetId", userTargetId);
        requireId("groupId", groupId);
        requireText("name", name, true);
        return work.inTransaction(h -> {
            requireTarget(h, "userTargetId", userTargetId, USER_TARGET_TYPE);
            Optional<UserGroup> existing = DirectoryRows.group(h, groupId);
            if (existing.isPresent()) {
                if (!existing.get().userTargetId().equals(userTargetId)) {
                    throw new ConflictException("user group '" + groupId + "' belongs to user target '"
                            + existing.get().userTargetId() + "', not '" + userTargetId + "'");
                }
                return false;
            }
            h.createUpdate("INSERT INTO vault_user_groups (id, user_target_id, name, created_at)"
                            + " VALUES (:id, :userTargetId, :name, :now)")
                    .bind("id", groupId).bind("userTargetId", userTargetId).bind("name", name).bind("now", now()).execute();
            audit.write(h, audited(actor, "GROUP_CREATE", null, userTargetId, "group=" + groupId));
            return true;
        });
    }

    public Optional<UserGroup> findGroup(String groupId) {
        requireId("groupId", groupId);
        return work.read(h -> DirectoryRows.group(h, groupId));
    }

    /** The groups of one vault user target, sorted by id. */
    public List<UserGroup> listGroups(String userTargetId) {
        requireId("userTargetId", userTargetId);
        return work.read(h -> {
            requireTarget(h, "userTargetId", userTargetId, USER_TARGET_TYPE);
            return h.createQuery(GROUP_SELECT + " WHERE user_target_id = :userTargetId ORDER BY id")
                    .bind("userTargetId", userTargetId).map(GROUP).list();
        });
    }

    /**
     * Renames a group (its id and user target never change).
     *
     * @return true when the name changed
     */
    public boolean renameGroup(String actor, String groupId, String name) {
        requireId("groupId", groupId);
        requireText("name", name, true);
        return work.inTransaction(h -> {
            UserGroup group = requireGroup(h, "groupId", groupId);
            if (group.name().equals(name)) {
                return false;
            }
            h.createUpdate("UPDATE vault_user_groups SET name = :name WHERE id = :id").bind("name", name)
                    .bind("id", groupId).execute();
            audit.write(h, audited(actor, "GROUP_UPDATE", null, group.userTargetId(), "group=" + groupId));
            return true;
        });
    }

    /**
     * Deletes a group, its memberships and the access rows that came through it ({@code group:<groupId>}), in one
     * audited transaction: its members lose that access at once. Vault accounts whose group attribute still lists
     * the group id keep the value (attribute values are the accounts' own data); it grants nothing while no group
     * has that id.
     *
     * @return false when there is no such group
     */
    public boolean deleteGroup(String actor, String groupId) {
        requireId("groupId", groupId);
        return work.inTransaction(h -> {
            Optional<UserGroup> group = DirectoryRows.group(h, groupId);
            if (group.isEmpty()) {
                return false;
            }
            int access = h.createUpdate("DELETE FROM vault_access WHERE via = :via")
                    .bind("via", VaultAccess.GROUP_PREFIX + groupId).execute();
            int memberships = h.createUpdate("DELETE FROM vault_group_members WHERE group_id = :groupId")
                    .bind("groupId", groupId).execute();
            h.createUpdate("DELETE FROM vault_user_groups WHERE id = :groupId").bind("groupId", groupId).execute();
            audit.write(h, audited(actor, "GROUP_DELETE", null, group.get().userTargetId(), "group=" + groupId
                    + " memberships=" + memberships + " access=" + access));
            return true;
        });
    }

    // ---------------------------------------------------------------- membership

    /**
     * Mass onboard step 2. User and group must be on the same user target.
     *
     * @return true when the user was not a member before
     */
    public boolean addMember(String actor, String groupId, String userId) {
        requireId("groupId", groupId);
        requireId("userId", userId);
        return work.inTransaction(h -> {
            UserGroup group = requireGroup(h, "groupId", groupId);
            VaultUser user = requireUser(h, "userId", userId);
            if (!group.userTargetId().equals(user.userTargetId())) {
                throw new ConflictException("user '" + userId + "' is on user target '" + user.userTargetId()
                        + "' but user group '" + groupId + "' is on '" + group.userTargetId() + "'");
            }
            return addMembership(h, actor, group, userId);
        });
    }

    /** @return true when the user was a member before */
    public boolean removeMember(String actor, String groupId, String userId) {
        requireId("groupId", groupId);
        requireId("userId", userId);
        return work.inTransaction(h -> {
            UserGroup group = requireGroup(h, "groupId", groupId);
            requireUser(h, "userId", userId);
            return removeMembership(h, actor, group, userId);
        });
    }

    /**
     * As {@link #removeMember(String, String, String)}, and also deletes the access rows that came through this
     * group for this user, so the access ends now rather than at the next {@link AccessRepository#resync} (which
     * would remove them anyway: a non-member gets no {@code group:} row).
     *
     * @return true when the user was a member before
     */
    public boolean removeMemberAndAccess(String actor, String groupId, String userId) {
        requireId("groupId", groupId);
        requireId("userId", userId);
        return work.inTransaction(h -> {
            UserGroup group = requireGroup(h, "groupId", groupId);
            requireUser(h, "userId", userId);
            if (!removeMembership(h, actor, group, userId)) {
                return false;
            }
            h.createUpdate("DELETE FROM vault_access WHERE user_id = :userId AND via = :via")
                    .bind("userId", userId).bind("via", VaultAccess.GROUP_PREFIX + groupId).execute();
            return true;
        });
    }

    /** The groups a user is a member of, sorted by id. */
    public List<UserGroup> groupsOf(String userId) {
        requireId("userId", userId);
        return work.read(h -> {
            requireUser(h, "userId", userId);
            return DirectoryRows.groupsOf(h, userId);
        });
    }

    /** The members of a group, sorted by id. */
    public List<VaultUser> members(String groupId) {
        requireId("groupId", groupId);
        return work.read(h -> {
            requireGroup(h, "groupId", groupId);
            return h.createQuery("SELECT u.id, u.user_target_id, u.login, u.display_name, u.disabled FROM vault_users u"
                            + " JOIN vault_group_members m ON m.user_id = u.id WHERE m.group_id = :groupId ORDER BY u.id")
                    .bind("groupId", groupId).map(USER).list();
        });
    }

    // ---------------------------------------------------------------- offboarding (each step idempotent)

    /**
     * Single-user offboard step 1: the inheriting user joins every group of the departing user. Both users must
     * be on the same user target; the inheriting user must be enabled.
     *
     * @return the number of groups joined (0 when run again)
     */
    public int inheritGroups(String actor, String fromUserId, String toUserId) {
        requireId("fromUserId", fromUserId);
        requireId("toUserId", toUserId);
        return work.inTransaction(h -> {
            VaultUser[] pair = DirectoryRows.requireOffboardPair(h, fromUserId, toUserId);
            if (!pair[0].userTargetId().equals(pair[1].userTargetId())) {
                throw new ConflictException("user '" + fromUserId + "' is on user target '" + pair[0].userTargetId()
                        + "' but user '" + toUserId + "' is on '" + pair[1].userTargetId()
                        + "'; groups belong to one user target");
            }
            int joined = 0;
            for (UserGroup group : DirectoryRows.groupsOf(h, fromUserId)) {
                if (addMembership(h, actor, group, toUserId)) {
                    joined++;
                }
            }
            return joined;
        });
    }

    /**
     * Single-user offboard step 3: removes the user from every group it is a member of.
     *
     * @return the number of groups left (0 when run again)
     */
    public int leaveAllGroups(String actor, String userId) {
        requireId("userId", userId);
        return work.inTransaction(h -> {
            requireUser(h, "userId", userId);
            int left = 0;
            for (UserGroup group : DirectoryRows.groupsOf(h, userId)) {
                if (removeMembership(h, actor, group, userId)) {
                    left++;
                }
            }
            return left;
        });
    }

    private boolean addMembership(Handle h, String actor, UserGroup group, String userId) {
        if (h.createQuery("SELECT 1 FROM vault_group_members WHERE group_id = :groupId AND user_id = :userId")
                .bind("groupId", group.id()).bind("userId", userId).mapTo(Integer.class).findFirst().isPresent()) {
            return false;
        }
        h.createUpdate("INSERT INTO vault_group_members (group_id, user_id) VALUES (:groupId, :userId)")
                .bind("groupId", group.id()).bind("userId", userId).execute();
        audit.write(h, audited(actor, "GROUP_MEMBER_ADD", null, group.userTargetId(),
                "group=" + group.id() + " user=" + userId));
        return true;
    }

    private boolean removeMembership(Handle h, String actor, UserGroup group, String userId) {
        if (h.createUpdate("DELETE FROM vault_group_members WHERE group_id = :groupId AND user_id = :userId")
                .bind("groupId", group.id()).bind("userId", userId).execute() == 0) {
            return false;
        }
        audit.write(h, audited(actor, "GROUP_MEMBER_REMOVE", null, group.userTargetId(),
                "group=" + group.id() + " user=" + userId));
        return true;
    }

    private Timestamp now() {
        return Timestamp.from(work.now());
    }
}
