package io.rotor.connector;

import java.util.List;

public record DiscoverResult(List<String> usernames) {
    public DiscoverResult {
        usernames = List.copyOf(usernames);
    }
}
