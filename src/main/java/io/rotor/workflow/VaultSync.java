package io.rotor.workflow;

import io.rotor.domain.Account;
import io.rotor.domain.Slot;
import io.rotor.vault.AttributeRepository;
import io.rotor.vault.CredentialRepository;
import io.rotor.workflow.OperationResult.Outcome;

import java.util.List;

/**
 * Step 3 of a mass password reset (vault synchronisation). Since the backing account's commit updates its linked vault
 * accounts in the same transaction (docs/architecture.md, "Linked vault accounts"), this step registers the job's link
 * attribute (before any rotation of the batch, so those commits see it) and repairs any pair still out of step: every
 * vault account whose link attribute names a backing account gets that backing account's CURRENT, vault only. It is
 * idempotent: a vault account that already holds the value is left alone. The value is never logged and never part
 * of a result.
 */
public class VaultSync {
    public static final String OPERATION = "vault-sync";

    private final CredentialRepository credentials;
    private final AttributeRepository attributes;

    public VaultSync(CredentialRepository credentials, AttributeRepository attributes) {
        this.credentials = credentials;
        this.attributes = attributes;
    }

    /** Registers the link attribute of a job's vault target (called before a batch's rotations; idempotent). */
    public void registerLink(String vaultTargetId, String linkAttr, String actor) {
        attributes.registerLinkAttribute(actor, vaultTargetId, linkAttr);
    }

    /**
     * {@link #syncLinked} for a batch of backing accounts: the link attribute is registered once, and a pair already in
     * step costs reads only (no transaction). One result per account, in order.
     */
    public List<OperationResult> syncLinkedAll(List<String> backingAccountIds, String vaultTargetId, String linkAttr,
                                               String actor) {
        attributes.registerLinkAttribute(actor, vaultTargetId, linkAttr);
        List<OperationResult> results = new java.util.ArrayList<>(backingAccountIds.size());
        for (String id : backingAccountIds) {
            try {
                results.add(syncRegistered(id, vaultTargetId, linkAttr, actor));
            } catch (RuntimeException e) {
                // one account's failure is its own result, as in a split; the others go on
                results.add(new OperationResult(id, OPERATION, Outcome.FAILED, null,
                        e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName()));
            }
        }
        return results;
    }

    /**
     * @return one result for the backing account: SUCCEEDED naming how many vault accounts were updated (or were
     *         already in sync), FAILED when the backing account has no CURRENT to copy
     */
    public OperationResult syncLinked(String backingAccountId, String vaultTargetId, String linkAttr, String actor) {
        attributes.registerLinkAttribute(actor, vaultTargetId, linkAttr);
        return syncRegistered(backingAccountId, vaultTargetId, linkAttr, actor);
    }

    private OperationResult syncRegistered(String backingAccountId, String vaultTargetId, String linkAttr, String actor) {
        List<Account> linked = attributes.linkedVaultAccounts(vaultTargetId, linkAttr, backingAccountId);
        if (linked.isEmpty()) {
            return new OperationResult(backingAccountId, OPERATION, Outcome.SUCCEEDED, null,
                    "no vault account on '" + vaultTargetId + "' is linked to it through '" + linkAttr + "'");
        }
        if (!credentials.has(backingAccountId, Slot.CURRENT)) {
            return new OperationResult(backingAccountId, OPERATION, Outcome.FAILED, null,
                    "the backing account has no CURRENT credential to copy");
        }
        int updated = credentials.mirrorsOutOfStep(backingAccountId) == 0 ? 0 : credentials.syncMirrors(backingAccountId, actor);
        return new OperationResult(backingAccountId, OPERATION, Outcome.SUCCEEDED, null,
                updated + " vault account(s) updated, " + Math.max(0, linked.size() - updated) + " already in sync");
    }
}
