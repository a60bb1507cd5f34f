package io.rotor.schema;

/**
 * One problem a schema found in an entry.
 *
 * @param path    where, in the entry: {@code port}, {@code settings.maxPoolSize}, {@code commands[0].value}; empty for
 *                the entry as a whole. For tools (the console marks the field); people read {@code message}
 * @param message the whole human text that follows the entry's label, naming the field and never quoting a value
 *                that could be a secret: {@code field 'port': must be between 1 and 65535},
 *                {@code unknown setting 'sslrotcert' for type postgresql (did you mean 'sslrootcert'?)}
 */
public record Violation(String path, String message) {
    /** Whether it is about a field or setting the schema does not have (the API answers {@code UNKNOWN_FIELD}). */
    public boolean unknownField() {
        return message.contains("': unknown field") || message.startsWith("unknown setting '");
    }

    @Override
    public String toString() {
        return message;
    }
}
