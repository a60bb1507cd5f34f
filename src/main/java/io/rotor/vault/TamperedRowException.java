package io.rotor.vault;

/** A vault row that grants power failed its MAC check (docs/architecture.md, "Row MACs"); it was not used. */
public class TamperedRowException extends VaultException {
    public TamperedRowException(String message) {
        super(message);
    }

    /** The refusal of a target whose row was written or edited outside Rotor. */
    public static TamperedRowException target(String id) {
        return new TamperedRowException("target " + id + "'s stored settings fail their integrity check; re-apply it"
                + " from the inventory or the API");
    }
}
