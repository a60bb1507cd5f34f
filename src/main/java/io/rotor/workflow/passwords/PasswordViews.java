package io.rotor.workflow.passwords;

import java.util.List;

/** What the password self-service answers, in SailPoint's field names. None holds a password. */
public final class PasswordViews {
    private PasswordViews() {
    }

    public record InfoAccount(String accountId, String accountName) {
    }

    public record PasswordInfo(String identityId, String sourceId, String publicKeyId, String publicKey,
                               List<InfoAccount> accounts, List<String> policies) {
    }

    public record ChangeResponse(String requestId, String state) {
    }

    public record PasswordStatus(String requestId, String state, List<String> errors, List<String> sourceIds) {
    }

    /** SailPoint's {@code PasswordSyncGroup}: {@code passwordPolicyId} is a string there, so a group without one omits it. */
    @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
    public record SyncGroupView(String id, String name, String passwordPolicyId, List<String> sourceIds, String created,
                                String modified) {
    }
}
