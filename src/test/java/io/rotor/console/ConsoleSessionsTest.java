package io.rotor.console;

import io.rotor.api.Principal;
import io.rotor.domain.Role;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConsoleSessionsTest {
    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T10:00:00Z"));
    private final ConsoleSessions sessions = new ConsoleSessions(clock, Duration.ofMinutes(15), Duration.ofHours(8));
    private final Principal alice = new Principal(Principal.SERVICE_ACCOUNT, "alice", Role.OPERATOR);

    @Test
    void aSessionHasAFreshRandomIdAndItsOwnCsrfTokenEachSignIn() {
        ConsoleSessions.Session first = sessions.start(alice);
        ConsoleSessions.Session second = sessions.start(alice);

        assertThat(first.id()).isNotEqualTo(second.id()).hasSizeGreaterThanOrEqualTo(43);
        assertThat(first.csrfToken()).isNotEqualTo(second.csrfToken()).isNotEqualTo(first.id());
        assertThat(sessions.find(first.id())).containsSame(first);
        assertThat(first.toString()).doesNotContain(first.id()).doesNotContain(first.csrfToken());
    }

    @Test
    void anUnknownOrEmptyIdFindsNothing() {
        sessions.start(alice);
        assertThat(sessions.find(null)).isEmpty();
        assertThat(sessions.find("")).isEmpty();
        assertThat(sessions.find(ConsoleSessions.newToken())).isEmpty();
    }

    @Test
    void theIdleTimeoutEndsASessionWithoutRequestsAndEachRequestRestartsIt() {
        ConsoleSessions.Session session = sessions.start(alice);
        clock.advance(Duration.ofMinutes(14));
        assertThat(sessions.find(session.id())).isPresent();
        clock.advance(Duration.ofMinutes(14));
        assertThat(sessions.find(session.id())).as("14 minutes after the last request").isPresent();
        clock.advance(Duration.ofMinutes(15));
        assertThat(sessions.find(session.id())).as("15 idle minutes").isEmpty();
        clock.advance(Duration.ofMinutes(-30));
        assertThat(sessions.find(session.id())).as("an expired session is forgotten, not revived").isEmpty();
    }

    @Test
    void theAbsoluteTimeoutEndsEvenABusySession() {
        ConsoleSessions.Session session = sessions.start(alice);
        for (int i = 0; i < 47; i++) {
            clock.advance(Duration.ofMinutes(10));
            assertThat(sessions.find(session.id())).as("after " + (i + 1) * 10 + " busy minutes").isPresent();
        }
        clock.advance(Duration.ofMinutes(10));
        assertThat(sessions.find(session.id())).as("8 hours after sign-in").isEmpty();
    }

    @Test
    void signOutEndsTheSessionAtOnce() {
        ConsoleSessions.Session session = sessions.start(alice);
        sessions.end(session.id());
        assertThat(sessions.find(session.id())).isEmpty();
    }

    @Test
    void theCsrfTokenMustBeTheSessionsOwn() {
        ConsoleSessions.Session session = sessions.start(alice);
        ConsoleSessions.Session other = sessions.start(alice);

        assertThat(ConsoleSessions.csrfMatches(session, session.csrfToken())).isTrue();
        assertThat(ConsoleSessions.csrfMatches(session, other.csrfToken())).as("another session's token").isFalse();
        assertThat(ConsoleSessions.csrfMatches(session, null)).isFalse();
        assertThat(ConsoleSessions.csrfMatches(session, "")).isFalse();
        assertThat(ConsoleSessions.csrfMatches(session, session.csrfToken() + "x")).isFalse();
        assertThat(ConsoleSessions.csrfMatches(session, session.id())).as("the session id is not the token").isFalse();
        assertThat(ConsoleSessions.csrfMatches(null, session.csrfToken())).isFalse();
    }

    @Test
    void theSignInFormsDoubleSubmitTokenMustRepeatTheCookie() {
        String token = ConsoleSessions.newToken();
        assertThat(ConsoleSessions.signInTokenMatches(token, token)).isTrue();
        assertThat(ConsoleSessions.signInTokenMatches(token, ConsoleSessions.newToken())).isFalse();
        assertThat(ConsoleSessions.signInTokenMatches(null, null)).isFalse();
        assertThat(ConsoleSessions.signInTokenMatches("", "")).as("no cookie, empty field").isFalse();
        assertThat(ConsoleSessions.signInTokenMatches("short", "short")).as("a guessable value").isFalse();
    }

    @Test
    void timeoutsComeFromSettingsAndBadOnesAreRefusedByName() {
        Properties properties = new Properties();
        properties.setProperty("rotor.console.session.idle-minutes", "1");
        properties.setProperty("rotor.console.session.absolute-minutes", "2");
        ConsoleSessions configured = ConsoleSessions.fromProperties(properties, clock);
        ConsoleSessions.Session session = configured.start(alice);
        clock.advance(Duration.ofSeconds(59));
        assertThat(configured.find(session.id())).isPresent();
        clock.advance(Duration.ofSeconds(60));
        assertThat(configured.find(session.id())).isEmpty();

        properties.setProperty("rotor.console.session.idle-minutes", "0");
        assertThatThrownBy(() -> ConsoleSessions.fromProperties(properties, clock))
                .hasMessageContaining("rotor.console.session.idle-minutes");
        properties.setProperty("rotor.console.session.idle-minutes", "30");
        assertThatThrownBy(() -> ConsoleSessions.fromProperties(properties, clock))
                .hasMessageContaining("absolute timeout at least the idle one");
    }

    static final class MutableClock extends Clock {
        private Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        void advance(Duration duration) {
            now = now.plus(duration);
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
