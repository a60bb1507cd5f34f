package io.rotor.workflow;

import io.rotor.domain.Account;
import io.rotor.domain.Slot;
import io.rotor.vault.AttributeRepository;
import io.rotor.vault.CredentialRepository;
import io.rotor.vault.StoredCredential;
import io.rotor.workflow.OperationResult.Outcome;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Step 3 of a mass password reset (vault synchronisation): every vault account whose link attribute names a
 * backing account gets that backing account's CURRENT credential, stored in the vault only (no target is
 * touched). Idempotent: a vault account that already holds the same value is left alone, so running it after a
 * rotation that failed (the backing CURRENT is unchanged) changes nothing. The value is never logged and never
 * part of a result.
 */
public class VaultSync {
    public static final String OPERATION = "vault-sync";

    private final CredentialRepository credentials;
    private final AttributeRepository attributes;
    private final RotationService rotation;

    public VaultSync(CredentialRepository credentials, AttributeRepository attributes, RotationService rotation) {
        this.credentials = credentials;
        this.attributes = attributes;
        this.rotation = rotation;
    }

    /**
     * @return one result for the backing account: SUCCEEDED naming how many vault accounts were updated (or were
     *         already in sync), FAILED naming the vault accounts that could not be updated
     */
    public OperationResult syncLinked(String backingAccountId, String vaultTargetId, String linkAttr, String actor) {
        List<Account> linked = attributes.linkedVaultAccounts(vaultTargetId, linkAttr, backingAccountId);
        if (linked.isEmpty()) {
            return new OperationResult(backingAccountId, OPERATION, Outcome.SUCCEEDED, null,
                    "no vault account on '" + vaultTargetId + "' is linked to it through '" + linkAttr + "'");
        }
        Optional<StoredCredential> current = credentials.read(backingAccountId, Slot.CURRENT);
        if (current.isEmpty()) {
            return new OperationResult(backingAccountId, OPERATION, Outcome.FAILED, null,
                    "the backing account has no CURRENT credential to copy");
        }
        int updated = 0;
        int inSync = 0;
        List<String> failures = new ArrayList<>();
        try (StoredCredential backing = current.get()) {
            for (Account vaultAccount : linked) {
                Optional<StoredCredential> mirrored = credentials.read(vaultAccount.id(), Slot.CURRENT);
                boolean same;
                try {
                    same = mirrored.isPresent() && mirrored.get().secret().contentEquals(backing.secret());
                } finally {
                    mirrored.ifPresent(StoredCredential::close);
                }
                if (same) {
                    inSync++;
                    continue;
                }
                OperationResult set = rotation.set(vaultAccount.id(), backing.secret(), true, actor);
                if (set.success()) {
                    updated++;
                } else {
                    failures.add(vaultAccount.id() + " (" + set.detail() + ")");
                }
            }
        }
        String summary = updated + " vault account(s) updated, " + inSync + " already in sync";
        if (!failures.isEmpty()) {
            return new OperationResult(backingAccountId, OPERATION, Outcome.FAILED, null,
                    summary + "; not updated: " + String.join(", ", failures));
        }
        return new OperationResult(backingAccountId, OPERATION, Outcome.SUCCEEDED, null, summary);
    }
}
