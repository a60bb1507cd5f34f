package io.rotor.domain;

/**
 * A password policy that cannot be satisfied, or a generation that cannot meet it. The message names the
 * policy id and the offending field and never contains a generated password.
 */
public class PasswordPolicyException extends IllegalArgumentException {
    private final String policyId;
    private final String field;
    private final String problem;

    /**
     * @param policyId the policy's id (may be null)
     * @param field    the policy field at fault, e.g. {@code maxLength}
     * @param problem  what is wrong, naming the field, e.g. {@code minLength 0 is below 1}
     */
    public PasswordPolicyException(String policyId, String field, String problem) {
        super("policy '" + policyId + "': " + problem);
        this.policyId = policyId;
        this.field = field;
        this.problem = problem;
    }

    public String policyId() {
        return policyId;
    }

    /** The policy field at fault, as spelled in {@link PasswordPolicy} and in the inventory file. */
    public String field() {
        return field;
    }

    /** The message without the {@code policy 'id': } prefix. */
    public String problem() {
        return problem;
    }
}
