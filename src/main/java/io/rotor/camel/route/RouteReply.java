package io.rotor.camel.route;

import java.util.List;

/**
 * What came back from a route, before the outcome rules of the protocol are applied ({@link RouteConnector}).
 *
 * @param outcome       the route's {@link RouteContract#OUTCOME} header, or null
 * @param reason        its {@link RouteContract#REASON} header, or null
 * @param requestSent   the {@link RouteContract#REQUEST_SENT} property: null when the route never set it
 * @param loginRefused  the {@link RouteContract#LOGIN_REFUSED} header
 * @param failure       the exception that ended the route (class and message), or null
 * @param timedOut      true when the route did not end within the call's bound (it may still be running)
 * @param usernames     discover's answer, or empty
 */
public record RouteReply(String outcome, String reason, Boolean requestSent, boolean loginRefused, String failure,
                         boolean timedOut, List<String> usernames) {
    public RouteReply {
        usernames = usernames == null ? List.of() : List.copyOf(usernames);
    }

    /** The call never reached a route: nothing was sent. */
    public static RouteReply notStarted(String failure) {
        return new RouteReply(null, null, Boolean.FALSE, false, failure, false, List.of());
    }
}
