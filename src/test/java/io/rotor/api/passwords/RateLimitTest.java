package io.rotor.api.passwords;

import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

import static org.assertj.core.api.Assertions.assertThat;

class RateLimitTest {
    private Instant now = Instant.parse("2026-01-01T00:00:00Z");
    private final Clock clock = new Clock() {
        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    };

    @Test
    void theCallBeyondTheLimitLearnsTheWaitKeysAreIndependentAndANewWindowAllowsAgain() {
        RateLimit limit = new RateLimit(2, Duration.ofMinutes(1), clock);
        assertThat(limit.tryAcquire("alice")).isEmpty();
        now = now.plusSeconds(20);
        assertThat(limit.tryAcquire("alice")).isEmpty();
        assertThat(limit.tryAcquire("alice")).contains(Duration.ofSeconds(40));
        assertThat(limit.tryAcquire("bob")).isEmpty();
        now = now.plusSeconds(40);
        assertThat(limit.tryAcquire("alice")).isEmpty();
    }
}
