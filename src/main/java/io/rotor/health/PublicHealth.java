package io.rotor.health;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.camel.CamelContext;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckHelper;

import java.util.Collection;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The unauthenticated health answer: the overall status and each check's name and state, nothing else. No message,
 * detail, error or stack trace of a check (a target's address, a driver's error text) is ever written, whatever the
 * request asks: this answer takes no parameter at all, unlike Camel's own health endpoint, whose
 * {@code exposureLevel}, {@code stackTrace} and {@code data} query parameters let any client ask for full detail.
 * That endpoint is switched off ({@code camel.management.health-check-enabled=false}, forced by {@code serve}).
 *
 * <p>Status: {@code /ready} is UP when every readiness check is UP; {@code /live} and the overall status are UP when
 * no liveness or readiness check is DOWN. Target checks count for neither (docs/architecture.md, "Security rules").
 */
public final class PublicHealth {
    private static final ObjectMapper JSON = new ObjectMapper();

    public enum Kind {
        ALL, LIVE, READY
    }

    /** HTTP status (200 or 503) and JSON body. */
    public record Answer(int status, String json) {
    }

    private PublicHealth() {
    }

    public static Answer answer(CamelContext context, Kind kind) {
        Predicate<HealthCheck> excluded = switch (kind) {
            case ALL -> check -> false;
            case LIVE -> check -> !check.isLiveness();
            case READY -> check -> !check.isReadiness();
        };
        HealthCheck.Kind checkKind = switch (kind) {
            case ALL -> HealthCheck.Kind.ALL;
            case LIVE -> HealthCheck.Kind.LIVENESS;
            case READY -> HealthCheck.Kind.READINESS;
        };
        // "full": every result, so that each check's name and state can be listed; only those two are written
        Collection<HealthCheck.Result> results = HealthCheckHelper.invoke(context,
                check -> Map.of(HealthCheck.CHECK_KIND, checkKind), excluded, "full");
        Answer answer = answer(results, kind);
        io.rotor.cluster.ClusterNode node = context.getRegistry().lookupByNameAndType("clusterNode", io.rotor.cluster.ClusterNode.class);
        if (node == null) {
            return answer;
        }
        // the node's role (standalone or cluster-member), no more: node ids and addresses are at /api/v1/cluster
        try {
            ObjectNode root = (ObjectNode) JSON.readTree(answer.json());
            ObjectNode withRole = JSON.createObjectNode();
            withRole.set("status", root.get("status"));
            withRole.put("role", node.role());
            withRole.set("checks", root.get("checks"));
            return new Answer(answer.status(), withRole.toString());
        } catch (java.io.IOException e) {
            return answer;
        }
    }

    static Answer answer(Collection<HealthCheck.Result> results, Kind kind) {
        boolean up;
        if (kind == Kind.READY) {
            up = results.stream().allMatch(r -> r.getState() == HealthCheck.State.UP);
        } else {
            up = results.stream().filter(r -> r.getCheck().isLiveness() || r.getCheck().isReadiness())
                    .noneMatch(r -> r.getState() == HealthCheck.State.DOWN);
        }
        ObjectNode root = JSON.createObjectNode();
        root.put("status", up ? "UP" : "DOWN");
        ArrayNode checks = root.putArray("checks");
        for (HealthCheck.Result result : results) {
            checks.addObject().put("name", result.getCheck().getId()).put("status", result.getState().name());
        }
        return new Answer(up ? 200 : 503, root.toString());
    }
}
