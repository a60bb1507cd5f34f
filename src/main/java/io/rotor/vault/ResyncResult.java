package io.rotor.vault;

/**
 * What one {@link AccessRepository#resync vault discovery} changed on one vault target.
 *
 * @param associationAttr the association attribute used (given or remembered), null when none was known
 * @param groupAttr       the group attribute used (given or remembered), null when none was known
 * @param added           access rows created
 * @param removed         access rows deleted
 * @param total           access rows of the vault target afterwards
 */
public record ResyncResult(String vaultTargetId, String associationAttr, String groupAttr, int added, int removed,
                           int total) {
    public boolean changed() {
        return added > 0 || removed > 0;
    }
}
