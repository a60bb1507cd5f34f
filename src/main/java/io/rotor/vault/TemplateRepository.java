package io.rotor.vault;

import io.rotor.domain.Account;
import io.rotor.domain.AccountStatus;
import io.rotor.domain.Ids;
import io.rotor.domain.VaultTemplate;
import org.jdbi.v3.core.Handle;

import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import static io.rotor.vault.DirectoryRows.audited;
import static io.rotor.vault.DirectoryRows.requireTarget;
import static io.rotor.vault.DirectoryRules.TEXT_MAX;
import static io.rotor.vault.DirectoryRules.requireId;
import static io.rotor.vault.DirectoryRules.requireText;
import static io.rotor.vault.VaultModel.VAULT_TARGET_TYPE;

/**
 * The vault targets of the vault model ({@link VaultModel}, whose conventions every method follows), the templates
 * that name their vault accounts, and the creation of a vault account from a template for a backing account
 * (mass onboard step 6).
 */
public final class TemplateRepository {
    private final UnitOfWork work;
    private final AuditLog audit;
    private final RowSeal seal;

    public TemplateRepository(UnitOfWork work, AuditLog audit, RowSeal seal) {
        this.work = work;
        this.audit = audit;
        this.seal = seal;
    }

    /**
     * Declares a vault target (type {@value VaultModel#VAULT_TARGET_TYPE}): a view onto the vault, so it has no host
     * or port. Refuses an existing target of another type.
     *
     * @return true when the target was created, false when it already existed
     */
    public boolean ensureVaultTarget(String actor, String vaultTargetId) {
        requireId("vaultTargetId", vaultTargetId);
        return work.inTransaction(h -> {
            if (!DirectoryRows.insertViewTargetIfMissing(h, seal, "vaultTargetId", vaultTargetId, VAULT_TARGET_TYPE)) {
                return false;
            }
            audit.write(h, audited(actor, "TARGET_CREATE", null, vaultTargetId, "type=" + VAULT_TARGET_TYPE));
            return true;
        });
    }

    // ---------------------------------------------------------------- templates

    /**
     * Creates or replaces a template (its vault target must have type {@value VaultModel#VAULT_TARGET_TYPE}). Vault
     * accounts already created from it are not changed.
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
        return work.inTransaction(h -> {
            requireTarget(h, "template.vaultTargetId", template.vaultTargetId(), VAULT_TARGET_TYPE);
            Optional<VaultTemplate> existing = template(h, template.id());
            if (existing.isPresent() && (createOnly || existing.get().equals(template))) {
                return false;
            }
            if (existing.isPresent()) {
                h.createUpdate("UPDATE vault_templates SET vault_target_id = :vaultTargetId, name_pattern = :namePattern,"
                                + " updated_at = :now WHERE id = :id")
                        .bind("vaultTargetId", template.vaultTargetId()).bind("namePattern", template.namePattern())
                        .bind("now", now()).bind("id", template.id()).execute();
                h.createUpdate("DELETE FROM vault_template_attributes WHERE template_id = :id").bind("id", template.id())
                        .execute();
            } else {
                h.createUpdate("INSERT INTO vault_templates (id, vault_target_id, name_pattern, updated_at)"
                                + " VALUES (:id, :vaultTargetId, :namePattern, :now)")
                        .bind("id", template.id()).bind("vaultTargetId", template.vaultTargetId())
                        .bind("namePattern", template.namePattern()).bind("now", now()).execute();
            }
            for (Map.Entry<String, List<String>> e : template.attributes().entrySet()) {
                for (String value : e.getValue()) {
                    h.createUpdate("INSERT INTO vault_template_attributes (template_id, attr_name, attr_value)"
                                    + " VALUES (:id, :name, :value)")
                            .bind("id", template.id()).bind("name", e.getKey()).bind("value", value).execute();
                }
            }
            audit.write(h, audited(actor, existing.isPresent() ? "TEMPLATE_UPDATE" : "TEMPLATE_CREATE", null,
                    template.vaultTargetId(), "template=" + template.id()));
            return existing.isEmpty();
        });
    }

    public Optional<VaultTemplate> findTemplate(String templateId) {
        requireId("templateId", templateId);
        return work.read(h -> template(h, templateId));
    }

    /** Every template, sorted by id. */
    public List<VaultTemplate> listTemplates() {
        return work.read(h -> {
            List<VaultTemplate> all = new ArrayList<>();
            for (String id : h.createQuery("SELECT id FROM vault_templates ORDER BY id").mapTo(String.class).list()) {
                template(h, id).ifPresent(all::add);
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
        return work.inTransaction(h -> {
            Optional<VaultTemplate> template = template(h, templateId);
            if (template.isEmpty()) {
                return false;
            }
            h.createUpdate("DELETE FROM vault_template_attributes WHERE template_id = :id").bind("id", templateId).execute();
            h.createUpdate("DELETE FROM vault_templates WHERE id = :id").bind("id", templateId).execute();
            audit.write(h, audited(actor, "TEMPLATE_DELETE", null, template.get().vaultTargetId(), "template=" + templateId));
            return true;
        });
    }

    // ---------------------------------------------------------------- vault accounts from templates

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
        List<String> users = DirectoryRules.idList("associatedUserIds", associatedUserIds);
        List<String> groups = DirectoryRules.idList("groupIds", groupIds);
        if (associationAttr != null || !users.isEmpty()) {
            requireId("associationAttr", associationAttr);
        }
        if (groupAttr != null || !groups.isEmpty()) {
            requireId("groupAttr", groupAttr);
        }
        DirectoryRules.distinctAttributes(linkAttr, associationAttr, groupAttr);
        return work.inTransaction(h -> {
            VaultTemplate template = template(h, templateId)
                    .orElseThrow(() -> new UnknownEntryException("template", templateId, "templateId"));
            String vaultTargetId = template.vaultTargetId();
            requireTarget(h, "templateId", vaultTargetId, VAULT_TARGET_TYPE);
            if (!template.defaults(linkAttr).isEmpty()) {
                throw new InvalidFieldException("linkAttr", "'" + linkAttr + "' has default values in template '"
                        + templateId + "'; the link attribute may hold only the backing account id");
            }
            Account backing = DirectoryRows.account(h, backingAccountId)
                    .orElseThrow(() -> new UnknownEntryException("backing account", backingAccountId, "backingAccountId"));
            String backingType = DirectoryRows.targetType(h, backing.targetId());
            if (VaultModel.isVaultView(backingType)) {
                throw new InvalidFieldException("backingAccountId", "'" + backingAccountId + "' is on target '"
                        + backing.targetId() + "' of type '" + backingType + "'; a backing account is on a real target");
            }
            for (String userId : users) {
                DirectoryRows.requireUser(h, "associatedUserIds", userId);
            }
            for (String groupId : groups) {
                DirectoryRows.requireGroup(h, "groupIds", groupId);
            }
            List<Account> linked = DirectoryRows.accountsWithAttributeValue(h, vaultTargetId, linkAttr, backingAccountId);
            if (!linked.isEmpty()) {
                return new VaultAccountCreation(linked.get(0), false);
            }
            String name = template.expand(backing.targetId(), backing.username(), backing.id());
            String id = VaultTemplate.accountIdFor(name);
            if (name.length() > TEXT_MAX || !Ids.isId(id)) {
                throw new InvalidFieldException("templateId", "'" + templateId + "' gives backing account '"
                        + backingAccountId + "' a vault account name that is not a usable id (must match " + Ids.ID_REGEX
                        + " once characters outside A-Z a-z 0-9 _ . - become _); change the template's name pattern");
            }
            Optional<Account> sameId = DirectoryRows.account(h, id);
            if (sameId.isPresent()) {
                throw new ConflictException("template '" + templateId + "' names the vault account for backing account '"
                        + backingAccountId + "' '" + id + "', but account id '" + id + "' is already taken on target '"
                        + sameId.get().targetId() + "'" + linkDescription(h, id, linkAttr));
            }
            Optional<String> sameName = h.createQuery("SELECT id FROM accounts WHERE target_id = :targetId"
                            + " AND username = :username")
                    .bind("targetId", vaultTargetId).bind("username", name).mapTo(String.class).findFirst();
            if (sameName.isPresent()) {
                throw new ConflictException("template '" + templateId + "' names the vault account for backing account '"
                        + backingAccountId + "' '" + name + "', but vault target '" + vaultTargetId
                        + "' already has an account of that name ('" + sameName.get() + "')"
                        + linkDescription(h, sameName.get(), linkAttr));
            }
            h.createUpdate("INSERT INTO accounts (id, target_id, username, credential_type, status, version, policy_id,"
                            + " updated_at) VALUES (:id, :targetId, :username, :credentialType, :status, 0, NULL, :now)")
                    .bind("id", id).bind("targetId", vaultTargetId).bind("username", name)
                    .bind("credentialType", backing.credentialType().name())
                    .bind("status", AccountStatus.UNVERIFIED.name()).bind("now", now()).execute();
            Map<String, Set<String>> attributes = new LinkedHashMap<>();
            template.attributes().forEach((k, v) -> attributes.computeIfAbsent(k, x -> new TreeSet<>()).addAll(v));
            attributes.put(linkAttr, new TreeSet<>(Set.of(backingAccountId)));
            if (!users.isEmpty()) {
                attributes.computeIfAbsent(associationAttr, x -> new TreeSet<>()).addAll(users);
            }
            if (!groups.isEmpty()) {
                attributes.computeIfAbsent(groupAttr, x -> new TreeSet<>()).addAll(groups);
            }
            attributes.forEach((attr, values) -> values.forEach(value -> DirectoryRows.insertAttribute(h, id, attr, value)));
            LinkedMirrors.register(h, vaultTargetId, linkAttr);
            audit.write(h, audited(actor, "VAULT_ACCOUNT_CREATE", id, vaultTargetId, "template=" + templateId
                    + " backing=" + backingAccountId + " associations=" + users.size() + " groups=" + groups.size()));
            return new VaultAccountCreation(new Account(id, vaultTargetId, name, backing.credentialType(),
                    AccountStatus.UNVERIFIED, 0, null), true);
        });
    }

    private static String linkDescription(Handle h, String accountId, String linkAttr) {
        List<String> links = DirectoryRows.attribute(h, accountId, linkAttr);
        return links.isEmpty() ? "" : " linked to backing account '" + links.get(0) + "'";
    }

    private static Optional<VaultTemplate> template(Handle h, String id) {
        Optional<String[]> head = h.createQuery("SELECT vault_target_id, name_pattern FROM vault_templates WHERE id = :id")
                .bind("id", id).map((r, ctx) -> new String[]{r.getString(1), r.getString(2)}).findFirst();
        if (head.isEmpty()) {
            return Optional.empty();
        }
        Map<String, List<String>> attributes = new LinkedHashMap<>();
        h.createQuery("SELECT attr_name, attr_value FROM vault_template_attributes WHERE template_id = :id"
                        + " ORDER BY attr_name, attr_value")
                .bind("id", id).map((r, ctx) -> new String[]{r.getString(1), r.getString(2)})
                .forEach(row -> attributes.computeIfAbsent(row[0], k -> new ArrayList<>()).add(row[1]));
        return Optional.of(new VaultTemplate(id, head.get()[0], head.get()[1], attributes));
    }

    private Timestamp now() {
        return Timestamp.from(work.now());
    }
}
