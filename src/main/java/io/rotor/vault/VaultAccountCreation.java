package io.rotor.vault;

import io.rotor.domain.Account;

/**
 * The vault account {@link TemplateRepository#createVaultAccountFromTemplate} produced for a backing account.
 *
 * @param created false when a vault account linked to the backing account already existed and was returned
 *                unchanged (a retried onboard step)
 */
public record VaultAccountCreation(Account account, boolean created) {
}
