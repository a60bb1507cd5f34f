package io.rotor.health;

import io.rotor.domain.Target;
import io.rotor.domain.TlsMode;
import io.rotor.domain.VisibleText;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Checks every target on a schedule and keeps the answers: a health request reads them and never opens a connection
 * to a target itself, so no client can make Rotor knock on every target as often as it likes. Each round probes all
 * targets at once (at most {@value #PROBE_THREADS} at a time), each bounded by the timeout; the next round starts
 * {@code interval} after the previous one ended.
 *
 * <p>The answers (address, reason of a failure) are for an authenticated admin or auditor only
 * ({@code GET /api/v1/health/targets}); the public health shows a target's check name and state
 * (docs/architecture.md, "Security rules").
 *
 * <p>A probe checks that the target's host and port accept TCP. It deliberately does not log in: a probe every few
 * seconds must not count against an account's lockout limit or fill the audit trail.
 */
public final class TargetMonitor implements AutoCloseable {
    public static final String INTERVAL_SETTING = "rotor.health.target-interval-seconds";
    public static final String TIMEOUT_SETTING = "rotor.health.target-timeout-seconds";
    static final int DEFAULT_INTERVAL_SECONDS = 30;
    static final int DEFAULT_TIMEOUT_SECONDS = 2;
    static final int PROBE_THREADS = 4;
    private static final int REASON_MAX = 300;

    /** What a target looked like at its last check. {@code tlsWarning}: set when the target runs without TLS its transport has. */
    public record TargetStatus(String targetId, String type, String address, String tls, String tlsWarning,
                               State state, String reason, String checkedAt) {
    }

    public enum State { UP, DOWN }

    /** Checks one target; returns normally when it answers, throws (with the reason) when it does not. */
    @FunctionalInterface
    public interface Probe {
        void check(Target target, Duration timeout) throws Exception;
    }

    /** Does the host's port accept a TCP connection within the timeout? */
    public static final Probe TCP = (target, timeout) -> {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(target.host(), target.port()), (int) Math.max(1, timeout.toMillis()));
        }
    };

    private final Supplier<List<Target>> targets;
    private final Probe probe;
    private final Duration interval;
    private final Duration timeout;
    private final Clock clock;
    private final Map<String, TargetStatus> answers = new ConcurrentHashMap<>();
    private ScheduledExecutorService scheduler;
    private ExecutorService probes;

    public TargetMonitor(Supplier<List<Target>> targets, Probe probe, Duration interval, Duration timeout, Clock clock) {
        if (interval.isNegative() || interval.isZero() || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("the health check interval and timeout must be positive");
        }
        this.targets = targets;
        this.probe = probe;
        this.interval = interval;
        this.timeout = timeout;
        this.clock = clock;
    }

    /** From {@value #INTERVAL_SETTING} (default 30) and {@value #TIMEOUT_SETTING} (default 2), with TCP probes. */
    public static TargetMonitor fromSettings(Properties settings, Supplier<List<Target>> targets) {
        return new TargetMonitor(targets, TCP, Duration.ofSeconds(seconds(settings, INTERVAL_SETTING, DEFAULT_INTERVAL_SECONDS)),
                Duration.ofSeconds(seconds(settings, TIMEOUT_SETTING, DEFAULT_TIMEOUT_SECONDS)), Clock.systemUTC());
    }

    private static int seconds(Properties settings, String key, int fallback) {
        String value = settings.getProperty(key);
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            int seconds = Integer.parseInt(value.trim());
            if (seconds >= 1) {
                return seconds;
            }
        } catch (NumberFormatException ignored) {
            // answered below
        }
        throw new IllegalArgumentException("setting " + key + " must be a whole number of seconds, at least 1, not '"
                + value.trim() + "'");
    }

    public Duration interval() {
        return interval;
    }

    public Duration timeout() {
        return timeout;
    }

    /** Starts the rounds: the first at once, each next one {@link #interval()} after the previous one ended. */
    public synchronized void start() {
        if (scheduler != null) {
            return;
        }
        scheduler = Executors.newSingleThreadScheduledExecutor(daemon("rotor-target-health"));
        probes = Executors.newFixedThreadPool(PROBE_THREADS, daemon("rotor-target-probe"));
        scheduler.scheduleWithFixedDelay(this::probeAllQuietly, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void probeAllQuietly() {
        try {
            probeAll();
        } catch (RuntimeException e) {
            // a round that fails (the vault could not list the targets) keeps the previous answers; the next one retries
            org.slf4j.LoggerFactory.getLogger(TargetMonitor.class).warn("target health round failed: {}",
                    VisibleText.clean(e.getMessage(), REASON_MAX));
        }
    }

    /** One round, now, on the calling thread (and the probe pool when started): what the schedule runs. */
    public void probeAll() {
        List<Target> current = targets.get();
        Map<String, Future<String>> running = new LinkedHashMap<>();
        ExecutorService pool;
        synchronized (this) {
            pool = probes;
        }
        for (Target target : current) {
            if (pool != null) {
                running.put(target.id(), pool.submit(() -> probeOne(target)));
            } else {
                running.put(target.id(), java.util.concurrent.CompletableFuture.completedFuture(probeOne(target)));
            }
        }
        for (Target target : current) {
            String failure;
            Future<String> answer = running.get(target.id());
            try {
                failure = answer.get(timeout.toMillis() + 1_000, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                answer.cancel(true);
                failure = "no answer within " + (timeout.toMillis() % 1000 == 0 ? timeout.toSeconds() + " s" : timeout.toMillis() + " ms");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (java.util.concurrent.ExecutionException e) {
                failure = describe(e.getCause());
            }
            answers.put(target.id(), status(target, failure));
        }
        Set<String> known = current.stream().map(Target::id).collect(Collectors.toSet());
        answers.keySet().retainAll(known);
    }

    /** @return null when the target answered, else why not */
    private String probeOne(Target target) {
        try {
            probe.check(target, timeout);
            return null;
        } catch (Exception e) {
            return describe(e);
        }
    }

    private static String describe(Throwable e) {
        String message = e.getMessage();
        return VisibleText.clean(e.getClass().getSimpleName() + (message == null ? "" : ": " + message), REASON_MAX);
    }

    private TargetStatus status(Target target, String failure) {
        boolean clearText = target.tlsMode() == TlsMode.DISABLE && TlsMode.supported(target.type());
        return new TargetStatus(target.id(), target.type(), target.host() + ":" + target.port(), target.tlsMode().configName(),
                clearText ? TargetHealthCheck.CLEAR_TEXT_WARNING : null, failure == null ? State.UP : State.DOWN,
                failure, clock.instant().toString());
    }

    /** The last answer for the target; empty before its first check. Never opens a connection. */
    public java.util.Optional<TargetStatus> status(String targetId) {
        return java.util.Optional.ofNullable(answers.get(targetId));
    }

    /** Every target's last answer, by id. Never opens a connection. */
    public List<TargetStatus> statuses() {
        List<TargetStatus> all = new ArrayList<>(answers.values());
        all.sort(Comparator.comparing(TargetStatus::targetId));
        return all;
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }

    @Override
    public synchronized void close() {
        if (scheduler != null) {
            scheduler.shutdownNow();
            probes.shutdownNow();
            scheduler = null;
            probes = null;
        }
    }
}
