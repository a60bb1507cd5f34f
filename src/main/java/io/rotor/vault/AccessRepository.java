package io.rotor.vault;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rotor.domain.Account;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.PreparedBatch;
import org.jdbi.v3.core.statement.Query;

import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

import static io.rotor.vault.DirectoryRows.ACCESS;
import static io.rotor.vault.DirectoryRows.ACCESS_SELECT;
import static io.rotor.vault.DirectoryRows.ACCOUNT;
import static io.rotor.vault.DirectoryRows.ACCOUNT_SELECT;
import static io.rotor.vault.DirectoryRows.audited;
import static io.rotor.vault.DirectoryRows.requireAccount;
import static io.rotor.vault.DirectoryRows.requireTarget;
import static io.rotor.vault.DirectoryRows.requireUser;
import static io.rotor.vault.DirectoryRules.requireId;
import static io.rotor.vault.VaultModel.SETTING_ASSOCIATION_ATTR;
import static io.rotor.vault.VaultModel.SETTING_GROUP_ATTR;
import static io.rotor.vault.VaultModel.VAULT_TARGET_TYPE;

/**
 * Who may use which vault account ({@link VaultModel}, whose conventions every method follows): the
 * {@code vault_access} table, materialised per vault target by {@link #resync} from the association and group
 * attributes, and the questions asked of it. A disabled user can use nothing, whatever its rows say.
 */
public final class AccessRepository {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int BATCH_SIZE = 500;
    /** Access rows whose user is enabled (joined as {@code u}). */
    private static final String ENABLED_ACCESS = ACCESS_SELECT
            + " JOIN vault_users u ON u.id = va.user_id AND u.disabled = FALSE";

    private final UnitOfWork work;
    private final AuditLog audit;
    private final RowSeal seal;

    public AccessRepository(UnitOfWork work, AuditLog audit, RowSeal seal) {
        this.work = work;
        this.audit = audit;
        this.seal = seal;
    }

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
     * {@value VaultModel#SETTING_ASSOCIATION_ATTR} and {@value VaultModel#SETTING_GROUP_ATTR}); a null name falls
     * back to the remembered one, so the seed's single-user offboard, which names no group attribute, still rebuilds
     * group access. When no name is known either, that path is not rebuilt: its existing rows are kept only while
     * still valid (the user enabled and, for a group row, still a member of the group).
     */
    public ResyncResult resync(String actor, String vaultTargetId, String associationAttr, String groupAttr) {
        requireId("vaultTargetId", vaultTargetId);
        if (associationAttr != null) {
            requireId("associationAttr", associationAttr);
        }
        if (groupAttr != null) {
            requireId("groupAttr", groupAttr);
        }
        DirectoryRules.distinctAttributes(null, associationAttr, groupAttr);
        return work.inTransaction(h -> {
            requireTarget(h, "vaultTargetId", vaultTargetId, VAULT_TARGET_TYPE);
            h.createQuery("SELECT id FROM targets WHERE id = :id FOR UPDATE").bind("id", vaultTargetId)
                    .mapTo(String.class).list();
            Map<String, String> settings = settings(h, vaultTargetId);
            String association = associationAttr != null ? associationAttr : settings.get(SETTING_ASSOCIATION_ATTR);
            String group = groupAttr != null ? groupAttr : settings.get(SETTING_GROUP_ATTR);
            if (association != null && association.equals(group)) {
                // a remembered name and a given one collide: refuse rather than mix users and groups
                throw new InvalidFieldException(associationAttr == null ? "associationAttr" : "groupAttr", "must differ"
                        + " from the other attribute ('" + association + "'; vault target '" + vaultTargetId
                        + "' remembers it)");
            }
            if (!Objects.equals(association, settings.get(SETTING_ASSOCIATION_ATTR))
                    || !Objects.equals(group, settings.get(SETTING_GROUP_ATTR))) {
                settings.put(SETTING_ASSOCIATION_ATTR, association);
                settings.put(SETTING_GROUP_ATTR, group);
                settings.values().removeIf(Objects::isNull);
                saveSettings(h, seal, vaultTargetId, settings);
            }
            Set<VaultAccess> current = new HashSet<>(accessRows(h, ACCESS_SELECT
                    + " JOIN accounts a ON a.id = va.vault_account_id WHERE a.target_id = :vaultTargetId", vaultTargetId, null));
            Set<VaultAccess> wanted = new LinkedHashSet<>();
            if (association != null) {
                wanted.addAll(accessRows(h, "SELECT u.id, a.id, '" + VaultAccess.ASSOCIATION + "' FROM accounts a"
                        + " JOIN account_attributes x ON x.account_id = a.id AND x.attr_name = :attr"
                        + " JOIN vault_users u ON u.id = x.attr_value AND u.disabled = FALSE"
                        + " WHERE a.target_id = :vaultTargetId", vaultTargetId, association));
            } else {
                wanted.addAll(accessRows(h, ENABLED_ACCESS + " JOIN accounts a ON a.id = va.vault_account_id"
                        + " WHERE a.target_id = :vaultTargetId AND va.via = '" + VaultAccess.ASSOCIATION + "'",
                        vaultTargetId, null));
            }
            if (group != null) {
                wanted.addAll(accessRows(h, "SELECT m.user_id, a.id, '" + VaultAccess.GROUP_PREFIX + "' || m.group_id"
                        + " FROM accounts a JOIN account_attributes x ON x.account_id = a.id AND x.attr_name = :attr"
                        + " JOIN vault_group_members m ON m.group_id = x.attr_value"
                        + " JOIN vault_users u ON u.id = m.user_id AND u.disabled = FALSE"
                        + " WHERE a.target_id = :vaultTargetId", vaultTargetId, group));
            } else {
                wanted.addAll(accessRows(h, ENABLED_ACCESS + " JOIN accounts a ON a.id = va.vault_account_id"
                        + " JOIN vault_group_members m ON m.user_id = va.user_id"
                        + " AND va.via = '" + VaultAccess.GROUP_PREFIX + "' || m.group_id"
                        + " WHERE a.target_id = :vaultTargetId", vaultTargetId, null));
            }
            List<VaultAccess> removed = current.stream().filter(a -> !wanted.contains(a)).toList();
            List<VaultAccess> added = wanted.stream().filter(a -> !current.contains(a)).toList();
            batch(h, "DELETE FROM vault_access WHERE user_id = :userId AND vault_account_id = :vaultAccountId"
                    + " AND via = :via", removed);
            batch(h, "INSERT INTO vault_access (user_id, vault_account_id, via) VALUES (:userId, :vaultAccountId, :via)",
                    added);
            ResyncResult result = new ResyncResult(vaultTargetId, association, group, added.size(), removed.size(),
                    wanted.size());
            audit.write(h, audited(actor, "ACCESS_RESYNC", null, vaultTargetId, "associationAttr=" + association
                    + " groupAttr=" + group + " added=" + result.added() + " removed=" + result.removed()
                    + " total=" + result.total()));
            return result;
        });
    }

    /** The vault accounts a user may use (as of the last {@link #resync}); empty for a disabled user. */
    public List<Account> accessibleAccounts(String userId) {
        requireId("userId", userId);
        return work.read(h -> {
            requireUser(h, "userId", userId);
            return h.createQuery(ACCOUNT_SELECT + " WHERE a.id IN (SELECT va.vault_account_id FROM vault_access va"
                            + " JOIN vault_users u ON u.id = va.user_id AND u.disabled = FALSE"
                            + " WHERE va.user_id = :userId) ORDER BY a.id")
                    .bind("userId", userId).map(ACCOUNT).list();
        });
    }

    /** The access rows of a user, with the path each comes through; empty for a disabled user. */
    public List<VaultAccess> accessOf(String userId) {
        requireId("userId", userId);
        return work.read(h -> {
            requireUser(h, "userId", userId);
            return h.createQuery(ENABLED_ACCESS + " WHERE va.user_id = :userId ORDER BY va.vault_account_id, va.via")
                    .bind("userId", userId).map(ACCESS).list();
        });
    }

    /** Who may use a vault account (enabled users only), with the path each comes through. */
    public List<VaultAccess> accessTo(String vaultAccountId) {
        requireId("vaultAccountId", vaultAccountId);
        return work.read(h -> {
            requireAccount(h, "vaultAccountId", vaultAccountId);
            return h.createQuery(ENABLED_ACCESS + " WHERE va.vault_account_id = :vaultAccountId ORDER BY va.user_id, va.via")
                    .bind("vaultAccountId", vaultAccountId).map(ACCESS).list();
        });
    }

    /** Whether an enabled user may use a vault account, as of the last {@link #resync}. */
    public boolean canUse(String userId, String vaultAccountId) {
        requireId("userId", userId);
        requireId("vaultAccountId", vaultAccountId);
        return work.read(h -> {
            requireUser(h, "userId", userId);
            requireAccount(h, "vaultAccountId", vaultAccountId);
            return h.createQuery("SELECT 1 FROM vault_access va JOIN vault_users u ON u.id = va.user_id"
                            + " AND u.disabled = FALSE WHERE va.user_id = :userId AND va.vault_account_id = :vaultAccountId")
                    .bind("userId", userId).bind("vaultAccountId", vaultAccountId).mapTo(Integer.class).findFirst()
                    .isPresent();
        });
    }

    /** Access rows of one vault target's query; {@code attr} binds {@code :attr} when not null. */
    private static List<VaultAccess> accessRows(Handle h, String sql, String vaultTargetId, String attr) {
        Query query = h.createQuery(sql).bind("vaultTargetId", vaultTargetId);
        if (attr != null) {
            query.bind("attr", attr);
        }
        return query.map(ACCESS).list();
    }

    private static void batch(Handle h, String sql, List<VaultAccess> rows) {
        for (int from = 0; from < rows.size(); from += BATCH_SIZE) {
            try (PreparedBatch batch = h.prepareBatch(sql)) {
                for (VaultAccess a : rows.subList(from, Math.min(rows.size(), from + BATCH_SIZE))) {
                    batch.bind("userId", a.userId()).bind("vaultAccountId", a.vaultAccountId()).bind("via", a.via()).add();
                }
                batch.execute();
            }
        }
    }

    private static Map<String, String> settings(Handle h, String targetId) {
        String json = h.createQuery("SELECT settings_json FROM targets WHERE id = :id").bind("id", targetId)
                .mapTo(String.class).one();
        try {
            return new TreeMap<>(JSON.readValue(json, new TypeReference<Map<String, String>>() { }));
        } catch (JsonProcessingException e) {
            throw new VaultException("unreadable settings for target '" + targetId + "'", e);
        }
    }

    private static void saveSettings(Handle h, RowSeal seal, String targetId, Map<String, String> settings) {
        try {
            TargetRepository.updateSettings(h, seal, targetId, JSON.writeValueAsString(settings));
        } catch (JsonProcessingException e) {
            throw new VaultException("cannot store the settings of target '" + targetId + "'", e);
        }
    }
}
