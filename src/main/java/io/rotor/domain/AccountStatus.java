package io.rotor.domain;

/** Where an account stands between the vault and its target. */
public enum AccountStatus {
    /** The vault's CURRENT credential was last seen to work on the target. */
    IN_SYNC,
    /** A rotation is under way: a PENDING credential exists and may already be live. */
    PENDING,
    /** The vault was changed without touching the target; a verify must confirm it. */
    UNVERIFIED,
    /** The last verify failed with the vault's CURRENT credential. */
    OUT_OF_SYNC,
    /** No stored credential works; an admin-account reconcile is needed. */
    NEEDS_RECONCILE,
    DISABLED
}
