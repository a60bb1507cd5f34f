package io.rotor.domain;

/**
 * One login on a target.
 *
 * @param version  the version number of the CURRENT credential (0 when none is stored yet)
 * @param policyId password policy for this account; null means the target's policy
 */
public record Account(String id, String targetId, String username, CredentialType credentialType,
                      AccountStatus status, long version, String policyId) {
}
