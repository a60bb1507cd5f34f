package io.rotor.connector;

import java.util.List;
import java.util.Map;

/**
 * The logins a discovery found, in the connector's order, and what it learned about them (uid, privileges) where
 * it can tell; a login without an entry in {@code facts} has {@link LoginFacts#NONE}.
 */
public record DiscoverResult(List<String> usernames, Map<String, LoginFacts> facts) {
    public DiscoverResult {
        usernames = List.copyOf(usernames);
        facts = facts == null ? Map.of() : Map.copyOf(facts);
    }

    /** Names only: the connector knows nothing more about them. */
    public DiscoverResult(List<String> usernames) {
        this(usernames, Map.of());
    }

    public LoginFacts factsOf(String username) {
        return facts.getOrDefault(username, LoginFacts.NONE);
    }
}
