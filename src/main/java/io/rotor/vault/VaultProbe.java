package io.rotor.vault;

import java.util.OptionalLong;

/** The vault's liveness query, for the health check: can the database be read, and does it hold a keyset? */
public final class VaultProbe {
    private final UnitOfWork work;

    public VaultProbe(UnitOfWork work) {
        this.work = work;
    }

    /**
     * The generation of the stored keyset; empty when the vault has none.
     *
     * @throws VaultException when the database cannot be queried
     */
    public OptionalLong keysetGeneration() {
        return work.read(h -> h.createQuery("SELECT generation FROM vault_keyset WHERE id = 1").mapTo(Long.class)
                .findFirst().map(OptionalLong::of).orElse(OptionalLong.empty()));
    }
}
