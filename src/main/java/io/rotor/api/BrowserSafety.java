package io.rotor.api;

import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Rules that keep a browser from being used against the API (docs/api.md, "Browser safety").
 *
 * <p>A browser that has cached Basic credentials for Rotor sends them with any cross-site request, and a page on
 * another site can make "simple" requests without asking: a form POST ({@code application/x-www-form-urlencoded},
 * {@code multipart/form-data}, {@code text/plain}) or a body-less {@code fetch}. Every state-changing request
 * must therefore carry either a JSON content type or an {@code X-CSRF-Token} header: either makes the request
 * non-simple, so a browser asks first (CORS preflight), and Rotor approves no cross-site origin.
 *
 * <p>The rule applies to requests that carry Basic credentials, the only credentials a browser caches and attaches
 * on its own. A token ({@code Authorization: Bearer ...} or the Fudo-style bare token) is set by a script or a
 * client, and a cross-site page cannot set the {@code Authorization} header without a preflight, so token requests
 * (the seeds' curl commands among them, e.g. a body-less {@code POST .../trigger_password_changer}) are not refused.
 */
public final class BrowserSafety {
    public static final String CSRF_HEADER = "X-CSRF-Token";
    /** Nothing in an answer may be run, framed or loaded: the API answers data, never pages. */
    public static final String CONTENT_SECURITY_POLICY = "default-src 'none'; frame-ancestors 'none'; sandbox";
    private static final Set<String> SAFE_METHODS = Set.of("GET", "HEAD", "OPTIONS");

    private BrowserSafety() {
    }

    /**
     * @throws ApiException 415 when a state-changing request has neither a JSON content type nor the CSRF header
     */
    public static void requireNonSimpleRequest(String method, String contentType, String csrfToken, String authorization) {
        if (method == null || SAFE_METHODS.contains(method.toUpperCase(Locale.ROOT)) || !browserAttached(authorization)) {
            return;
        }
        if (isJson(contentType) || (csrfToken != null && !csrfToken.isBlank())) {
            return;
        }
        throw new ApiException(415, "UNSUPPORTED_MEDIA_TYPE", "a state-changing request needs Content-Type:"
                + " application/json (also when it has no body) or an " + CSRF_HEADER + " header");
    }

    /** Basic credentials: what a browser caches and sends with any request to the same origin. */
    static boolean browserAttached(String authorization) {
        return authorization != null && authorization.trim().regionMatches(true, 0, "Basic ", 0, 6);
    }

    static boolean isJson(String contentType) {
        String type = contentType == null ? "" : contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        return type.equals("application/json") || (type.startsWith("application/") && type.endsWith("+json"));
    }

    /**
     * Headers on every answer under the API: no content sniffing, a policy that runs nothing, and no caching —
     * answers may carry a secret (checkout) or inventory, and none is worth keeping in a shared cache. They are
     * set on the HTTP server's response ({@link HttpErrors}) because Camel's HTTP header filter drops
     * {@code Cache-Control} from a route's message.
     */
    public static final Map<String, String> ANSWER_HEADERS = Map.of(
            "X-Content-Type-Options", "nosniff",
            "Cache-Control", "no-store",
            "Content-Security-Policy", CONTENT_SECURITY_POLICY);
}
