package io.rotor.camel.route;

import io.rotor.domain.Target;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The settings of a target of type {@code route} (schema {@code schema/connectors/route.json}), checked when the
 * connector is created: the endpoints of its operations ({@code change} and {@code verify} required), the
 * per-request timeout the routes get and the bound of one whole route call.
 */
public record RouteSettings(Map<RouteContract.Operation, String> endpoints, Duration requestTimeout,
                            Duration callTimeout, boolean confirmedOnly) {
    /** scheme:rest, the scheme as Camel component names are, no white space or control character anywhere. */
    static final Pattern ENDPOINT = Pattern.compile("^[a-zA-Z][a-zA-Z0-9+.-]*:[^\\s\\p{Cntrl}]+$");
    static final Set<String> KEYS = Set.of("change", "verify", "reconcile", "discover", "timeoutSeconds",
            "callTimeoutSeconds", "verification");
    public static final int DEFAULT_TIMEOUT_SECONDS = 10;

    public static RouteSettings of(Target target) {
        Map<String, String> settings = target.settings();
        for (String key : settings.keySet()) {
            if (!KEYS.contains(key)) {
                throw invalid(target, key, "unknown setting (known: " + String.join(", ", new java.util.TreeSet<>(KEYS)) + ")");
            }
        }
        Map<RouteContract.Operation, String> endpoints = new EnumMap<>(RouteContract.Operation.class);
        for (RouteContract.Operation operation : RouteContract.Operation.values()) {
            String uri = settings.get(operation.setting());
            if (uri == null || uri.isBlank()) {
                if (operation == RouteContract.Operation.CHANGE || operation == RouteContract.Operation.VERIFY) {
                    throw invalid(target, operation.setting(), "is required: the endpoint of the route that does the "
                            + operation.setting() + " (e.g. direct:myapp-" + operation.setting() + ")");
                }
                continue;
            }
            if (!ENDPOINT.matcher(uri).matches()) {
                throw invalid(target, operation.setting(), "'" + io.rotor.domain.VisibleText.clean(uri, 200)
                        + "' is not a Camel endpoint URI (scheme:path, e.g. direct:myapp-" + operation.setting() + ")");
            }
            endpoints.put(operation, uri.trim());
        }
        int timeout = seconds(target, "timeoutSeconds", DEFAULT_TIMEOUT_SECONDS);
        int call = seconds(target, "callTimeoutSeconds", 3 * timeout + 5);
        if (call <= timeout) {
            throw invalid(target, "callTimeoutSeconds", "must be greater than timeoutSeconds (" + timeout + ")");
        }
        String verification = settings.getOrDefault("verification", "login").trim().toLowerCase(Locale.ROOT);
        if (!verification.equals("login") && !verification.equals("confirmed")) {
            throw invalid(target, "verification", "must be login or confirmed");
        }
        return new RouteSettings(Map.copyOf(endpoints), Duration.ofSeconds(timeout), Duration.ofSeconds(call),
                verification.equals("confirmed"));
    }

    public Optional<String> endpoint(RouteContract.Operation operation) {
        return Optional.ofNullable(endpoints.get(operation));
    }

    private static int seconds(Target target, String key, int fallback) {
        String text = target.settings().get(key);
        if (text == null || text.isBlank()) {
            return fallback;
        }
        try {
            int value = Integer.parseInt(text.trim());
            if (value < 1 || value > 3600) {
                throw invalid(target, key, "must be between 1 and 3600");
            }
            return value;
        } catch (NumberFormatException e) {
            throw invalid(target, key, "must be a whole number of seconds");
        }
    }

    private static IllegalArgumentException invalid(Target target, String key, String problem) {
        return new IllegalArgumentException("target '" + target.id() + "' (type route): setting '" + key + "' " + problem);
    }
}
