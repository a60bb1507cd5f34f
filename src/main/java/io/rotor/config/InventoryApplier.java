package io.rotor.config;

import io.rotor.domain.AccountStatus;
import io.rotor.domain.PasswordPolicy;
import io.rotor.domain.Secret;
import io.rotor.domain.SecretRules;
import io.rotor.domain.Slot;
import io.rotor.domain.Target;
import io.rotor.vault.AccountLock;
import io.rotor.vault.AccountRepository;
import io.rotor.vault.AuditRecord;
import io.rotor.vault.CredentialRepository;
import io.rotor.vault.PolicyRepository;
import io.rotor.vault.TargetRepository;
import io.rotor.vault.Vault;
import io.rotor.vault.VaultException;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

/**
 * Writes a validated {@link Inventory} into the vault. Idempotent: loading the same file again changes nothing;
 * an account's status, version and credentials are never touched by a reload. A first credential named by
 * {@code initialSecretEnv} is stored (vault only, UNVERIFIED) only when the account has no credential at all: no
 * CURRENT and no PENDING (a PENDING candidate may be the live credential; only recovery settles it), and never while
 * another operation holds the account. {@code serve} stores them after start-up recovery
 * ({@link #storeInitialSecrets}); docs/architecture.md, "Unknown outcomes".
 */
public final class InventoryApplier {
    private final CredentialRepository credentials;
    private final AccountRepository accounts;
    private final TargetRepository targets;
    private final PolicyRepository policies;
    private final Map<String, String> environment;

    public InventoryApplier(Vault vault, Map<String, String> environment) {
        this.credentials = vault.credentials();
        this.accounts = vault.accounts();
        this.targets = vault.targets();
        this.policies = vault.policies();
        this.environment = environment;
    }

    public record Summary(int policies, int targets, int accounts, int accountsCreated, int initialSecretsStored) {
        public String describe() {
            return policies + " polic" + (policies == 1 ? "y" : "ies") + ", " + targets + " target(s), " + accounts
                    + " account(s) (" + accountsCreated + " new), " + initialSecretsStored + " initial credential(s) stored";
        }
    }

    public Summary apply(Inventory inventory) {
        return apply(inventory, true);
    }

    /**
     * @param initialSecrets whether to store the {@code initialSecretEnv} credentials now; {@code serve} passes false
     *                       and calls {@link #storeInitialSecrets} once start-up recovery is done
     */
    public Summary apply(Inventory inventory, boolean initialSecrets) {
        for (PasswordPolicy policy : inventory.policies()) {
            policies.upsertPolicy(policy);
            policies.setRotationSchedule(policy.id(), inventory.schedule(policy.id()));
        }
        for (Target target : inventory.targets()) {
            targets.upsertTarget(target);
        }
        int created = 0;
        int secrets = 0;
        for (AccountSpec account : inventory.accounts()) {
            if (accounts.upsertAccount(account.id(), account.targetId(), account.username(), account.credentialType(),
                    account.policyId())) {
                created++;
            }
        }
        if (initialSecrets) {
            secrets = storeInitialSecrets(inventory);
        }
        return new Summary(inventory.policies().size(), inventory.targets().size(), inventory.accounts().size(), created, secrets);
    }

    /** Stores the {@code initialSecretEnv} credentials of accounts that hold none (see the class comment). */
    public int storeInitialSecrets(Inventory inventory) {
        int secrets = 0;
        for (AccountSpec account : inventory.accounts()) {
            if (account.initialSecretEnv() != null && !credentials.has(account.id(), Slot.CURRENT)
                    && !credentials.has(account.id(), Slot.PENDING)) {
                secrets += storeInitialSecret(account) ? 1 : 0;
            }
        }
        return secrets;
    }

    private boolean storeInitialSecret(AccountSpec account) {
        String value = environment.get(account.initialSecretEnv());
        if (value == null || value.isEmpty()) {
            return false;
        }
        try (Secret secret = Secret.fromUtf8(value.getBytes(StandardCharsets.UTF_8))) {
            try {
                SecretRules.check(secret);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("account '" + account.id() + "': environment variable "
                        + account.initialSecretEnv() + ": " + e.getMessage());
            }
            AccountLock lock = accounts.tryLock(account.id(), Duration.ofMinutes(1)).orElseThrow(() ->
                    new VaultException("account '" + account.id() + "' is busy; its initial credential was not stored"));
            try {
                if (credentials.has(account.id(), Slot.PENDING) || credentials.has(account.id(), Slot.CURRENT)) {
                    return false; // settled or started by another operation since the check above
                }
                String rotationId = UUID.randomUUID().toString();
                credentials.setCurrent(lock, rotationId, secret, AccountStatus.UNVERIFIED, AuditRecord.of("inventory",
                        "SET_VAULT_ONLY", account.id(), account.targetId(), rotationId, "SUCCEEDED",
                        "initial credential from environment variable " + account.initialSecretEnv()));
            } finally {
                accounts.unlock(lock);
            }
            return true;
        }
    }
}
