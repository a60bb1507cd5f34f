package io.rotor.api;

import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LoginThrottleTest {
    /** A clock the test moves by hand. */
    static final class TestClock extends Clock {
        Instant now = Instant.parse("2026-12-01T09:00:00Z");

        void advance(Duration d) {
            now = now.plus(d);
        }

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
    }

    /**
     * For the API tests that try many wrong credentials from one address (127.0.0.1) on purpose: lockout is not
     * their subject (it is {@link LoginLockoutSecurityTest}'s), so it must not turn their 401s into 429s.
     */
    static LoginThrottle lenient() {
        return new LoginThrottle(Clock.systemUTC(), Integer.MAX_VALUE, Duration.ofMinutes(15), Duration.ofHours(24), 4);
    }

    private final TestClock clock = new TestClock();
    private final LoginThrottle throttle = new LoginThrottle(clock, 5, Duration.ofMinutes(15), Duration.ofHours(24), 2);
    private static final String P = LoginThrottle.principalKey("deployer");
    private static final String A = LoginThrottle.addressKey("10.0.0.7");

    private void fail(int times, String... keys) {
        for (int i = 0; i < times; i++) {
            throttle.failed(keys);
        }
    }

    @Test
    void theFifthFailureInTheWindowLocksForTheWindow() {
        fail(4, P, A);
        assertThat(throttle.retryAfter(P, A)).isEmpty();
        assertThat(throttle.failed(P, A)).hasValueSatisfying(l -> assertThat(l.duration()).isEqualTo(Duration.ofMinutes(15)));
        assertThat(throttle.retryAfter(P)).hasValue(Duration.ofMinutes(15));
        assertThat(throttle.retryAfter(A)).hasValue(Duration.ofMinutes(15));
        clock.advance(Duration.ofMinutes(10));
        assertThat(throttle.retryAfter(P, null)).hasValue(Duration.ofMinutes(5));
        clock.advance(Duration.ofMinutes(5));
        assertThat(throttle.retryAfter(P, A)).isEmpty();
    }

    @Test
    void failuresOlderThanTheWindowDoNotCount() {
        fail(4, P);
        clock.advance(Duration.ofMinutes(15));
        assertThat(throttle.failed(P)).isEmpty();
        assertThat(throttle.retryAfter(P)).isEmpty();
    }

    @Test
    void eachFurtherLockoutDoublesUpToTheMaximum() {
        Duration expected = Duration.ofMinutes(15);
        for (int round = 0; round < 10; round++) {
            fail(4, P);
            Duration got = throttle.failed(P).orElseThrow().duration();
            assertThat(got).isEqualTo(expected);
            clock.advance(got);
            expected = expected.multipliedBy(2).compareTo(Duration.ofHours(24)) > 0 ? Duration.ofHours(24) : expected.multipliedBy(2);
        }
        assertThat(expected).isEqualTo(Duration.ofHours(24));
    }

    @Test
    void theBackOffIsForgottenAfterAQuietMaximumLockout() {
        fail(5, P);
        clock.advance(Duration.ofMinutes(15));
        fail(5, P);
        clock.advance(Duration.ofMinutes(30).plus(Duration.ofHours(24)));
        fail(4, P);
        assertThat(throttle.failed(P).orElseThrow().duration()).isEqualTo(Duration.ofMinutes(15));
    }

    @Test
    void aSuccessClearsThePrincipalButNotTheAddress() {
        fail(4, P, A);
        throttle.succeeded(P);
        assertThat(throttle.failed(P, A)).hasValueSatisfying(l -> assertThat(l.key()).isEqualTo(A));
        assertThat(throttle.retryAfter(P)).isEmpty();
        assertThat(throttle.retryAfter(A)).isPresent();
    }

    @Test
    void refusalsDuringALockoutAreCountedAndReportedWithTheNextLockout() {
        fail(5, P);
        for (int i = 0; i < 7; i++) {
            assertThat(throttle.retryAfter(P)).isPresent();
        }
        clock.advance(Duration.ofMinutes(15));
        fail(4, P);
        assertThat(throttle.failed(P).orElseThrow().refusedBefore()).isEqualTo(7);
    }

    @Test
    void passwordChecksRunInABoundedNumberOfSlots() {
        assertThat(throttle.tryStartCheck()).isTrue();
        assertThat(throttle.tryStartCheck()).isTrue();
        assertThat(throttle.tryStartCheck()).isFalse();
        throttle.endCheck();
        assertThat(throttle.tryStartCheck()).isTrue();
    }

    @Test
    void limitsComeFromProperties() {
        Properties p = new Properties();
        p.setProperty("rotor.api.login.max-failures", "2");
        p.setProperty("rotor.api.login.window-minutes", "1");
        LoginThrottle small = LoginThrottle.fromProperties(p, clock);
        small.failed(P);
        assertThat(small.failed(P).orElseThrow().duration()).isEqualTo(Duration.ofMinutes(1));
        p.setProperty("rotor.api.login.max-failures", "0");
        assertThatThrownBy(() -> LoginThrottle.fromProperties(p, clock)).isInstanceOf(IllegalArgumentException.class);
        p.setProperty("rotor.api.login.max-failures", "five");
        assertThatThrownBy(() -> LoginThrottle.fromProperties(p, clock)).hasMessageContaining("rotor.api.login.max-failures");
    }
}
