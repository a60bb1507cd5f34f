package io.rotor.vault;

import io.rotor.domain.AccountStatus;
import org.jdbi.v3.core.Handle;

import java.util.List;

/**
 * Linked vault accounts (docs/architecture.md, "Linked vault accounts"): the SQL that finds the vault accounts
 * mirroring a backing account and registers link attributes. A vault account mirrors backing account B when it is
 * on a vault target, and one of its attributes whose name is registered for that vault target
 * ({@code vault_link_attributes}) holds B's id. {@link CredentialRepository} copies B's CURRENT into them inside
 * B's own commit transaction, so the pair moves together or not at all.
 */
final class LinkedMirrors {
    private LinkedMirrors() {
    }

    /** The ids of the vault accounts that mirror {@code backingAccountId}, sorted. */
    static List<String> of(Handle h, String backingAccountId) {
        return h.createQuery("SELECT DISTINCT v.id FROM account_attributes x"
                        + " JOIN accounts v ON v.id = x.account_id"
                        + " JOIN vault_link_attributes l ON l.vault_target_id = v.target_id AND l.attr_name = x.attr_name"
                        + " WHERE x.attr_value = :backing AND v.id <> :backing ORDER BY v.id")
                .bind("backing", backingAccountId)
                .mapTo(String.class).list();
    }

    /**
     * Registers {@code attrName} as a link attribute of the vault target; idempotent.
     *
     * @return whether it was new
     */
    static boolean register(Handle h, String vaultTargetId, String attrName) {
        if (registered(h, vaultTargetId, attrName)) {
            return false;
        }
        // concurrent first registrations (parallel batches creating linked vault accounts) queue on the vault
        // target's row, so the second one finds the name instead of failing on the primary key
        h.createQuery("SELECT id FROM targets WHERE id = :t FOR UPDATE").bind("t", vaultTargetId).mapTo(String.class).list();
        if (registered(h, vaultTargetId, attrName)) {
            return false;
        }
        h.createUpdate("INSERT INTO vault_link_attributes (vault_target_id, attr_name) VALUES (:t, :a)")
                .bind("t", vaultTargetId).bind("a", attrName).execute();
        return true;
    }

    private static boolean registered(Handle h, String vaultTargetId, String attrName) {
        return !h.createQuery("SELECT 1 FROM vault_link_attributes WHERE vault_target_id = :t AND attr_name = :a")
                .bind("t", vaultTargetId).bind("a", attrName).mapTo(Integer.class).list().isEmpty();
    }

    /** The status a mirror gets: the vault cannot log in anywhere with it, so it is UNVERIFIED like any vault-only value. */
    static final AccountStatus MIRROR_STATUS = AccountStatus.UNVERIFIED;
}
