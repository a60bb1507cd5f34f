package io.rotor.connector;

import io.rotor.connector.ssh.ChangerCatalog;

/**
 * What Rotor gives a connector besides its target: Rotor's own services, plain Java, never a Camel type
 * (the Camel boundary rule in {@link ConnectorFactory}).
 *
 * @param changers the password changers (built-in and stored) and where a failed dialogue's transcript is
 *                 kept; null when only the built-in changers are available
 */
public record ConnectorContext(ChangerCatalog changers) {
    /** Nothing beyond the target: built-in password changers only. */
    public static final ConnectorContext NONE = new ConnectorContext(null);
}
