package io.rotor.vault;

/**
 * A refused input: {@link #field()} names the parameter or record field at fault (e.g. {@code userId},
 * {@code namePattern}) and the message starts with it. Nothing was changed. Maps to HTTP 400.
 */
public class InvalidFieldException extends VaultException {
    private final String field;

    public InvalidFieldException(String field, String problem) {
        super(field + " " + problem);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
