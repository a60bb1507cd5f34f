package io.rotor.cluster.agent;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * The server's side of the agents' long poll (docs/architecture.md, "Agents"): operations wait here, per site, until
 * an agent of the site takes one; the connector that queued it waits for the agent's outcome. Plain Java, one lock.
 *
 * <p>What the waiting connector learns ({@link Answer}):
 * <ul>
 *   <li>{@code NOT_SENT}: no live agent of the site, or none took the operation in time. It was withdrawn from the
 *       queue under the lock, so no agent can take it later: nothing reached the target.</li>
 *   <li>{@code LOST}: an agent took it and gave no outcome within the time (it died, its network broke, or it
 *       restarted with the operation unfinished). The change may have been applied: the caller answers UNKNOWN.</li>
 *   <li>{@code DONE}: the agent's outcome.</li>
 * </ul>
 * The operation's JSON (with its secrets) is made only when an agent takes it (from its id), so a queued
 * operation holds no serialised secret, and the caller of {@link #take} wipes the bytes once sent.
 */
public final class AgentDispatcher {
    public enum Status { NOT_SENT, LOST, DONE }

    public record Answer(Status status, JsonNode outcome, String detail) {
    }

    /** What an agent takes: the operation's id and JSON (wipe it after sending). */
    public record Handout(String id, byte[] json) {
    }

    private static final class Pending {
        final String id = UUID.randomUUID().toString();
        final String site;
        final Function<String, byte[]> json;
        final CompletableFuture<JsonNode> outcome = new CompletableFuture<>();
        String takenBy;
        String takenBySession;

        Pending(String site, Function<String, byte[]> json) {
            this.site = site;
            this.json = json;
        }
    }

    private final Object lock = new Object();
    private final Map<String, Deque<Pending>> queued = new HashMap<>();
    private final Map<String, Pending> taken = new HashMap<>();
    /** agent name → (site, session, last poll) */
    private final Map<String, Contact> contacts = new HashMap<>();
    private final Duration liveness;
    private final Clock clock;

    private record Contact(String site, String session, Instant at) {
    }

    /** @param liveness how long after its last poll an agent still counts as connected (more than a poll's length) */
    public AgentDispatcher(Duration liveness, Clock clock) {
        this.liveness = liveness;
        this.clock = clock;
    }

    /** True when an agent of {@code site} polled within the liveness window. */
    public boolean siteConnected(String site) {
        Instant since = clock.instant().minus(liveness);
        synchronized (lock) {
            return contacts.values().stream().anyMatch(c -> c.site().equals(site) && c.at().isAfter(since));
        }
    }

    /** The agents connected to this node: name → last poll. */
    public Map<String, Instant> connected() {
        Instant since = clock.instant().minus(liveness);
        synchronized (lock) {
            Map<String, Instant> live = new java.util.TreeMap<>();
            contacts.forEach((name, c) -> {
                if (c.at().isAfter(since)) {
                    live.put(name, c.at());
                }
            });
            return live;
        }
    }

    /**
     * Queues an operation for {@code site} and waits for its outcome: up to {@code handOut} for an agent to take it,
     * then up to {@code callTimeout} from the moment it was taken for the outcome.
     */
    public Answer submit(String site, Function<String, byte[]> json, Duration handOut, Duration callTimeout) {
        Pending p = new Pending(site, json);
        synchronized (lock) {
            if (!siteConnected(site)) {
                return new Answer(Status.NOT_SENT, null, "no agent of site '" + site + "' is connected; nothing was sent");
            }
            queued.computeIfAbsent(site, s -> new ArrayDeque<>()).addLast(p);
            lock.notifyAll();
        }
        long deadline = System.nanoTime() + handOut.toNanos();
        synchronized (lock) {
            while (p.takenBy == null) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || p.outcome.isDone()) {
                    break;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(lock, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            if (p.takenBy == null) {
                queued.getOrDefault(site, new ArrayDeque<>()).remove(p);
                return new Answer(Status.NOT_SENT, null, "no agent of site '" + site + "' took the operation within "
                        + handOut.toSeconds() + " s; nothing was sent");
            }
        }
        try {
            return new Answer(Status.DONE, p.outcome.get(callTimeout.toNanos(), TimeUnit.NANOSECONDS), null);
        } catch (TimeoutException e) {
            return new Answer(Status.LOST, null, "agent '" + p.takenBy + "' of site '" + site + "' gave no outcome within "
                    + callTimeout.toSeconds() + " s");
        } catch (ExecutionException e) {
            return new Answer(Status.LOST, null, e.getCause().getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Answer(Status.LOST, null, "interrupted while waiting for agent '" + p.takenBy + "'");
        } finally {
            synchronized (lock) {
                taken.remove(p.id);
            }
        }
    }

    /**
     * An agent's poll: waits up to {@code wait} for an operation of its site. A poll from a new session of the agent
     * (it restarted) ends the operations its old session had taken as lost: they will never get an outcome.
     */
    public Optional<Handout> take(String agent, String site, String session, Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        synchronized (lock) {
            Contact before = contacts.put(agent, new Contact(site, session, clock.instant()));
            if (before != null && !before.session().equals(session)) {
                for (Pending p : java.util.List.copyOf(taken.values())) {
                    if (agent.equals(p.takenBy) && !session.equals(p.takenBySession)) {
                        p.outcome.completeExceptionally(new IllegalStateException("agent '" + agent
                                + "' restarted before it gave the outcome"));
                    }
                }
            }
            while (true) {
                Deque<Pending> q = queued.get(site);
                Pending p = q == null ? null : q.pollFirst();
                if (p != null) {
                    p.takenBy = agent;
                    p.takenBySession = session;
                    taken.put(p.id, p);
                    lock.notifyAll();
                    contacts.put(agent, new Contact(site, session, clock.instant()));
                    byte[] json;
                    try {
                        json = p.json.apply(p.id);
                    } catch (RuntimeException e) {
                        p.outcome.completeExceptionally(e);
                        continue;
                    }
                    return Optional.of(new Handout(p.id, json));
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    contacts.put(agent, new Contact(site, session, clock.instant()));
                    return Optional.empty();
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(lock, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return Optional.empty();
                }
            }
        }
    }

    /** The outcome of an operation the agent took; false when it is not (or no longer) waited for, or not its own. */
    public boolean complete(String agent, String operationId, JsonNode outcome) {
        synchronized (lock) {
            Pending p = taken.get(operationId);
            if (p == null || !agent.equals(p.takenBy)) {
                return false;
            }
            return p.outcome.complete(outcome);
        }
    }
}
