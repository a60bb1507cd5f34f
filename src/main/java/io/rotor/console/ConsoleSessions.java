package io.rotor.console;

import io.rotor.api.Principal;
import io.rotor.domain.Role;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The console's sign-in sessions (docs/architecture.md, "Console"), in memory: a restart signs everyone out.
 *
 * <p>A session starts only from a successful service-account sign-in and gets a fresh random id (so an id planted
 * before sign-in is worthless) and its own CSRF token (a synchronizer token: every state-changing form carries it,
 * and it is compared in constant time). It ends on sign-out, after {@code idle} without a request, and at the latest
 * {@code absolute} after sign-in, whatever the activity.
 */
public final class ConsoleSessions {
    /** How many sessions may be alive at once; beyond it the oldest expired ones go, then sign-in is refused. */
    static final int MAX_SESSIONS = 10_000;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Clock clock;
    private final Duration idle;
    private final Duration absolute;
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();

    public ConsoleSessions(Clock clock, Duration idle, Duration absolute) {
        if (idle.isNegative() || idle.isZero() || absolute.compareTo(idle) < 0) {
            throw new IllegalArgumentException("console sessions: the idle timeout must be positive and the absolute"
                    + " timeout at least the idle one");
        }
        this.clock = clock;
        this.idle = idle;
        this.absolute = absolute;
    }

    /** From {@code rotor.console.session.idle-minutes} (15) and {@code rotor.console.session.absolute-minutes} (480). */
    public static ConsoleSessions fromProperties(Properties properties, Clock clock) {
        return new ConsoleSessions(clock, Duration.ofMinutes(minutes(properties, "rotor.console.session.idle-minutes", 15)),
                Duration.ofMinutes(minutes(properties, "rotor.console.session.absolute-minutes", 480)));
    }

    private static long minutes(Properties properties, String key, long fallback) {
        String value = properties.getProperty(key);
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            long minutes = Long.parseLong(value.trim());
            if (minutes < 1) {
                throw new NumberFormatException();
            }
            return minutes;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be a whole number of minutes, at least 1 (got '" + value.trim() + "')");
        }
    }

    /** One signed-in user. */
    public static final class Session {
        private final String id;
        private final Principal principal;
        private final String csrfToken;
        private final Instant createdAt;
        private volatile Instant lastSeen;

        Session(String id, Principal principal, String csrfToken, Instant createdAt) {
            this.id = id;
            this.principal = principal;
            this.csrfToken = csrfToken;
            this.createdAt = createdAt;
            this.lastSeen = createdAt;
        }

        public String id() {
            return id;
        }

        public Principal principal() {
            return principal;
        }

        public Role role() {
            return principal.role();
        }

        public String username() {
            return principal.name();
        }

        public String csrfToken() {
            return csrfToken;
        }

        @Override
        public String toString() {
            return "Session[" + principal.actor() + "]"; // never the id or the token
        }
    }

    /** Starts a session for a principal that has just signed in. */
    public Session start(Principal principal) {
        Instant now = clock.instant();
        if (sessions.size() >= MAX_SESSIONS) {
            sessions.values().removeIf(s -> expired(s, now));
            if (sessions.size() >= MAX_SESSIONS) {
                throw new IllegalStateException("too many console sessions at once; try again later");
            }
        }
        Session session = new Session(newToken(), principal, newToken(), now);
        sessions.put(session.id, session);
        return session;
    }

    /** The live session of this id, its idle clock restarted; empty (and forgotten) once it has expired. */
    public Optional<Session> find(String id) {
        if (id == null || id.isEmpty()) {
            return Optional.empty();
        }
        Session session = sessions.get(id);
        if (session == null) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        if (expired(session, now)) {
            sessions.remove(id, session);
            return Optional.empty();
        }
        session.lastSeen = now;
        return Optional.of(session);
    }

    /** Sign-out: the id stops working at once. */
    public void end(String id) {
        if (id != null) {
            sessions.remove(id);
        }
    }

    private boolean expired(Session session, Instant now) {
        return !now.isBefore(session.lastSeen.plus(idle)) || !now.isBefore(session.createdAt.plus(absolute));
    }

    /**
     * The synchronizer-token check of a state-changing request: the token sent with the form (or the
     * {@code X-CSRF-Token} header of an htmx request) must be the session's, compared in constant time.
     */
    public static boolean csrfMatches(Session session, String sent) {
        return session != null && sent != null && !sent.isEmpty() && MessageDigest.isEqual(
                session.csrfToken.getBytes(StandardCharsets.UTF_8), sent.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The sign-in form has no session yet: its token is a double submit, a random value in a SameSite=Strict cookie
     * that the form must repeat (a page on another site can set neither).
     */
    public static boolean signInTokenMatches(String cookie, String sent) {
        return cookie != null && cookie.length() >= 32 && sent != null && MessageDigest.isEqual(
                cookie.getBytes(StandardCharsets.UTF_8), sent.getBytes(StandardCharsets.UTF_8));
    }

    /** 256 random bits, URL-safe. */
    public static String newToken() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
