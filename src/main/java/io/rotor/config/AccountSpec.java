package io.rotor.config;

import io.rotor.domain.CredentialType;

/**
 * An account as declared in the inventory file.
 *
 * @param policyId         the account's own policy, or null to fall back to the target's policy and then the
 *                         default policy (see {@link Inventory#policyFor(AccountSpec)})
 * @param initialSecretEnv name of the environment variable holding the first credential to store, or null;
 *                         the credential itself never appears in the inventory
 */
public record AccountSpec(String id, String targetId, String username, CredentialType credentialType,
                          String policyId, String initialSecretEnv) {
    public AccountSpec {
        credentialType = credentialType == null ? CredentialType.PASSWORD : credentialType;
    }
}
