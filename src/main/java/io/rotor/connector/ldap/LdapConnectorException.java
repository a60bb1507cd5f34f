package io.rotor.connector.ldap;

/** A directory operation without a result record (discover) failed; the message never holds a secret. */
public final class LdapConnectorException extends RuntimeException {
    public LdapConnectorException(String message) {
        super(message);
    }
}
