package io.rotor.cluster.agent;

import com.fasterxml.jackson.databind.JsonNode;
import io.rotor.connector.ChangeResult;
import io.rotor.connector.ConnectorRegistry;
import io.rotor.connector.TargetConnector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;

/**
 * {@code rotor agent}: next to the targets of one site, it opens every connection itself (HTTPS to the server, with
 * the server's key pinned; then the targets, with the same connectors as the server) and listens on no port. Each
 * worker long-polls the server, runs the operation it gets with the local connector and posts the outcome. The
 * operation's secrets live in memory for that operation only (docs/architecture.md, "Agents").
 */
public final class AgentRunner {
    private static final Logger LOG = LoggerFactory.getLogger(AgentRunner.class);
    /** Test-only: seconds to wait after a change was applied and before its outcome is sent (to kill the agent then). */
    public static final String PAUSE_AFTER_CHANGE = "rotor.test.agent-pause-after-change-seconds";

    private final URI server;
    private final String credential;
    private final String name;
    private final HttpClient http;
    private final String session = UUID.randomUUID().toString();
    private final ConnectorRegistry connectors = new ConnectorRegistry();
    private final Duration pollTimeout;
    private volatile boolean stopped;
    private volatile String fatal;

    private AgentRunner(URI server, String pin, String name, String credential, Duration pollTimeout) {
        this.server = server;
        this.name = name;
        this.credential = credential;
        this.pollTimeout = pollTimeout;
        this.http = client(pin);
    }

    static HttpClient client(String pin) {
        return HttpClient.newBuilder().sslContext(PinnedTls.context(pin)).connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /** The server's base URL: https only, no user info, query or fragment. */
    public static URI serverUri(String url) {
        URI uri;
        try {
            uri = URI.create(url.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--server: not a URL");
        }
        if (!"https".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null || uri.getUserInfo() != null
                || uri.getQuery() != null || uri.getFragment() != null) {
            throw new IllegalArgumentException("--server: expected https://host[:port] (the agent speaks only TLS)");
        }
        String base = uri.toString().replaceAll("/+$", "");
        return URI.create(base.endsWith("/api/v1") ? base : base + "/api/v1");
    }

    /**
     * Enrolls with a one-time token: the server answers the agent's name, site and credential, which are stored in
     * the home (credential 0600). The site must be the one the token was made for.
     */
    public static String enroll(AgentHome home, URI server, String site, String pin, char[] token) throws Exception {
        HttpClient http = client(pin);
        byte[] body = AgentWire.MAPPER.writeValueAsBytes(java.util.Map.of("token", new String(token)));
        HttpResponse<byte[]> response = http.send(HttpRequest.newBuilder(server.resolve(server.getPath() + "/agent/enroll"))
                .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofByteArray());
        java.util.Arrays.fill(body, (byte) 0);
        if (response.statusCode() != 200) {
            throw new IllegalStateException("enrollment refused by the server (HTTP " + response.statusCode()
                    + "): the token is unknown, used, expired or revoked");
        }
        JsonNode answer = AgentWire.parse(response.body());
        String enrolledSite = answer.path("site").asText();
        if (!enrolledSite.equals(site)) {
            throw new IllegalStateException("--site " + site + ": the token was made for site '" + enrolledSite
                    + "'; the enrollment is used up, create a new token with rotor agent-token create --site " + site);
        }
        Properties config = new Properties();
        config.setProperty("server", server.toString());
        config.setProperty("site", site);
        config.setProperty("name", answer.path("name").asText());
        config.setProperty("server-pin", pin);
        home.store(config, answer.path("credential").asText());
        return answer.path("name").asText();
    }

    /** Runs until the process ends, or until the server refuses the agent's credential (returns the reason). */
    public static String run(AgentHome home, int workers, Duration pollTimeout, PrintWriter err) throws Exception {
        Properties config = home.config();
        AgentRunner runner = new AgentRunner(URI.create(config.getProperty("server")), config.getProperty("server-pin"),
                config.getProperty("name"), home.credential(), pollTimeout);
        err.println("rotor agent '" + runner.name + "' of site '" + config.getProperty("site") + "' polling "
                + runner.server + " with " + workers + " worker(s); listening on no port");
        err.flush();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < workers; i++) {
            Thread t = new Thread(runner::work, "rotor-agent-" + i);
            t.start();
            threads.add(t);
        }
        for (Thread t : threads) {
            t.join();
        }
        runner.connectors.close();
        return runner.fatal;
    }

    private void work() {
        long backoff = 1000;
        while (!stopped) {
            try {
                HttpResponse<byte[]> response = http.send(post("/agent/poll", new byte[]{'{', '}'})
                        .timeout(pollTimeout).build(), HttpResponse.BodyHandlers.ofByteArray());
                if (response.statusCode() == 401) {
                    fatal = "the server refused this agent's credential (revoked?); enroll again with a new token";
                    stopped = true;
                    return;
                }
                backoff = 1000;
                if (response.statusCode() == 200) {
                    byte[] json = response.body();
                    try {
                        handle(json);
                    } finally {
                        java.util.Arrays.fill(json, (byte) 0);
                    }
                } else if (response.statusCode() != 204) {
                    LOG.warn("poll answered HTTP {}", response.statusCode());
                    Thread.sleep(backoff);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) {
                // server unreachable, restarting, TLS refused: try again, slower each time
                LOG.warn("cannot reach the server: {}", e.getClass().getSimpleName()
                        + (e.getMessage() == null ? "" : ": " + e.getMessage()));
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException stop) {
                    Thread.currentThread().interrupt();
                    return;
                }
                backoff = Math.min(backoff * 2, 30_000);
            }
        }
    }

    private void handle(byte[] json) throws Exception {
        byte[] outcome;
        String id;
        try (AgentWire.Operation op = AgentWire.readOperation(json)) {
            id = op.id();
            LOG.info("operation {} {} on target {}", id, op.kind(), op.target().id());
            outcome = run(op);
        }
        HttpResponse<Void> sent = http.send(post("/agent/operations/" + id + "/result", outcome)
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.discarding());
        LOG.info("operation {} outcome sent (HTTP {})", id, sent.statusCode());
    }

    private byte[] run(AgentWire.Operation op) {
        try {
            TargetConnector connector = connectors.connectorFor(op.target());
            return switch (op.kind()) {
                case VERIFY -> AgentWire.result(connector.verify(op.verify()));
                case CHANGE -> {
                    ChangeResult result = connector.change(op.change());
                    pauseForTests(result);
                    yield AgentWire.result(result);
                }
                case RECONCILE -> {
                    ChangeResult result = connector.reconcile(op.reconcile());
                    pauseForTests(result);
                    yield AgentWire.result(result);
                }
                case DISCOVER -> AgentWire.result(connector.discover(op.discover()));
            };
        } catch (RuntimeException e) {
            // the guard turned connector failures into outcomes; this is the agent's own (unknown type, bad settings)
            return AgentWire.failure(e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()));
        }
    }

    private static void pauseForTests(ChangeResult result) {
        int seconds = Integer.getInteger(PAUSE_AFTER_CHANGE, 0);
        if (seconds > 0 && result.outcome() == ChangeResult.Outcome.CHANGED) {
            System.err.println("rotor agent: change applied; test pause of " + seconds + " s before the outcome is sent");
            System.err.flush();
            try {
                Thread.sleep(seconds * 1000L);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private HttpRequest.Builder post(String path, byte[] body) {
        return HttpRequest.newBuilder(server.resolve(server.getPath() + path))
                .header("Authorization", "Bearer " + credential)
                .header("X-Rotor-Agent-Session", session)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    }
}
