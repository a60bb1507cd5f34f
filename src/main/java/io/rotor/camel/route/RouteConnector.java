package io.rotor.camel.route;

import io.rotor.connector.ChangeRequest;
import io.rotor.connector.ChangeResult;
import io.rotor.connector.DiscoverRequest;
import io.rotor.connector.DiscoverResult;
import io.rotor.connector.ReconcileRequest;
import io.rotor.connector.TargetConnector;
import io.rotor.connector.VerificationKind;
import io.rotor.connector.VerifyRequest;
import io.rotor.connector.VerifyResult;
import io.rotor.domain.CredentialType;
import io.rotor.domain.Secret;
import io.rotor.domain.Target;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A target whose operations are Camel routes (type {@code route}; docs/architecture.md, "Route connectors"). It
 * sends each operation to the endpoint its settings name, through {@link RouteCalls}, and applies the outcome rules
 * of the protocol to what comes back: an answer the route gives is taken as it is; an exception or a route that
 * does not end in time is REJECTED only when the route said nothing was sent yet ({@link RouteContract#REQUEST_SENT}
 * {@code false}), else UNKNOWN. The registry wraps it in the guard like any other connector (redaction, and an
 * escaping exception becomes UNKNOWN).
 */
public final class RouteConnector implements TargetConnector {
    public static final String TYPE = "route";

    private final Target target;
    private final RouteSettings settings;
    private final RouteCalls calls;

    public RouteConnector(Target target, RouteSettings settings, RouteCalls calls) {
        this.target = target;
        this.settings = settings;
        this.calls = calls;
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public VerifyResult verify(VerifyRequest request) {
        String uri = settings.endpoint(RouteContract.Operation.VERIFY).orElseThrow();
        RouteReply reply = calls.call(uri, call(RouteContract.Operation.VERIFY, request.target(), request.accountId(),
                request.login().username(), null, null, Map.of(RouteContract.CURRENT_SECRET, request.login().secret())));
        return verifyResult(reply);
    }

    @Override
    public ChangeResult change(ChangeRequest request) {
        String uri = settings.endpoint(RouteContract.Operation.CHANGE).orElseThrow();
        Map<String, Secret> secrets = new HashMap<>();
        secrets.put(RouteContract.CURRENT_SECRET, request.current());
        secrets.put(RouteContract.NEW_SECRET, request.newSecret());
        if (request.admin() != null) {
            secrets.put(RouteContract.ADMIN_SECRET, request.admin().secret());
        }
        return changeResult(calls.call(uri, call(RouteContract.Operation.CHANGE, request.target(), request.accountId(),
                request.username(), request.admin() == null ? null : request.admin().username(), null, secrets)));
    }

    @Override
    public ChangeResult reconcile(ReconcileRequest request) {
        var endpoint = settings.endpoint(RouteContract.Operation.RECONCILE);
        if (endpoint.isEmpty()) {
            return ChangeResult.rejected("target '" + target.id() + "' names no reconcile route (setting 'reconcile')");
        }
        Map<String, Secret> secrets = new HashMap<>();
        secrets.put(RouteContract.NEW_SECRET, request.newSecret());
        secrets.put(RouteContract.ADMIN_SECRET, request.admin() == null ? null : request.admin().secret());
        return changeResult(calls.call(endpoint.get(), call(RouteContract.Operation.RECONCILE, request.target(),
                request.accountId(), request.username(), request.admin() == null ? null : request.admin().username(),
                null, secrets)));
    }

    @Override
    public DiscoverResult discover(DiscoverRequest request) {
        var endpoint = settings.endpoint(RouteContract.Operation.DISCOVER);
        if (endpoint.isEmpty()) {
            throw new UnsupportedOperationException("target '" + target.id()
                    + "' names no discover route (setting 'discover')");
        }
        Map<String, Secret> secrets = new HashMap<>();
        secrets.put(RouteContract.ADMIN_SECRET, request.admin() == null ? null : request.admin().secret());
        RouteReply reply = calls.call(endpoint.get(), call(RouteContract.Operation.DISCOVER, request.target(), null, null,
                request.admin() == null ? null : request.admin().username(), request.filter(), secrets));
        if (reply.failure() != null || reply.timedOut()) {
            throw new IllegalStateException("discover route of target '" + target.id() + "' failed: " + reply.failure());
        }
        return new DiscoverResult(reply.usernames());
    }

    @Override
    public VerificationKind verificationKind(CredentialType type) {
        return settings.confirmedOnly() ? VerificationKind.CONFIRMED : VerificationKind.LOGIN;
    }

    @Override
    public void close() {
        // the routes belong to the engine; nothing is held per target
    }

    /** The connector's own target (host, port) is used, as every connector keeps the one it was made for. */
    private RouteCall call(RouteContract.Operation operation, Target requested, String accountId, String username,
                           String adminUsername, String filter, Map<String, Secret> secrets) {
        return new RouteCall(operation, target.id(), target.host(), target.port(), accountId, username, adminUsername,
                filter, secrets, settings.requestTimeout(), settings.callTimeout());
    }

    /** The protocol's outcome rules for a change or reconcile (docs/architecture.md, "Route connectors"). */
    static ChangeResult changeResult(RouteReply reply) {
        boolean nothingSent = Boolean.FALSE.equals(reply.requestSent());
        if (reply.timedOut()) {
            // still running: it may yet send the change, whatever it said so far
            return ChangeResult.unknown("outcome unknown: " + reply.failure());
        }
        if (reply.failure() != null) {
            return nothingSent ? ChangeResult.rejected("failed before the change was sent: " + reply.failure())
                    : ChangeResult.unknown("outcome unknown: " + reply.failure());
        }
        String outcome = reply.outcome() == null ? null : reply.outcome().trim().toUpperCase(Locale.ROOT);
        String reason = reply.reason() == null || reply.reason().isBlank() ? null : reply.reason();
        if (outcome == null) {
            return nothingSent ? ChangeResult.rejected("the route answered no RotorOutcome and sent nothing")
                    : ChangeResult.unknown("outcome unknown: the route answered no RotorOutcome");
        }
        return switch (outcome) {
            case "CHANGED" -> new ChangeResult(ChangeResult.Outcome.CHANGED, reason == null ? "changed" : reason);
            case "REJECTED" -> reply.loginRefused()
                    ? ChangeResult.loginRefused(reason == null ? "login refused" : reason)
                    : ChangeResult.rejected(reason == null ? "rejected by the target" : reason);
            case "UNKNOWN" -> ChangeResult.unknown(reason == null ? "outcome unknown" : reason);
            default -> ChangeResult.unknown("outcome unknown: the route answered RotorOutcome '"
                    + io.rotor.domain.VisibleText.clean(outcome, 40) + "' (CHANGED, REJECTED or UNKNOWN)");
        };
    }

    static VerifyResult verifyResult(RouteReply reply) {
        if (reply.timedOut() || reply.failure() != null) {
            return VerifyResult.unreachable(String.valueOf(reply.failure()));
        }
        String outcome = reply.outcome() == null ? "" : reply.outcome().trim().toUpperCase(Locale.ROOT);
        String reason = reply.reason() == null || reply.reason().isBlank() ? null : reply.reason();
        return switch (outcome) {
            case "VALID" -> reason == null ? VerifyResult.valid() : new VerifyResult(VerifyResult.Outcome.VALID, reason);
            case "REJECTED" -> VerifyResult.rejected(reason == null ? "login refused" : reason);
            case "UNREACHABLE" -> VerifyResult.unreachable(reason == null ? "target unreachable" : reason);
            default -> VerifyResult.unreachable("the verify route answered RotorOutcome '"
                    + io.rotor.domain.VisibleText.clean(outcome, 40) + "' (VALID, REJECTED or UNREACHABLE)");
        };
    }
}
