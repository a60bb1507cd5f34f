package io.rotor.domain;

/**
 * A person (or service) on a vault user target: someone who may use vault accounts, directly through the
 * association attribute or through a user group.
 *
 * @param id           stable id, the one the seed's {@code --user-to-offboard} / {@code --user-to-inherit} name
 * @param userTargetId the target of type {@code vault-users} that holds the user
 * @param login        the user's login name, unique on its user target
 * @param displayName  free text, may be null
 * @param disabled     a disabled user keeps its memberships and associations but can use nothing
 */
public record VaultUser(String id, String userTargetId, String login, String displayName, boolean disabled) {
}
