package io.rotor.cluster.agent;

import com.fasterxml.jackson.databind.JsonNode;
import io.rotor.domain.AgentInfo;
import io.rotor.vault.AgentRepository;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the agent endpoints do, in plain Java (docs/architecture.md, "Agents"): enrollment with a one-time token, the
 * long poll, the outcome of an operation, and the list of agents. The REST routes ({@code api.AgentApiRoutes}) only
 * authenticate the transport and call these.
 */
public final class AgentService {
    /** Thrown for a request that is not an enrolled, active agent's; the API answers 401 without saying why. */
    public static final class NotAnAgentException extends RuntimeException {
        public NotAnAgentException() {
            super("not an enrolled agent (unknown, revoked or tampered credential)");
        }
    }

    public record Enrolled(String name, String site, String credential) {
        @Override
        public String toString() {
            return "Enrolled[" + name + ", " + site + "]";
        }
    }

    /** One agent in {@code GET /api/v1/agents}: never a credential. */
    public record AgentView(String name, String site, String state, String createdAt, String createdBy,
                            String enrolledAt, String lastContactAt, String lastAddress, boolean connected,
                            String revokedAt) {
    }

    private static String text(Instant at) {
        return at == null ? null : at.toString();
    }

    private final AgentRepository agents;
    private final AgentDispatcher dispatcher;
    private final Duration pollWait;

    public AgentService(AgentRepository agents, AgentDispatcher dispatcher, Duration pollWait) {
        this.agents = agents;
        this.dispatcher = dispatcher;
        this.pollWait = pollWait;
    }

    public Enrolled enroll(JsonNode body, String address) {
        String token = field(body, "token");
        String credential = AgentCredentials.newSecret();
        AgentInfo agent = agents.enroll(AgentCredentials.hash(token), AgentCredentials.hash(credential), address)
                .orElseThrow(NotAnAgentException::new);
        return new Enrolled(agent.name(), agent.site(), credential);
    }

    /** The agent that holds this bearer credential, its contact recorded. */
    public AgentInfo authenticate(String authorization, String address) {
        if (authorization == null || !authorization.startsWith("Bearer ")
                || authorization.length() > AgentCredentials.MAX_LENGTH + 7) {
            throw new NotAnAgentException();
        }
        AgentInfo agent = agents.authenticate(AgentCredentials.hash(authorization.substring(7).trim()))
                .orElseThrow(NotAnAgentException::new);
        agents.touch(agent.name(), address);
        return agent;
    }

    /** The long poll: the next operation of the agent's site, or empty after the poll's wait. */
    public Optional<AgentDispatcher.Handout> poll(AgentInfo agent, String session) {
        if (session == null || !session.matches("[A-Za-z0-9-]{8,64}")) {
            throw new IllegalArgumentException("header X-Rotor-Agent-Session: 8 to 64 letters, digits or '-'");
        }
        return dispatcher.take(agent.name(), agent.site(), session, pollWait);
    }

    /** @return false when the operation is not waited for (any more) or was not handed to this agent */
    public boolean result(AgentInfo agent, String operationId, JsonNode outcome) {
        if (outcome == null || !outcome.hasNonNull("outcome")) {
            throw new IllegalArgumentException("outcome: required");
        }
        return dispatcher.complete(agent.name(), operationId, outcome);
    }

    public List<AgentView> list() {
        Map<String, Instant> connected = dispatcher.connected();
        return agents.list().stream().map(a -> new AgentView(a.name(), a.site(), a.state(), text(a.createdAt()), a.createdBy(),
                text(a.enrolledAt()), text(a.lastContactAt()), a.lastAddress(), a.active() && connected.containsKey(a.name()),
                text(a.revokedAt()))).toList();
    }

    private static String field(JsonNode body, String name) {
        JsonNode v = body == null ? null : body.get(name);
        if (v == null || !v.isTextual() || v.asText().isEmpty() || v.asText().length() > AgentCredentials.MAX_LENGTH) {
            throw new IllegalArgumentException(name + ": required, a string of at most " + AgentCredentials.MAX_LENGTH
                    + " characters");
        }
        return v.asText();
    }
}
