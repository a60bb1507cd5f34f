package io.rotor.connector.jdbc;

/** An operation without a result record (discover) failed; the message holds no secret and no SQL text. */
public class JdbcConnectorException extends RuntimeException {
    public JdbcConnectorException(String message) {
        super(message);
    }
}
