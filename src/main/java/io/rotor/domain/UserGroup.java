package io.rotor.domain;

/**
 * A group of users on a vault user target. A vault account whose group attribute lists the group id may be
 * used by every (enabled) member.
 */
public record UserGroup(String id, String userTargetId, String name) {
}
