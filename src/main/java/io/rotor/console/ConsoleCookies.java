package io.rotor.console;

import java.time.Duration;
import java.util.Optional;

/**
 * The console's cookies: always {@code HttpOnly} (no script reads them), {@code SameSite=Strict} (no other site's
 * page makes the browser send them) and {@code Path=/}; under TLS also {@code Secure}, with the {@code __Host-}
 * prefix that makes the browser refuse the cookie from anything but this host over HTTPS.
 */
public final class ConsoleCookies {
    static final String SESSION = "rotor_session";
    static final String SIGN_IN = "rotor_signin";

    private final boolean tls;

    public ConsoleCookies(boolean tls) {
        this.tls = tls;
    }

    public String sessionName() {
        return (tls ? "__Host-" : "") + SESSION;
    }

    public String signInName() {
        return (tls ? "__Host-" : "") + SIGN_IN;
    }

    /** A {@code Set-Cookie} value; {@code maxAge} null for a browser-session cookie, zero to delete. */
    public String setCookie(String name, String value, Duration maxAge) {
        StringBuilder cookie = new StringBuilder(name).append('=').append(value).append("; Path=/; HttpOnly; SameSite=Strict");
        if (tls) {
            cookie.append("; Secure");
        }
        if (maxAge != null) {
            cookie.append("; Max-Age=").append(maxAge.toSeconds());
        }
        return cookie.toString();
    }

    public String delete(String name) {
        return setCookie(name, "", Duration.ZERO);
    }

    /** The value of cookie {@code name} in a {@code Cookie} request header. */
    public static Optional<String> read(String cookieHeader, String name) {
        if (cookieHeader == null) {
            return Optional.empty();
        }
        for (String part : cookieHeader.split(";")) {
            int eq = part.indexOf('=');
            if (eq > 0 && part.substring(0, eq).trim().equals(name)) {
                return Optional.of(part.substring(eq + 1).trim());
            }
        }
        return Optional.empty();
    }
}
