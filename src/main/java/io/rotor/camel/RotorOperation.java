package io.rotor.camel;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** What a {@code rotor:} endpoint does; the endpoint's path. */
public enum RotorOperation {
    /** Rotates the account to a generated credential ({@code direct:rotate-account}). */
    ROTATE,
    /** A fresh login with CURRENT ({@code direct:verify-account}). */
    VERIFY,
    /** Resets through the target's admin account ({@code direct:reconcile-account}). */
    RECONCILE,
    /** Releases a checkout held by this route, then rotates ({@code direct:rotate-account}). */
    CHECKIN,
    /** Exclusive use: the body becomes the CURRENT {@link io.rotor.domain.Secret}; audited as a REVEAL. */
    CHECKOUT,
    /** Queues a bulk workflow's job, as {@code POST /api/v1/workflows/{name}} does. */
    WORKFLOW;

    public static RotorOperation parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IllegalArgumentException("rotor: unknown operation '" + io.rotor.domain.VisibleText.clean(String.valueOf(text), 60)
                    + "' (known: " + Arrays.stream(values()).map(v -> v.name().toLowerCase(Locale.ROOT))
                    .collect(Collectors.joining(", ")) + ")");
        }
    }
}
