package io.rotor.vault;

/**
 * One row of the materialised access table: {@code userId} may use {@code vaultAccountId}.
 *
 * @param via {@value #ASSOCIATION} when the user is in the account's association attribute, or
 *            {@code group:<groupId>} when the user is a member of a group in its group attribute
 */
public record VaultAccess(String userId, String vaultAccountId, String via) {
    public static final String ASSOCIATION = "association";
    public static final String GROUP_PREFIX = "group:";

    /** The group the access comes through, or null for an association. */
    public String groupId() {
        return via.startsWith(GROUP_PREFIX) ? via.substring(GROUP_PREFIX.length()) : null;
    }
}
