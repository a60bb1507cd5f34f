package io.rotor.vault;

import io.rotor.domain.Account;
import org.jdbi.v3.core.statement.Query;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static io.rotor.vault.DirectoryRows.ACCOUNT;
import static io.rotor.vault.DirectoryRows.ACCOUNT_SELECT;
import static io.rotor.vault.DirectoryRows.audited;
import static io.rotor.vault.DirectoryRows.requireAccount;
import static io.rotor.vault.DirectoryRows.requireTarget;
import static io.rotor.vault.DirectoryRules.requireId;
import static io.rotor.vault.DirectoryRules.requireText;
import static io.rotor.vault.VaultModel.VAULT_TARGET_TYPE;

/**
 * The multi-valued attributes of accounts ({@link VaultModel}, whose conventions every method follows): a set of
 * values per name, on any account. The link attribute pairs vault accounts with their backing accounts
 * ({@link #links}); the association attribute moves from one user to another at an offboard
 * ({@link #transferAssociations}). Access computed from attributes is in {@link AccessRepository}.
 */
public final class AttributeRepository {
    private final UnitOfWork work;
    private final AuditLog audit;

    public AttributeRepository(UnitOfWork work, AuditLog audit) {
        this.work = work;
        this.audit = audit;
    }

    // ---------------------------------------------------------------- writes

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
        return work.inTransaction(h -> {
            String targetId = requireAccount(h, "accountId", accountId).targetId();
            Set<String> current = new TreeSet<>(DirectoryRows.attribute(h, accountId, name));
            if (current.equals(wanted)) {
                return false;
            }
            h.createUpdate("DELETE FROM account_attributes WHERE account_id = :accountId AND attr_name = :name")
                    .bind("accountId", accountId).bind("name", name).execute();
            for (String value : wanted) {
                DirectoryRows.insertAttribute(h, accountId, name, value);
            }
            audit.write(h, audited(actor, "ATTRIBUTE_SET", accountId, targetId,
                    "attribute=" + name + " values=" + wanted.size()));
            return true;
        });
    }

    /** @return true when the value was not there before */
    public boolean addAttributeValue(String actor, String accountId, String name, String value) {
        requireId("accountId", accountId);
        requireId("name", name);
        requireText("value", value, true);
        return work.inTransaction(h -> {
            String targetId = requireAccount(h, "accountId", accountId).targetId();
            if (DirectoryRows.hasAttributeValue(h, accountId, name, value)) {
                return false;
            }
            DirectoryRows.insertAttribute(h, accountId, name, value);
            audit.write(h, audited(actor, "ATTRIBUTE_VALUE_ADD", accountId, targetId,
                    "attribute=" + name + " value=" + value));
            return true;
        });
    }

    /** @return true when the value was there before */
    public boolean removeAttributeValue(String actor, String accountId, String name, String value) {
        requireId("accountId", accountId);
        requireId("name", name);
        requireText("value", value, true);
        return work.inTransaction(h -> {
            String targetId = requireAccount(h, "accountId", accountId).targetId();
            if (DirectoryRows.deleteAttribute(h, accountId, name, value) == 0) {
                return false;
            }
            audit.write(h, audited(actor, "ATTRIBUTE_VALUE_REMOVE", accountId, targetId,
                    "attribute=" + name + " value=" + value));
            return true;
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
        return transferAssociations(actor, vaultTargetId, associationAttr, fromUserId, toUserId, null);
    }

    /**
     * As {@link #transferAssociations(String, String, String, String, String)}, limited to the vault accounts in
     * {@code onlyVaultAccountIds} (null: every vault account of the target); the others keep their associations.
     */
    public int transferAssociations(String actor, String vaultTargetId, String associationAttr, String fromUserId,
                                    String toUserId, java.util.Set<String> onlyVaultAccountIds) {
        requireId("vaultTargetId", vaultTargetId);
        requireId("associationAttr", associationAttr);
        requireId("fromUserId", fromUserId);
        requireId("toUserId", toUserId);
        return work.inTransaction(h -> {
            requireTarget(h, "vaultTargetId", vaultTargetId, VAULT_TARGET_TYPE);
            DirectoryRows.requireOffboardPair(h, fromUserId, toUserId);
            List<Account> accounts = DirectoryRows.accountsWithAttributeValue(h, vaultTargetId, associationAttr, fromUserId)
                    .stream().filter(a -> onlyVaultAccountIds == null || onlyVaultAccountIds.contains(a.id())).toList();
            for (Account account : accounts) {
                DirectoryRows.deleteAttribute(h, account.id(), associationAttr, fromUserId);
                if (!DirectoryRows.hasAttributeValue(h, account.id(), associationAttr, toUserId)) {
                    DirectoryRows.insertAttribute(h, account.id(), associationAttr, toUserId);
                }
                audit.write(h, audited(actor, "ASSOCIATION_TRANSFER", account.id(), vaultTargetId,
                        "attribute=" + associationAttr + " from=" + fromUserId + " to=" + toUserId));
            }
            return accounts.size();
        });
    }

    // ---------------------------------------------------------------- reads

    /** The values of one attribute of an account, sorted; empty when the account has none. */
    public List<String> attribute(String accountId, String name) {
        requireId("accountId", accountId);
        requireId("name", name);
        return work.read(h -> {
            requireAccount(h, "accountId", accountId);
            return DirectoryRows.attribute(h, accountId, name);
        });
    }

    /** All attributes of an account, names and values sorted. */
    public Map<String, List<String>> attributes(String accountId) {
        requireId("accountId", accountId);
        return work.read(h -> {
            requireAccount(h, "accountId", accountId);
            Map<String, List<String>> all = new LinkedHashMap<>();
            h.createQuery("SELECT attr_name, attr_value FROM account_attributes WHERE account_id = :accountId"
                            + " ORDER BY attr_name, attr_value")
                    .bind("accountId", accountId)
                    .map((r, ctx) -> new String[]{r.getString(1), r.getString(2)})
                    .forEach(row -> all.computeIfAbsent(row[0], k -> new ArrayList<>()).add(row[1]));
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
        return work.read(h -> h.createQuery(ACCOUNT_SELECT + " JOIN account_attributes x ON x.account_id = a.id"
                        + " WHERE x.attr_name = :name AND x.attr_value = :value ORDER BY a.id")
                .bind("name", name).bind("value", value).map(ACCOUNT).list());
    }

    /** As {@link #accountsWithAttributeValue(String, String)}, limited to the accounts of one vault target. */
    public List<Account> vaultAccountsWithAttributeValue(String vaultTargetId, String name, String value) {
        requireId("vaultTargetId", vaultTargetId);
        requireId("name", name);
        requireText("value", value, true);
        return work.read(h -> {
            requireTarget(h, "vaultTargetId", vaultTargetId, VAULT_TARGET_TYPE);
            return DirectoryRows.accountsWithAttributeValue(h, vaultTargetId, name, value);
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
     * Registers {@code linkAttr} as a link attribute of the vault target: from then on every commit of a backing
     * account copies its CURRENT into the vault accounts whose {@code linkAttr} names it, in the same transaction
     * (docs/architecture.md, "Linked vault accounts"). Idempotent; audited when new.
     *
     * @return whether the name was new for that vault target
     */
    public boolean registerLinkAttribute(String actor, String vaultTargetId, String linkAttr) {
        requireId("vaultTargetId", vaultTargetId);
        requireId("linkAttr", linkAttr);
        return work.inTransaction(h -> {
            requireTarget(h, "vaultTargetId", vaultTargetId, VAULT_TARGET_TYPE);
            boolean added = LinkedMirrors.register(h, vaultTargetId, linkAttr);
            if (added) {
                audit.write(h, DirectoryRows.audited(actor, "LINK_ATTRIBUTE_REGISTER", null, vaultTargetId,
                        "link attribute '" + linkAttr + "'"));
            }
            return added;
        });
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
        return work.read(h -> {
            requireTarget(h, "vaultTargetId", vaultTargetId, VAULT_TARGET_TYPE);
            for (int i = 0; i < targets.size(); i++) {
                if (DirectoryRows.targetType(h, targets.get(i)) == null) {
                    throw new UnknownEntryException("target", targets.get(i), "backingTargetIds[" + i + "]");
                }
            }
            Query query = h.createQuery("SELECT v.id, b.id, b.target_id FROM accounts v"
                            + " JOIN account_attributes x ON x.account_id = v.id AND x.attr_name = :linkAttr"
                            + " JOIN accounts b ON b.id = x.attr_value WHERE v.target_id = :vaultTargetId"
                            + (targets.isEmpty() ? "" : " AND b.target_id IN (<backingTargetIds>)")
                            + " ORDER BY b.id, v.id")
                    .bind("linkAttr", linkAttr).bind("vaultTargetId", vaultTargetId);
            if (!targets.isEmpty()) {
                query.bindList("backingTargetIds", targets);
            }
            return query.map((r, ctx) -> new AccountLink(r.getString(1), r.getString(2), r.getString(3))).list();
        });
    }
}
