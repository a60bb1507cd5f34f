package io.rotor.vault;

import io.rotor.domain.Account;
import io.rotor.domain.AccountStatus;
import io.rotor.domain.CredentialType;
import io.rotor.domain.UserGroup;
import io.rotor.domain.VaultTemplate;
import io.rotor.domain.VaultUser;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The vault model the bulk workflows need: Bravura's <em>vault target</em> and <em>vault user target</em> as
 * views onto Rotor's vault (see {@code docs/vault-model.md}).
 *
 * <ul>
 *   <li>A <b>vault target</b> is a {@code targets} row of type {@value #VAULT_TARGET_TYPE}. Its accounts are
 *       <b>vault accounts</b>: ordinary {@code accounts} rows, so they get CURRENT / PENDING / PREVIOUS versions
 *       from {@link VaultStore} like any other account.</li>
 *   <li>A <b>vault user target</b> is a {@code targets} row of type {@value #USER_TARGET_TYPE}. It holds
 *       {@link VaultUser users} and {@link UserGroup user groups}; ids of both are global.</li>
 *   <li>Accounts carry multi-valued <b>attributes</b> (a set of values per name). Three of them have a role,
 *       their names chosen per request as in the seed's flags: the <b>link attribute</b> holds the id of the
 *       backing account a vault account mirrors, the <b>group attribute</b> user-group ids, the
 *       <b>association attribute</b> user ids.</li>
 *   <li><b>Templates</b> create vault accounts from backing accounts.</li>
 *   <li><b>Access</b> ({@code vault_access}) is materialised by {@link #resync}: user U may use vault account V
 *       iff U is enabled and is in V's association attribute or a member of a group in V's group attribute.</li>
 * </ul>
 *
 * <p>Conventions: every write takes the {@code actor} (who asked: an API user, a job id) first, runs in one
 * transaction and writes its audit record (never a secret) in that transaction, so that a failed audit write
 * refuses the change. A write that changes nothing writes no audit record and reports "nothing changed"
 * (false / 0): the offboarding steps rely on it, because a workflow retried after a crash runs them again.
 * Ids must match {@value #ID_REGEX}. Refusals are {@link InvalidFieldException} (naming the field),
 * {@link UnknownEntryException} (naming the missing entry) or {@link ConflictException}; nothing is changed
 * when one is thrown. Lists come back sorted by id.
 */
public final class DirectoryStore {
    public static final String VAULT_TARGET_TYPE = "vault";
    public static final String USER_TARGET_TYPE = "vault-users";
    public static final String ID_REGEX = "[A-Za-z0-9][A-Za-z0-9_.-]{0,127}";
    private static final Pattern ID = Pattern.compile(ID_REGEX);
    private static final int TEXT_MAX = 255;
    private static final int DETAIL_MAX = 2000;
    /** Setting of a vault target: the association attribute of its last {@link #resync}. */
    public static final String SETTING_ASSOCIATION_ATTR = "vault.associationAttribute";
    /** Setting of a vault target: the group attribute of its last {@link #resync}. */
    public static final String SETTING_GROUP_ATTR = "vault.groupAttribute";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final DataSource dataSource;
    private final Clock clock;

    public DirectoryStore(DataSource dataSource, Clock clock) {
        this.dataSource = dataSource;
        this.clock = clock;
    }

    // ================================================================ targets

    /**
     * Declares a vault target (type {@value #VAULT_TARGET_TYPE}): a view onto the vault, so it has no host or
     * port. Refuses an existing target of another type.
     *
     * @return true when the target was created, false when it already existed
     */
    public boolean ensureVaultTarget(String actor, String vaultTargetId) {
        return ensureInternalTarget(actor, "vaultTargetId", vaultTargetId, VAULT_TARGET_TYPE);
    }

    /**
     * Declares a vault user target (type {@value #USER_TARGET_TYPE}). Refuses an existing target of another type.
     *
     * @return true when the target was created, false when it already existed
     */
    public boolean ensureUserTarget(String actor, String userTargetId) {
        return ensureInternalTarget(actor, "userTargetId", userTargetId, USER_TARGET_TYPE);
    }

    private boolean ensureInternalTarget(String actor, String field, String targetId, String type) {
        requireId(field, targetId);
        return inTransaction(c -> {
            List<String> types = rows(c, "SELECT type FROM targets WHERE id = ?", r -> r.getString(1), targetId);
            if (!types.isEmpty()) {
                checkType(field, targetId, types.get(0), type);
                return false;
            }
            update(c, "INSERT INTO targets (id, type, host, port, database_name, tls_mode, admin_account_id, policy_id,"
                    + " settings_json) VALUES (?, ?, 'rotor-vault', 0, NULL, 'DISABLE', NULL, NULL, '{}')", targetId, type);
            audit(c, actor, "TARGET_CREATE", null, targetId, "type=" + type);
            return true;
        });
    }

    /**
     * Whether a target type is one of the vault's own views ({@value #VAULT_TARGET_TYPE},
     * {@value #USER_TARGET_TYPE}): such a target has no host, no connector and no health check.
     */
    public static boolean isVaultView(String targetType) {
        return VAULT_TARGET_TYPE.equals(targetType) || USER_TARGET_TYPE.equals(targetType);
    }

    // ================================================================ users

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
        return inTransaction(c -> {
            requireTarget(c, "user.userTargetId", user.userTargetId(), USER_TARGET_TYPE);
            Optional<VaultUser> existing = user(c, user.id());
            if (createOnly && existing.isPresent()) {
                return false;
            }
            if (existing.isPresent() && !existing.get().userTargetId().equals(user.userTargetId())) {
                throw new ConflictException("user '" + user.id() + "' belongs to user target '"
                        + existing.get().userTargetId() + "', not '" + user.userTargetId() + "'");
            }
            List<String> sameLogin = rows(c, "SELECT id FROM vault_users WHERE user_target_id = ? AND login = ? AND id <> ?",
                    r -> r.getString(1), user.userTargetId(), user.login(), user.id());
            if (!sameLogin.isEmpty()) {
                throw new ConflictException("login '" + user.login() + "' is already used by user '" + sameLogin.get(0)
                        + "' on user target '" + user.userTargetId() + "'");
            }
            if (existing.isPresent()) {
                if (existing.get().equals(user)) {
                    return false;
                }
                update(c, "UPDATE vault_users SET login = ?, display_name = ?, disabled = ?, updated_at = ? WHERE id = ?",
                        user.login(), user.displayName(), user.disabled(), now(), user.id());
                audit(c, actor, "USER_UPDATE", null, user.userTargetId(), "user=" + user.id() + " disabled=" + user.disabled());
                return false;
            }
            update(c, "INSERT INTO vault_users (id, user_target_id, login, display_name, disabled, updated_at)"
                    + " VALUES (?, ?, ?, ?, ?, ?)", user.id(), user.userTargetId(), user.login(), user.displayName(),
                    user.disabled(), now());
            audit(c, actor, "USER_CREATE", null, user.userTargetId(), "user=" + user.id());
            return true;
        });
    }

    public Optional<VaultUser> findUser(String userId) {
        requireId("userId", userId);
        return read(c -> user(c, userId));
    }

    /** The users of one vault user target, sorted by id. */
    public List<VaultUser> listUsers(String userTargetId) {
        requireId("userTargetId", userTargetId);
        return read(c -> {
            requireTarget(c, "userTargetId", userTargetId, USER_TARGET_TYPE);
            return rows(c, USER_SELECT + " WHERE user_target_id = ? ORDER BY id", DirectoryStore::user, userTargetId);
        });
    }

    /**
     * Disables a user: from now on {@link #canUse} and {@link #accessibleAccounts} give it nothing, and the next
     * {@link #resync} drops its access rows. Memberships and associations stay (an offboard moves them).
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
        return inTransaction(c -> {
            VaultUser user = requireUser(c, "userId", userId);
            if (user.disabled() == disabled) {
                return false;
            }
            update(c, "UPDATE vault_users SET disabled = ?, updated_at = ? WHERE id = ?", disabled, now(), userId);
            audit(c, actor, disabled ? "USER_DISABLE" : "USER_ENABLE", null, user.userTargetId(), "user=" + userId);
            return true;
        });
    }


    /**
     * Deletes a user with its group memberships and access rows, in one audited transaction. Refused with a
     * {@link VaultConflictException} ({@code IN_USE}) while any attribute of a vault account still holds the user's id: the association
     * attribute's name is chosen per request, so every attribute is checked; otherwise a user created later
     * under the same id would inherit that access at the next {@link #resync}.
     *
     * @return false when there is no such user
     */
    public boolean deleteUser(String actor, String userId) {
        requireId("userId", userId);
        return inTransaction(c -> {
            Optional<VaultUser> user = user(c, userId);
            if (user.isEmpty()) {
                return false;
            }
            List<String[]> named = rows(c, "SELECT DISTINCT a.id, x.attr_name FROM accounts a"
                    + " JOIN targets t ON t.id = a.target_id AND t.type = '" + VAULT_TARGET_TYPE + "'"
                    + " JOIN account_attributes x ON x.account_id = a.id WHERE x.attr_value = ? ORDER BY a.id, x.attr_name",
                    r -> new String[]{r.getString(1), r.getString(2)}, userId);
            if (!named.isEmpty()) {
                throw new VaultConflictException(VaultConflictException.Reason.IN_USE, "user '" + userId + "' is still named by "
                        + describe(named) + "; remove it from those attributes (or offboard the user) first");
            }
            int access = update(c, "DELETE FROM vault_access WHERE user_id = ?", userId);
            int memberships = update(c, "DELETE FROM vault_group_members WHERE user_id = ?", userId);
            update(c, "DELETE FROM vault_users WHERE id = ?", userId);
            audit(c, actor, "USER_DELETE", null, user.get().userTargetId(), "user=" + userId + " memberships="
                    + memberships + " access=" + access);
            return true;
        });
    }

    /** "vault account(s) 'a' (owners), 'b' (owners)", at most 10 named. */
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

    // ================================================================ groups

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
        return inTransaction(c -> {
            requireTarget(c, "userTargetId", userTargetId, USER_TARGET_TYPE);
            Optional<UserGroup> existing = group(c, groupId);
            if (existing.isPresent()) {
                if (!existing.get().userTargetId().equals(userTargetId)) {
                    throw new ConflictException("user group '" + groupId + "' belongs to user target '"
                            + existing.get().userTargetId() + "', not '" + userTargetId + "'");
                }
                return false;
            }
            update(c, "INSERT INTO vault_user_groups (id, user_target_id, name, created_at) VALUES (?, ?, ?, ?)",
                    groupId, userTargetId, name, now());
            audit(c, actor, "GROUP_CREATE", null, userTargetId, "group=" + groupId);
            return true;
        });
    }

    public Optional<UserGroup> findGroup(String groupId) {
        requireId("groupId", groupId);
        return read(c -> group(c, groupId));
    }

    /** The groups of one vault user target, sorted by id. */
    public List<UserGroup> listGroups(String userTargetId) {
        requireId("userTargetId", userTargetId);
        return read(c -> {
            requireTarget(c, "userTargetId", userTargetId, USER_TARGET_TYPE);
            return rows(c, GROUP_SELECT + " WHERE user_target_id = ? ORDER BY id", DirectoryStore::group, userTargetId);
        });
    }

    /**
     * Mass onboard step 2. User and group must be on the same user target.
     *
     * @return true when the user was not a member before
     */
    public boolean addMember(String actor, String groupId, String userId) {
        requireId("groupId", groupId);
        requireId("userId", userId);
        return inTransaction(c -> {
            UserGroup group = requireGroup(c, "groupId", groupId);
            VaultUser user = requireUser(c, "userId", userId);
            if (!group.userTargetId().equals(user.userTargetId())) {
                throw new ConflictException("user '" + userId + "' is on user target '" + user.userTargetId()
                        + "' but user group '" + groupId + "' is on '" + group.userTargetId() + "'");
            }
            return addMembership(c, actor, group, userId);
        });
    }

    /** @return true when the user was a member before */
    public boolean removeMember(String actor, String groupId, String userId) {
        requireId("groupId", groupId);
        requireId("userId", userId);
        return inTransaction(c -> {
            UserGroup group = requireGroup(c, "groupId", groupId);
            requireUser(c, "userId", userId);
            return removeMembership(c, actor, group, userId);
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
        return inTransaction(c -> {
            UserGroup group = requireGroup(c, "groupId", groupId);
            if (group.name().equals(name)) {
                return false;
            }
            update(c, "UPDATE vault_user_groups SET name = ? WHERE id = ?", name, groupId);
            audit(c, actor, "GROUP_UPDATE", null, group.userTargetId(), "group=" + groupId);
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
        return inTransaction(c -> {
            Optional<UserGroup> group = group(c, groupId);
            if (group.isEmpty()) {
                return false;
            }
            int access = update(c, "DELETE FROM vault_access WHERE via = ?", VaultAccess.GROUP_PREFIX + groupId);
            int memberships = update(c, "DELETE FROM vault_group_members WHERE group_id = ?", groupId);
            update(c, "DELETE FROM vault_user_groups WHERE id = ?", groupId);
            audit(c, actor, "GROUP_DELETE", null, group.get().userTargetId(), "group=" + groupId + " memberships="
                    + memberships + " access=" + access);
            return true;
        });
    }

    /**
     * As {@link #removeMember(String, String, String)}, and also deletes the access rows that came through this
     * group for this user, so the access ends now rather than at the next {@link #resync} (which would remove
     * them anyway: a non-member gets no {@code group:} row).
     *
     * @return true when the user was a member before
     */
    public boolean removeMemberAndAccess(String actor, String groupId, String userId) {
        requireId("groupId", groupId);
        requireId("userId", userId);
        return inTransaction(c -> {
            UserGroup group = requireGroup(c, "groupId", groupId);
            requireUser(c, "userId", userId);
            if (!removeMembership(c, actor, group, userId)) {
                return false;
            }
            update(c, "DELETE FROM vault_access WHERE user_id = ? AND via = ?", userId, VaultAccess.GROUP_PREFIX + groupId);
            return true;
        });
    }

    /** The groups a user is a member of, sorted by id. */
    public List<UserGroup> groupsOf(String userId) {
        requireId("userId", userId);
        return read(c -> {
            requireUser(c, "userId", userId);
            return groupsOf(c, userId);
        });
    }

    /** The members of a group, sorted by id. */
    public List<VaultUser> members(String groupId) {
        requireId("groupId", groupId);
        return read(c -> {
            requireGroup(c, "groupId", groupId);
            return rows(c, "SELECT u.id, u.user_target_id, u.login, u.display_name, u.disabled FROM vault_users u"
                    + " JOIN vault_group_members m ON m.user_id = u.id WHERE m.group_id = ? ORDER BY u.id",
                    DirectoryStore::user, groupId);
        });
    }

    // ================================================================ attributes

    /**
     * Replaces all values of one attribute of an account ({@code values} empty removes the attribute). Values are
     * a set: duplicates collapse, order is not kept.
     *
     * @return true when the stored values changed
     */
    public boolean setAttribute(String actor, String accountId, String name, List<String> values) {
        requireId("accountId", accountId);
        requireId("name", name);
        if (values == null) {
            throw new InvalidFieldException("values", "is required (give an empty list to remove the attribute)");
        }
        Set<String> wanted = new TreeSet<>();
        for (int i = 0; i < values.size(); i++) {
            requireText("values[" + i + "]", values.get(i), true);
            wanted.add(values.get(i));
        }
        return inTransaction(c -> {
            String targetId = requireAccount(c, "accountId", accountId).targetId();
            Set<String> current = new TreeSet<>(attribute(c, accountId, name));
            if (current.equals(wanted)) {
                return false;
            }
            update(c, "DELETE FROM account_attributes WHERE account_id = ? AND attr_name = ?", accountId, name);
            for (String value : wanted) {
                insertAttribute(c, accountId, name, value);
            }
            audit(c, actor, "ATTRIBUTE_SET", accountId, targetId, "attribute=" + name + " values=" + wanted.size());
            return true;
        });
    }

    /** @return true when the value was not there before */
    public boolean addAttributeValue(String actor, String accountId, String name, String value) {
        requireId("accountId", accountId);
        requireId("name", name);
        requireText("value", value, true);
        return inTransaction(c -> {
            String targetId = requireAccount(c, "accountId", accountId).targetId();
            if (hasAttributeValue(c, accountId, name, value)) {
                return false;
            }
            insertAttribute(c, accountId, name, value);
            audit(c, actor, "ATTRIBUTE_VALUE_ADD", accountId, targetId, "attribute=" + name + " value=" + value);
            return true;
        });
    }

    /** @return true when the value was there before */
    public boolean removeAttributeValue(String actor, String accountId, String name, String value) {
        requireId("accountId", accountId);
        requireId("name", name);
        requireText("value", value, true);
        return inTransaction(c -> {
            String targetId = requireAccount(c, "accountId", accountId).targetId();
            if (deleteAttribute(c, accountId, name, value) == 0) {
                return false;
            }
            audit(c, actor, "ATTRIBUTE_VALUE_REMOVE", accountId, targetId, "attribute=" + name + " value=" + value);
            return true;
        });
    }

    /** The values of one attribute of an account, sorted; empty when the account has none. */
    public List<String> attribute(String accountId, String name) {
        requireId("accountId", accountId);
        requireId("name", name);
        return read(c -> {
            requireAccount(c, "accountId", accountId);
            return attribute(c, accountId, name);
        });
    }

    /** All attributes of an account, names and values sorted. */
    public Map<String, List<String>> attributes(String accountId) {
        requireId("accountId", accountId);
        return read(c -> {
            requireAccount(c, "accountId", accountId);
            Map<String, List<String>> all = new LinkedHashMap<>();
            for (String[] row : rows(c, "SELECT attr_name, attr_value FROM account_attributes WHERE account_id = ?"
                    + " ORDER BY attr_name, attr_value", r -> new String[]{r.getString(1), r.getString(2)}, accountId)) {
                all.computeIfAbsent(row[0], k -> new ArrayList<>()).add(row[1]);
            }
            all.replaceAll((k, v) -> List.copyOf(v));
            return all;
        });
    }

    /**
     * Every account (on any target) whose attribute {@code name} holds {@code value}: e.g. all vault accounts
     * associated with user X ({@code ("owners", "X")}), or that list group G.
     */
    public List<Account> accountsWithAttributeValue(String name, String value) {
        requireId("name", name);
        requireText("value", value, true);
        return read(c -> rows(c, ACCOUNT_SELECT_A + " JOIN account_attributes x ON x.account_id = a.id"
                + " WHERE x.attr_name = ? AND x.attr_value = ? ORDER BY a.id", DirectoryStore::account, name, value));
    }

    /** As {@link #accountsWithAttributeValue(String, String)}, limited to the accounts of one vault target. */
    public List<Account> vaultAccountsWithAttributeValue(String vaultTargetId, String name, String value) {
        requireId("vaultTargetId", vaultTargetId);
        requireId("name", name);
        requireText("value", value, true);
        return read(c -> {
            requireTarget(c, "vaultTargetId", vaultTargetId, VAULT_TARGET_TYPE);
            return rows(c, ACCOUNT_SELECT_A + " JOIN account_attributes x ON x.account_id = a.id"
                    + " WHERE a.target_id = ? AND x.attr_name = ? AND x.attr_value = ? ORDER BY a.id",
                    DirectoryStore::account, vaultTargetId, name, value);
        });
    }

    /**
     * The vault accounts of a vault target that mirror one backing account (their link attribute holds its id).
     * Normally zero or one.
     */
    public List<Account> linkedVaultAccounts(String vaultTargetId, String linkAttr, String backingAccountId) {
        requireId("linkAttr", linkAttr);
        requireId("backingAccountId", backingAccountId);
        return vaultAccountsWithAttributeValue(vaultTargetId, linkAttr, backingAccountId);
    }

    /**
     * The account pairs of a mass password reset: every vault account of the vault target whose link attribute
     * names an existing backing account on one of {@code backingTargetIds} (all targets when empty), sorted by
     * backing account id then vault account id. Link values that name no account are left out.
     */
    public List<AccountLink> links(String vaultTargetId, String linkAttr, Collection<String> backingTargetIds) {
        requireId("vaultTargetId", vaultTargetId);
        requireId("linkAttr", linkAttr);
        List<String> targets = backingTargetIds == null ? List.of() : List.copyOf(new TreeSet<>(backingTargetIds));
        for (int i = 0; i < targets.size(); i++) {
            requireId("backingTargetIds[" + i + "]", targets.get(i));
        }
        return read(c -> {
            requireTarget(c, "vaultTargetId", vaultTargetId, VAULT_TARGET_TYPE);
            for (int i = 0; i < targets.size(); i++) {
                if (rows(c, "SELECT 1 FROM targets WHERE id = ?", r -> 1, targets.get(i)).isEmpty()) {
                    throw new UnknownEntryException("target", targets.get(i), "backingTargetIds[" + i + "]");
                }
            }
            StringBuilder sql = new StringBuilder("SELECT v.id, b.id, b.target_id FROM accounts v"
                    + " JOIN account_attributes x ON x.account_id = v.id AND x.attr_name = ?"
                    + " JOIN accounts b ON b.id = x.attr_value WHERE v.target_id = ?");
            List<Object> params = new ArrayList<>(List.of(linkAttr, vaultTargetId));
            if (!targets.isEmpty()) {
                sql.append(" AND b.target_id IN (").append("?,".repeat(targets.size() - 1)).append("?)");
                params.addAll(targets);
            }
            sql.append(" ORDER BY b.id, v.id");
            return rows(c, sql.toString(), r -> new AccountLink(r.getString(1), r.getString(2), r.getString(3)),
                    params.toArray());
        });
    }

    // ================================================================ templates

    /**
     * Creates or replaces a template (its vault target must have type {@value #VAULT_TARGET_TYPE}). Vault accounts
     * already created from it are not changed.
     *
     * @return true when the template was created
     */
    public boolean upsertTemplate(String actor, VaultTemplate template) {
        return writeTemplate(actor, template, false);
    }

    /**
     * Creates a template only when its id is free, checked in the same transaction as the insert (the API's POST).
     *
     * @return false, changing nothing, when a template with that id exists
     */
    public boolean createTemplate(String actor, VaultTemplate template) {
        return writeTemplate(actor, template, true);
    }

    private boolean writeTemplate(String actor, VaultTemplate template, boolean createOnly) {
        if (template == null) {
            throw new InvalidFieldException("template", "is required");
        }
        requireId("template.id", template.id());
        requireId("template.vaultTargetId", template.vaultTargetId());
        VaultTemplate.patternProblem(template.namePattern()).ifPresent(problem -> {
            throw new InvalidFieldException("template.namePattern", problem);
        });
        template.attributes().forEach((name, values) -> {
            requireId("template.attributes name", name);
            for (int i = 0; i < values.size(); i++) {
                requireText("template.attributes." + name + "[" + i + "]", values.get(i), true);
            }
        });
        return inTransaction(c -> {
            requireTarget(c, "template.vaultTargetId", template.vaultTargetId(), VAULT_TARGET_TYPE);
            Optional<VaultTemplate> existing = template(c, template.id());
            if (createOnly && existing.isPresent()) {
                return false;
            }
            if (existing.isPresent() && existing.get().equals(template)) {
                return false;
            }
            if (existing.isPresent()) {
                update(c, "UPDATE vault_templates SET vault_target_id = ?, name_pattern = ?, updated_at = ? WHERE id = ?",
                        template.vaultTargetId(), template.namePattern(), now(), template.id());
                update(c, "DELETE FROM vault_template_attributes WHERE template_id = ?", template.id());
            } else {
                update(c, "INSERT INTO vault_templates (id, vault_target_id, name_pattern, updated_at) VALUES (?, ?, ?, ?)",
                        template.id(), template.vaultTargetId(), template.namePattern(), now());
            }
            for (Map.Entry<String, List<String>> e : template.attributes().entrySet()) {
                for (String value : e.getValue()) {
                    update(c, "INSERT INTO vault_template_attributes (template_id, attr_name, attr_value) VALUES (?, ?, ?)",
                            template.id(), e.getKey(), value);
                }
            }
            audit(c, actor, existing.isPresent() ? "TEMPLATE_UPDATE" : "TEMPLATE_CREATE", null, template.vaultTargetId(),
                    "template=" + template.id());
            return existing.isEmpty();
        });
    }

    public Optional<VaultTemplate> findTemplate(String templateId) {
        requireId("templateId", templateId);
        return read(c -> template(c, templateId));
    }

    /** Every template, sorted by id. */
    public List<VaultTemplate> listTemplates() {
        return read(c -> {
            List<VaultTemplate> all = new ArrayList<>();
            for (String id : rows(c, "SELECT id FROM vault_templates ORDER BY id", r -> r.getString(1))) {
                template(c, id).ifPresent(all::add);
            }
            return all;
        });
    }

    /**
     * Deletes a template and its default attributes. Vault accounts created from it are not changed.
     *
     * @return false when there is no such template
     */
    public boolean deleteTemplate(String actor, String templateId) {
        requireId("templateId", templateId);
        return inTransaction(c -> {
            Optional<VaultTemplate> template = template(c, templateId);
            if (template.isEmpty()) {
                return false;
            }
            update(c, "DELETE FROM vault_template_attributes WHERE template_id = ?", templateId);
            update(c, "DELETE FROM vault_templates WHERE id = ?", templateId);
            audit(c, actor, "TEMPLATE_DELETE", null, template.get().vaultTargetId(), "template=" + templateId);
            return true;
        });
    }

    /**
     * Mass onboard step 6: creates the vault account that mirrors {@code backingAccountId} on the template's vault
     * target, in one transaction with its attributes:
     * <ul>
     *   <li>name ({@code accounts.username}) = the template's name pattern expanded for the backing account; id =
     *       the name with characters outside {@code A-Z a-z 0-9 _ . -} replaced by {@code _}; credential type =
     *       the backing account's; status UNVERIFIED, version 0 (no credential stored yet);</li>
     *   <li>attributes = the template's defaults, plus {@code linkAttr} = the backing account id,
     *       {@code associationAttr} += {@code associatedUserIds}, {@code groupAttr} += {@code groupIds}.</li>
     * </ul>
     * Idempotent: when a vault account of that vault target already links to the backing account it is returned
     * unchanged ({@code created = false}). A name or id taken by another account is a {@link ConflictException}.
     *
     * @param associationAttr may be null when {@code associatedUserIds} is empty
     * @param groupAttr       may be null when {@code groupIds} is empty
     * @param associatedUserIds existing user ids, may be null or empty
     * @param groupIds          existing user-group ids, may be null or empty
     */
    public VaultAccountCreation createVaultAccountFromTemplate(String actor, String templateId, String backingAccountId,
                                                               String linkAttr, String associationAttr, String groupAttr,
                                                               List<String> associatedUserIds, List<String> groupIds) {
        requireId("templateId", templateId);
        requireId("backingAccountId", backingAccountId);
        requireId("linkAttr", linkAttr);
        List<String> users = idList("associatedUserIds", associatedUserIds);
        List<String> groups = idList("groupIds", groupIds);
        if (associationAttr != null || !users.isEmpty()) {
            requireId("associationAttr", associationAttr);
        }
        if (groupAttr != null || !groups.isEmpty()) {
            requireId("groupAttr", groupAttr);
        }
        distinctAttributes(linkAttr, associationAttr, groupAttr);
        return inTransaction(c -> {
            VaultTemplate template = template(c, templateId).orElseThrow(() -> new UnknownEntryException("template", templateId, "templateId"));
            String vaultTargetId = template.vaultTargetId();
            requireTarget(c, "templateId", vaultTargetId, VAULT_TARGET_TYPE);
            if (!template.defaults(linkAttr).isEmpty()) {
                throw new InvalidFieldException("linkAttr", "'" + linkAttr + "' has default values in template '" + templateId
                        + "'; the link attribute may hold only the backing account id");
            }
            Account backing = account(c, backingAccountId)
                    .orElseThrow(() -> new UnknownEntryException("backing account", backingAccountId, "backingAccountId"));
            String backingType = targetType(c, backing.targetId());
            if (isVaultView(backingType)) {
                throw new InvalidFieldException("backingAccountId", "'" + backingAccountId + "' is on target '"
                        + backing.targetId() + "' of type '" + backingType + "'; a backing account is on a real target");
            }
            for (String userId : users) {
                requireUser(c, "associatedUserIds", userId);
            }
            for (String groupId : groups) {
                requireGroup(c, "groupIds", groupId);
            }
            List<Account> linked = rows(c, ACCOUNT_SELECT_A + " JOIN account_attributes x ON x.account_id = a.id"
                    + " WHERE a.target_id = ? AND x.attr_name = ? AND x.attr_value = ? ORDER BY a.id",
                    DirectoryStore::account, vaultTargetId, linkAttr, backingAccountId);
            if (!linked.isEmpty()) {
                return new VaultAccountCreation(linked.get(0), false);
            }
            String name = template.expand(backing.targetId(), backing.username(), backing.id());
            String id = VaultTemplate.accountIdFor(name);
            if (name.length() > TEXT_MAX || !ID.matcher(id).matches()) {
                throw new InvalidFieldException("templateId", "'" + templateId + "' gives backing account '" + backingAccountId
                        + "' a vault account name that is not a usable id (must match " + ID_REGEX + " once characters"
                        + " outside A-Z a-z 0-9 _ . - become _); change the template's name pattern");
            }
            Optional<Account> sameId = account(c, id);
            if (sameId.isPresent()) {
                throw new ConflictException("template '" + templateId + "' names the vault account for backing account '"
                        + backingAccountId + "' '" + id + "', but account id '" + id + "' is already taken on target '"
                        + sameId.get().targetId() + "'" + linkDescription(c, id, linkAttr));
            }
            List<String> sameName = rows(c, "SELECT id FROM accounts WHERE target_id = ? AND username = ?",
                    r -> r.getString(1), vaultTargetId, name);
            if (!sameName.isEmpty()) {
                throw new ConflictException("template '" + templateId + "' names the vault account for backing account '"
                        + backingAccountId + "' '" + name + "', but vault target '" + vaultTargetId
                        + "' already has an account of that name ('" + sameName.get(0) + "')"
                        + linkDescription(c, sameName.get(0), linkAttr));
            }
            Timestamp now = now();
            update(c, "INSERT INTO accounts (id, target_id, username, credential_type, status, version, policy_id, updated_at)"
                    + " VALUES (?, ?, ?, ?, ?, 0, NULL, ?)", id, vaultTargetId, name, backing.credentialType().name(),
                    AccountStatus.UNVERIFIED.name(), now);
            Map<String, Set<String>> attributes = new LinkedHashMap<>();
            template.attributes().forEach((k, v) -> attributes.computeIfAbsent(k, x -> new TreeSet<>()).addAll(v));
            attributes.put(linkAttr, new TreeSet<>(Set.of(backingAccountId)));
            if (!users.isEmpty()) {
                attributes.computeIfAbsent(associationAttr, x -> new TreeSet<>()).addAll(users);
            }
            if (!groups.isEmpty()) {
                attributes.computeIfAbsent(groupAttr, x -> new TreeSet<>()).addAll(groups);
            }
            for (Map.Entry<String, Set<String>> e : attributes.entrySet()) {
                for (String value : e.getValue()) {
                    insertAttribute(c, id, e.getKey(), value);
                }
            }
            audit(c, actor, "VAULT_ACCOUNT_CREATE", id, vaultTargetId, "template=" + templateId + " backing=" + backingAccountId
                    + " associations=" + users.size() + " groups=" + groups.size());
            return new VaultAccountCreation(new Account(id, vaultTargetId, name, backing.credentialType(),
                    AccountStatus.UNVERIFIED, 0, null), true);
        });
    }

    private String linkDescription(Connection c, String accountId, String linkAttr) throws SQLException {
        List<String> links = attribute(c, accountId, linkAttr);
        return links.isEmpty() ? "" : " linked to backing account '" + links.get(0) + "'";
    }

    // ================================================================ access

    /**
     * Vault discovery: recomputes {@code vault_access} for the accounts of one vault target, in one transaction
     * (concurrent resyncs of the same vault target queue behind each other). A user may use a vault account when
     * the user is enabled and
     * <ul>
     *   <li>is in its {@code associationAttr} values (via {@value VaultAccess#ASSOCIATION}), or</li>
     *   <li>is a member of a group in its {@code groupAttr} values (via {@code group:<groupId>}).</li>
     * </ul>
     * Values naming no user or group are ignored.
     *
     * <p>The vault target remembers the attribute names of its last resync (settings
     * {@value #SETTING_ASSOCIATION_ATTR} and {@value #SETTING_GROUP_ATTR}); a null name falls back to the remembered
     * one, so the seed's single-user offboard, which names no group attribute, still rebuilds group access. When
     * no name is known either, that path is not rebuilt: its existing rows are kept only while still valid (the
     * user enabled and, for a group row, still a member of the group).
     */
    public ResyncResult resync(String actor, String vaultTargetId, String associationAttr, String groupAttr) {
        requireId("vaultTargetId", vaultTargetId);
        if (associationAttr != null) {
            requireId("associationAttr", associationAttr);
        }
        if (groupAttr != null) {
            requireId("groupAttr", groupAttr);
        }
        distinctAttributes(null, associationAttr, groupAttr);
        return inTransaction(c -> {
            requireTarget(c, "vaultTargetId", vaultTargetId, VAULT_TARGET_TYPE);
            rows(c, "SELECT id FROM targets WHERE id = ? FOR UPDATE", r -> 1, vaultTargetId);
            Map<String, String> settings = settings(c, vaultTargetId);
            String association = associationAttr != null ? associationAttr : settings.get(SETTING_ASSOCIATION_ATTR);
            String group = groupAttr != null ? groupAttr : settings.get(SETTING_GROUP_ATTR);
            if (association != null && association.equals(group)) {
                // a remembered name and a given one collide: refuse rather than mix users and groups
                throw new InvalidFieldException(associationAttr == null ? "associationAttr" : "groupAttr", "must differ from the"
                        + " other attribute ('" + association + "'; vault target '" + vaultTargetId + "' remembers it)");
            }
            if (!Objects.equals(association, settings.get(SETTING_ASSOCIATION_ATTR))
                    || !Objects.equals(group, settings.get(SETTING_GROUP_ATTR))) {
                settings.put(SETTING_ASSOCIATION_ATTR, association);
                settings.put(SETTING_GROUP_ATTR, group);
                settings.values().removeIf(Objects::isNull);
                saveSettings(c, vaultTargetId, settings);
            }
            Set<VaultAccess> current = new HashSet<>(rows(c, "SELECT va.user_id, va.vault_account_id, va.via FROM vault_access va"
                    + " JOIN accounts a ON a.id = va.vault_account_id WHERE a.target_id = ?", DirectoryStore::access, vaultTargetId));
            Set<VaultAccess> wanted = new LinkedHashSet<>();
            if (association != null) {
                wanted.addAll(rows(c, "SELECT u.id, a.id, '" + VaultAccess.ASSOCIATION + "' FROM accounts a"
                        + " JOIN account_attributes x ON x.account_id = a.id AND x.attr_name = ?"
                        + " JOIN vault_users u ON u.id = x.attr_value AND u.disabled = FALSE WHERE a.target_id = ?",
                        DirectoryStore::access, association, vaultTargetId));
            } else {
                wanted.addAll(rows(c, "SELECT va.user_id, va.vault_account_id, va.via FROM vault_access va"
                        + " JOIN accounts a ON a.id = va.vault_account_id"
                        + " JOIN vault_users u ON u.id = va.user_id AND u.disabled = FALSE"
                        + " WHERE a.target_id = ? AND va.via = '" + VaultAccess.ASSOCIATION + "'",
                        DirectoryStore::access, vaultTargetId));
            }
            if (group != null) {
                wanted.addAll(rows(c, "SELECT m.user_id, a.id, '" + VaultAccess.GROUP_PREFIX + "' || m.group_id FROM accounts a"
                        + " JOIN account_attributes x ON x.account_id = a.id AND x.attr_name = ?"
                        + " JOIN vault_group_members m ON m.group_id = x.attr_value"
                        + " JOIN vault_users u ON u.id = m.user_id AND u.disabled = FALSE WHERE a.target_id = ?",
                        DirectoryStore::access, group, vaultTargetId));
            } else {
                wanted.addAll(rows(c, "SELECT va.user_id, va.vault_account_id, va.via FROM vault_access va"
                        + " JOIN accounts a ON a.id = va.vault_account_id"
                        + " JOIN vault_users u ON u.id = va.user_id AND u.disabled = FALSE"
                        + " JOIN vault_group_members m ON m.user_id = va.user_id"
                        + " AND va.via = '" + VaultAccess.GROUP_PREFIX + "' || m.group_id WHERE a.target_id = ?",
                        DirectoryStore::access, vaultTargetId));
            }
            List<VaultAccess> removed = current.stream().filter(a -> !wanted.contains(a)).toList();
            List<VaultAccess> added = wanted.stream().filter(a -> !current.contains(a)).toList();
            batch(c, "DELETE FROM vault_access WHERE user_id = ? AND vault_account_id = ? AND via = ?", removed);
            batch(c, "INSERT INTO vault_access (user_id, vault_account_id, via) VALUES (?, ?, ?)", added);
            ResyncResult result = new ResyncResult(vaultTargetId, association, group, added.size(), removed.size(),
                    wanted.size());
            audit(c, actor, "ACCESS_RESYNC", null, vaultTargetId, "associationAttr=" + association + " groupAttr="
                    + group + " added=" + result.added() + " removed=" + result.removed() + " total=" + result.total());
            return result;
        });
    }

    /** The vault accounts a user may use (as of the last {@link #resync}); empty for a disabled user. */
    public List<Account> accessibleAccounts(String userId) {
        requireId("userId", userId);
        return read(c -> {
            requireUser(c, "userId", userId);
            return rows(c, ACCOUNT_SELECT_A + " WHERE a.id IN (SELECT va.vault_account_id FROM vault_access va"
                    + " JOIN vault_users u ON u.id = va.user_id AND u.disabled = FALSE WHERE va.user_id = ?) ORDER BY a.id",
                    DirectoryStore::account, userId);
        });
    }

    /** The access rows of a user, with the path each comes through; empty for a disabled user. */
    public List<VaultAccess> accessOf(String userId) {
        requireId("userId", userId);
        return read(c -> {
            requireUser(c, "userId", userId);
            return rows(c, "SELECT va.user_id, va.vault_account_id, va.via FROM vault_access va"
                    + " JOIN vault_users u ON u.id = va.user_id AND u.disabled = FALSE WHERE va.user_id = ?"
                    + " ORDER BY va.vault_account_id, va.via", DirectoryStore::access, userId);
        });
    }

    /** Who may use a vault account (enabled users only), with the path each comes through. */
    public List<VaultAccess> accessTo(String vaultAccountId) {
        requireId("vaultAccountId", vaultAccountId);
        return read(c -> {
            requireAccount(c, "vaultAccountId", vaultAccountId);
            return rows(c, "SELECT va.user_id, va.vault_account_id, va.via FROM vault_access va"
                    + " JOIN vault_users u ON u.id = va.user_id AND u.disabled = FALSE WHERE va.vault_account_id = ?"
                    + " ORDER BY va.user_id, va.via", DirectoryStore::access, vaultAccountId);
        });
    }

    /** Whether an enabled user may use a vault account, as of the last {@link #resync}. */
    public boolean canUse(String userId, String vaultAccountId) {
        requireId("userId", userId);
        requireId("vaultAccountId", vaultAccountId);
        return read(c -> {
            requireUser(c, "userId", userId);
            requireAccount(c, "vaultAccountId", vaultAccountId);
            return !rows(c, "SELECT 1 FROM vault_access va JOIN vault_users u ON u.id = va.user_id AND u.disabled = FALSE"
                    + " WHERE va.user_id = ? AND va.vault_account_id = ?", r -> 1, userId, vaultAccountId).isEmpty();
        });
    }

    // ================================================================ offboarding (each step idempotent)

    /**
     * Single-user offboard step 1: the inheriting user joins every group of the departing user. Both users must
     * be on the same user target; the inheriting user must be enabled.
     *
     * @return the number of groups joined (0 when run again)
     */
    public int inheritGroups(String actor, String fromUserId, String toUserId) {
        requireId("fromUserId", fromUserId);
        requireId("toUserId", toUserId);
        return inTransaction(c -> {
            VaultUser[] pair = requireOffboardPair(c, fromUserId, toUserId);
            if (!pair[0].userTargetId().equals(pair[1].userTargetId())) {
                throw new ConflictException("user '" + fromUserId + "' is on user target '" + pair[0].userTargetId()
                        + "' but user '" + toUserId + "' is on '" + pair[1].userTargetId() + "'; groups belong to one user target");
            }
            int joined = 0;
            for (UserGroup group : groupsOf(c, fromUserId)) {
                if (addMembership(c, actor, group, toUserId)) {
                    joined++;
                }
            }
            return joined;
        });
    }

    /**
     * Single-user offboard step 2: on every vault account of the vault target whose {@code associationAttr} holds
     * {@code fromUserId}, replaces it with {@code toUserId} (kept once when already there). One audit record per
     * account.
     *
     * @return the number of vault accounts moved (0 when run again)
     */
    public int transferAssociations(String actor, String vaultTargetId, String associationAttr, String fromUserId,
                                    String toUserId) {
        requireId("vaultTargetId", vaultTargetId);
        requireId("associationAttr", associationAttr);
        requireId("fromUserId", fromUserId);
        requireId("toUserId", toUserId);
        return inTransaction(c -> {
            requireTarget(c, "vaultTargetId", vaultTargetId, VAULT_TARGET_TYPE);
            requireOffboardPair(c, fromUserId, toUserId);
            List<String> accounts = rows(c, "SELECT a.id FROM accounts a JOIN account_attributes x ON x.account_id = a.id"
                    + " WHERE a.target_id = ? AND x.attr_name = ? AND x.attr_value = ? ORDER BY a.id",
                    r -> r.getString(1), vaultTargetId, associationAttr, fromUserId);
            for (String accountId : accounts) {
                deleteAttribute(c, accountId, associationAttr, fromUserId);
                if (!hasAttributeValue(c, accountId, associationAttr, toUserId)) {
                    insertAttribute(c, accountId, associationAttr, toUserId);
                }
                audit(c, actor, "ASSOCIATION_TRANSFER", accountId, vaultTargetId, "attribute=" + associationAttr
                        + " from=" + fromUserId + " to=" + toUserId);
            }
            return accounts.size();
        });
    }

    /**
     * Single-user offboard step 3: removes the user from every group it is a member of.
     *
     * @return the number of groups left (0 when run again)
     */
    public int leaveAllGroups(String actor, String userId) {
        requireId("userId", userId);
        return inTransaction(c -> {
            requireUser(c, "userId", userId);
            int left = 0;
            for (UserGroup group : groupsOf(c, userId)) {
                if (removeMembership(c, actor, group, userId)) {
                    left++;
                }
            }
            return left;
        });
    }

    private VaultUser[] requireOffboardPair(Connection c, String fromUserId, String toUserId) throws SQLException {
        if (fromUserId.equals(toUserId)) {
            throw new InvalidFieldException("toUserId", "must differ from fromUserId ('" + fromUserId + "')");
        }
        VaultUser from = requireUser(c, "fromUserId", fromUserId);
        VaultUser to = requireUser(c, "toUserId", toUserId);
        if (to.disabled()) {
            throw new InvalidFieldException("toUserId", "'" + toUserId + "' is disabled and cannot inherit access");
        }
        return new VaultUser[]{from, to};
    }

    // ================================================================ helpers: rows

    private static final String USER_SELECT = "SELECT id, user_target_id, login, display_name, disabled FROM vault_users";
    private static final String GROUP_SELECT = "SELECT id, user_target_id, name FROM vault_user_groups";
    private static final String ACCOUNT_SELECT_A =
            "SELECT a.id, a.target_id, a.username, a.credential_type, a.status, a.version, a.policy_id FROM accounts a";

    private static VaultUser user(ResultSet r) throws SQLException {
        return new VaultUser(r.getString(1), r.getString(2), r.getString(3), r.getString(4), r.getBoolean(5));
    }

    private static UserGroup group(ResultSet r) throws SQLException {
        return new UserGroup(r.getString(1), r.getString(2), r.getString(3));
    }

    private static Account account(ResultSet r) throws SQLException {
        return new Account(r.getString(1), r.getString(2), r.getString(3), CredentialType.valueOf(r.getString(4)),
                AccountStatus.valueOf(r.getString(5)), r.getLong(6), r.getString(7));
    }

    private static VaultAccess access(ResultSet r) throws SQLException {
        return new VaultAccess(r.getString(1), r.getString(2), r.getString(3));
    }

    private Optional<VaultUser> user(Connection c, String id) throws SQLException {
        return rows(c, USER_SELECT + " WHERE id = ?", DirectoryStore::user, id).stream().findFirst();
    }

    private Optional<UserGroup> group(Connection c, String id) throws SQLException {
        return rows(c, GROUP_SELECT + " WHERE id = ?", DirectoryStore::group, id).stream().findFirst();
    }

    private Optional<Account> account(Connection c, String id) throws SQLException {
        return rows(c, ACCOUNT_SELECT_A + " WHERE a.id = ?", DirectoryStore::account, id).stream().findFirst();
    }

    private Optional<VaultTemplate> template(Connection c, String id) throws SQLException {
        List<String[]> head = rows(c, "SELECT vault_target_id, name_pattern FROM vault_templates WHERE id = ?",
                r -> new String[]{r.getString(1), r.getString(2)}, id);
        if (head.isEmpty()) {
            return Optional.empty();
        }
        Map<String, List<String>> attributes = new LinkedHashMap<>();
        for (String[] row : rows(c, "SELECT attr_name, attr_value FROM vault_template_attributes WHERE template_id = ?"
                + " ORDER BY attr_name, attr_value", r -> new String[]{r.getString(1), r.getString(2)}, id)) {
            attributes.computeIfAbsent(row[0], k -> new ArrayList<>()).add(row[1]);
        }
        return Optional.of(new VaultTemplate(id, head.get(0)[0], head.get(0)[1], attributes));
    }

    private List<UserGroup> groupsOf(Connection c, String userId) throws SQLException {
        return rows(c, "SELECT g.id, g.user_target_id, g.name FROM vault_user_groups g"
                + " JOIN vault_group_members m ON m.group_id = g.id WHERE m.user_id = ? ORDER BY g.id", DirectoryStore::group, userId);
    }

    private List<String> attribute(Connection c, String accountId, String name) throws SQLException {
        return rows(c, "SELECT attr_value FROM account_attributes WHERE account_id = ? AND attr_name = ? ORDER BY attr_value",
                r -> r.getString(1), accountId, name);
    }

    private boolean hasAttributeValue(Connection c, String accountId, String name, String value) throws SQLException {
        return !rows(c, "SELECT 1 FROM account_attributes WHERE account_id = ? AND attr_name = ? AND attr_value = ?",
                r -> 1, accountId, name, value).isEmpty();
    }

    private void insertAttribute(Connection c, String accountId, String name, String value) throws SQLException {
        update(c, "INSERT INTO account_attributes (account_id, attr_name, attr_value) VALUES (?, ?, ?)", accountId, name, value);
    }

    private int deleteAttribute(Connection c, String accountId, String name, String value) throws SQLException {
        return update(c, "DELETE FROM account_attributes WHERE account_id = ? AND attr_name = ? AND attr_value = ?",
                accountId, name, value);
    }

    private boolean addMembership(Connection c, String actor, UserGroup group, String userId) throws SQLException {
        if (!rows(c, "SELECT 1 FROM vault_group_members WHERE group_id = ? AND user_id = ?", r -> 1, group.id(), userId).isEmpty()) {
            return false;
        }
        update(c, "INSERT INTO vault_group_members (group_id, user_id) VALUES (?, ?)", group.id(), userId);
        audit(c, actor, "GROUP_MEMBER_ADD", null, group.userTargetId(), "group=" + group.id() + " user=" + userId);
        return true;
    }

    private boolean removeMembership(Connection c, String actor, UserGroup group, String userId) throws SQLException {
        if (update(c, "DELETE FROM vault_group_members WHERE group_id = ? AND user_id = ?", group.id(), userId) == 0) {
            return false;
        }
        audit(c, actor, "GROUP_MEMBER_REMOVE", null, group.userTargetId(), "group=" + group.id() + " user=" + userId);
        return true;
    }

    // ================================================================ helpers: validation

    private static void requireId(String field, String value) {
        if (value == null || value.isEmpty()) {
            throw new InvalidFieldException(field, "is required");
        }
        if (!ID.matcher(value).matches()) {
            // the value is not echoed: it may hold line breaks that would forge log lines
            throw new InvalidFieldException(field, "must match " + ID_REGEX
                    + " (1 to 128 letters, digits, _ . -, starting with a letter or digit)");
        }
    }

    private static void requireText(String field, String value, boolean required) {
        if (value == null || value.isBlank()) {
            if (required) {
                throw new InvalidFieldException(field, "must not be blank");
            }
            if (value == null) {
                return;
            }
        }
        if (value.length() > TEXT_MAX) {
            throw new InvalidFieldException(field, "must be at most " + TEXT_MAX + " characters (is " + value.length() + ")");
        }
        for (int i = 0; i < value.length(); i++) {
            char ch = value.charAt(i);
            if (Character.isISOControl(ch) || Character.getType(ch) == Character.FORMAT) {
                throw new InvalidFieldException(field, "must not contain control characters (found at index " + i + ")");
            }
        }
    }

    private static List<String> idList(String field, List<String> ids) {
        if (ids == null) {
            return List.of();
        }
        for (int i = 0; i < ids.size(); i++) {
            requireId(field + "[" + i + "]", ids.get(i));
        }
        return List.copyOf(new TreeSet<>(ids));
    }

    private static void distinctAttributes(String linkAttr, String associationAttr, String groupAttr) {
        if (linkAttr != null && linkAttr.equals(associationAttr)) {
            throw new InvalidFieldException("associationAttr", "must differ from linkAttr ('" + linkAttr + "')");
        }
        if (linkAttr != null && linkAttr.equals(groupAttr)) {
            throw new InvalidFieldException("groupAttr", "must differ from linkAttr ('" + linkAttr + "')");
        }
        if (associationAttr != null && associationAttr.equals(groupAttr)) {
            throw new InvalidFieldException("groupAttr", "must differ from associationAttr ('" + associationAttr + "')");
        }
    }

    private static void checkType(String field, String targetId, String actual, String expected) {
        if (!expected.equals(actual)) {
            String role = VAULT_TARGET_TYPE.equals(expected) ? "a vault target" : "a vault user target";
            throw new InvalidFieldException(field, "'" + targetId + "' is a target of type '" + actual + "'; "
                    + role + " must have type '" + expected + "'");
        }
    }

    private Map<String, String> settings(Connection c, String targetId) throws SQLException {
        String json = rows(c, "SELECT settings_json FROM targets WHERE id = ?", r -> r.getString(1), targetId).get(0);
        try {
            return new TreeMap<>(JSON.readValue(json, new TypeReference<Map<String, String>>() { }));
        } catch (JsonProcessingException e) {
            throw new VaultException("unreadable settings for target '" + targetId + "'", e);
        }
    }

    private void saveSettings(Connection c, String targetId, Map<String, String> settings) throws SQLException {
        try {
            update(c, "UPDATE targets SET settings_json = ? WHERE id = ?", JSON.writeValueAsString(settings), targetId);
        } catch (JsonProcessingException e) {
            throw new VaultException("cannot store the settings of target '" + targetId + "'", e);
        }
    }

    private String targetType(Connection c, String targetId) throws SQLException {
        List<String> types = rows(c, "SELECT type FROM targets WHERE id = ?", r -> r.getString(1), targetId);
        return types.isEmpty() ? null : types.get(0);
    }

    private void requireTarget(Connection c, String field, String targetId, String type) throws SQLException {
        String actual = targetType(c, targetId);
        if (actual == null) {
            throw new UnknownEntryException(VAULT_TARGET_TYPE.equals(type) ? "vault target" : "user target", targetId, field);
        }
        checkType(field, targetId, actual, type);
    }

    private VaultUser requireUser(Connection c, String field, String userId) throws SQLException {
        return user(c, userId).orElseThrow(() -> new UnknownEntryException("user", userId, field));
    }

    private UserGroup requireGroup(Connection c, String field, String groupId) throws SQLException {
        return group(c, groupId).orElseThrow(() -> new UnknownEntryException("user group", groupId, field));
    }

    private Account requireAccount(Connection c, String field, String accountId) throws SQLException {
        return account(c, accountId).orElseThrow(() -> new UnknownAccountException(accountId, field));
    }

    // ================================================================ helpers: JDBC

    private void audit(Connection c, String actor, String operation, String accountId, String targetId, String detail)
            throws SQLException {
        String who = actor == null || actor.isBlank() ? "system" : actor;
        update(c, "INSERT INTO audit_log (at, actor, operation, account_id, target_id, rotation_id, outcome, detail)"
                        + " VALUES (?, ?, ?, ?, ?, NULL, 'SUCCEEDED', ?)", now(), who.length() > 128 ? who.substring(0, 128) : who,
                operation, accountId, targetId, detail.length() > DETAIL_MAX ? detail.substring(0, DETAIL_MAX) : detail);
    }

    private Timestamp now() {
        return Timestamp.from(clock.instant());
    }

    @FunctionalInterface
    private interface RowMapper<T> {
        T map(ResultSet r) throws SQLException;
    }

    @FunctionalInterface
    private interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    private static <T> List<T> rows(Connection c, String sql, RowMapper<T> mapper, Object... params) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql)) {
            bind(s, params);
            try (ResultSet r = s.executeQuery()) {
                List<T> out = new ArrayList<>();
                while (r.next()) {
                    out.add(mapper.map(r));
                }
                return out;
            }
        }
    }

    private static int update(Connection c, String sql, Object... params) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql)) {
            bind(s, params);
            return s.executeUpdate();
        }
    }

    private static void batch(Connection c, String sql, List<VaultAccess> rows) throws SQLException {
        if (rows.isEmpty()) {
            return;
        }
        try (PreparedStatement s = c.prepareStatement(sql)) {
            int pending = 0;
            for (VaultAccess a : rows) {
                s.setString(1, a.userId());
                s.setString(2, a.vaultAccountId());
                s.setString(3, a.via());
                s.addBatch();
                if (++pending == 500) {
                    s.executeBatch();
                    pending = 0;
                }
            }
            if (pending > 0) {
                s.executeBatch();
            }
        }
    }

    private static void bind(PreparedStatement s, Object... params) throws SQLException {
        for (int i = 0; i < params.length; i++) {
            Object p = params[i];
            if (p == null) {
                s.setNull(i + 1, java.sql.Types.VARCHAR);
            } else if (p instanceof Boolean b) {
                s.setBoolean(i + 1, b);
            } else if (p instanceof Timestamp t) {
                s.setTimestamp(i + 1, t);
            } else {
                s.setString(i + 1, p.toString());
            }
        }
    }

    private <T> T read(Work<T> work) {
        try (Connection c = dataSource.getConnection()) {
            return work.run(c);
        } catch (SQLException e) {
            throw new VaultException("vault query failed: " + e.getMessage(), e);
        }
    }

    private <T> T inTransaction(Work<T> work) {
        try (Connection c = dataSource.getConnection()) {
            boolean autoCommit = c.getAutoCommit();
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(autoCommit);
            }
        } catch (SQLException e) {
            throw new VaultException("vault write failed, nothing was changed: " + e.getMessage(), e);
        }
    }
}
