package io.rotor.vault;

/**
 * A well-formed id that names nothing in the vault: message {@code unknown <kind> id '<id>' (<field>)}, e.g.
 * {@code unknown user id 'bob' (toUserId)}. Nothing was changed. Maps to HTTP 404.
 */
public class UnknownEntryException extends VaultException {
    private final String kind;
    private final String id;

    public UnknownEntryException(String kind, String id) {
        this(kind, id, null);
    }

    /** @param field the parameter that named it, appended in parentheses, e.g. {@code (toUserId)}; may be null */
    public UnknownEntryException(String kind, String id, String field) {
        super("unknown " + kind + " id '" + id + "'" + (field == null ? "" : " (" + field + ")"));
        this.kind = kind;
        this.id = id;
    }

    /** What was looked for: {@code user}, {@code user group}, {@code template}, {@code vault target}... */
    public String kind() {
        return kind;
    }

    public String id() {
        return id;
    }
}
