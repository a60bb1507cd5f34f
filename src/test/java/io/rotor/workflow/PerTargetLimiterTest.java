package io.rotor.workflow;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PerTargetLimiterTest {

    @Test
    void limitsComeFromTheMapOrTheDefault() {
        PerTargetLimiter limiter = new PerTargetLimiter(4, Map.of("slow-ldap", 1));
        assertThat(limiter.limit("slow-ldap")).isEqualTo(1);
        assertThat(limiter.limit("pg1")).isEqualTo(4);
    }

    @Test
    void readsItsSettings() {
        Properties p = new Properties();
        p.setProperty("rotor.workflow.target-concurrency.default", "6");
        p.setProperty("rotor.workflow.target-concurrency.pg1", "2");
        p.setProperty("rotor.other", "9");
        PerTargetLimiter limiter = PerTargetLimiter.fromProperties(p);
        assertThat(limiter.limit("pg1")).isEqualTo(2);
        assertThat(limiter.limit("pg2")).isEqualTo(6);
        assertThat(PerTargetLimiter.fromProperties(new Properties()).limit("x")).isEqualTo(PerTargetLimiter.DEFAULT_LIMIT);

        p.setProperty("rotor.workflow.target-concurrency.pg1", "two");
        assertThatThrownBy(() -> PerTargetLimiter.fromProperties(p))
                .hasMessage("setting rotor.workflow.target-concurrency.pg1 must be a whole number, not 'two'");
        p.setProperty("rotor.workflow.target-concurrency.pg1", "0");
        assertThatThrownBy(() -> PerTargetLimiter.fromProperties(p)).hasMessageContaining("'pg1' must be at least 1");
    }

    @Test
    void badLimitsAreRefused() {
        assertThatThrownBy(() -> new PerTargetLimiter(0, Map.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PerTargetLimiter(2, Map.of("t", -1))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void neverMoreInFlightPerTargetThanItsLimitUnderConcurrency() throws Exception {
        Map<String, Integer> limits = Map.of("pg1", 3, "maria", 1);
        PerTargetLimiter limiter = new PerTargetLimiter(5, limits);
        List<String> targets = List.of("pg1", "maria", "ssh");
        Map<String, AtomicInteger> inFlight = Map.of("pg1", new AtomicInteger(), "maria", new AtomicInteger(), "ssh", new AtomicInteger());
        Map<String, AtomicInteger> maxSeen = Map.of("pg1", new AtomicInteger(), "maria", new AtomicInteger(), "ssh", new AtomicInteger());
        int threads = 24;
        int rounds = 200;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            futures.add(pool.submit(() -> {
                start.await();
                for (int i = 0; i < rounds; i++) {
                    String target = targets.get((thread + i) % targets.size());
                    boolean permit = i % 2 == 0;
                    if (permit) {
                        try (PerTargetLimiter.Permit p = limiter.enter(target)) {
                            work(target, inFlight, maxSeen, limiter);
                        }
                    } else {
                        limiter.acquire(target);
                        try {
                            work(target, inFlight, maxSeen, limiter);
                        } finally {
                            limiter.release(target);
                        }
                    }
                }
                return null;
            }));
        }
        start.countDown();
        for (Future<?> f : futures) {
            f.get(120, TimeUnit.SECONDS);
        }
        pool.shutdown();

        assertThat(maxSeen.get("pg1").get()).isBetween(1, 3);
        assertThat(maxSeen.get("maria").get()).isEqualTo(1);
        assertThat(maxSeen.get("ssh").get()).isBetween(1, 5);
        for (String target : targets) {
            assertThat(limiter.inFlight(target)).isZero();
        }
    }

    private static void work(String target, Map<String, AtomicInteger> inFlight, Map<String, AtomicInteger> maxSeen,
                             PerTargetLimiter limiter) {
        int now = inFlight.get(target).incrementAndGet();
        maxSeen.get(target).accumulateAndGet(now, Math::max);
        assertThat(limiter.inFlight(target)).isLessThanOrEqualTo(limiter.limit(target));
        // hold the slot a moment so that others pile up behind it
        long until = System.nanoTime() + 50_000;
        while (System.nanoTime() < until) {
            Thread.onSpinWait();
        }
        inFlight.get(target).decrementAndGet();
    }

    @Test
    void theLimitIsReachedAndTheNextCallerWaitsUntilASlotIsFreed() throws Exception {
        PerTargetLimiter limiter = new PerTargetLimiter(8, Map.of("pg1", 3));
        int callers = 10;
        CountDownLatch threeInside = new CountDownLatch(3);
        CountDownLatch allInside = new CountDownLatch(callers);
        CountDownLatch letGo = new CountDownLatch(1);
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger maxInside = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(callers);
        List<Future<?>> futures = new ArrayList<>();
        for (int i = 0; i < callers; i++) {
            futures.add(pool.submit(() -> {
                try (PerTargetLimiter.Permit p = limiter.enter("pg1")) {
                    maxInside.accumulateAndGet(inside.incrementAndGet(), Math::max);
                    threeInside.countDown();
                    allInside.countDown();
                    letGo.await();
                    inside.decrementAndGet();
                }
                return null;
            }));
        }
        assertThat(threeInside.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(limiter.inFlight("pg1")).isEqualTo(3);
        assertThat(allInside.await(200, TimeUnit.MILLISECONDS)).as("the other 7 wait outside").isFalse();
        assertThat(inside.get()).isEqualTo(3);
        letGo.countDown();
        for (Future<?> f : futures) {
            f.get(30, TimeUnit.SECONDS);
        }
        pool.shutdown();
        assertThat(maxInside.get()).isEqualTo(3);
        assertThat(limiter.inFlight("pg1")).isZero();
    }

    @Test
    void tryAcquireGivesUpWhenTheTargetIsFull() throws Exception {
        PerTargetLimiter limiter = new PerTargetLimiter(1, Map.of());
        limiter.acquire("t");
        assertThat(limiter.tryAcquire("t", Duration.ofMillis(20))).isFalse();
        assertThat(limiter.tryAcquire("u", Duration.ofMillis(20))).as("other targets are independent").isTrue();
        limiter.release("t");
        assertThat(limiter.tryAcquire("t", Duration.ofMillis(20))).isTrue();
    }

    @Test
    void aReleaseWithoutAcquireIsRefusedAndDoesNotRaiseTheLimit() throws Exception {
        PerTargetLimiter limiter = new PerTargetLimiter(1, Map.of());
        assertThatThrownBy(() -> limiter.release("t")).isInstanceOf(IllegalStateException.class);
        limiter.acquire("t");
        limiter.release("t");
        assertThatThrownBy(() -> limiter.release("t")).isInstanceOf(IllegalStateException.class)
                .hasMessage("release of target 't' without a matching acquire");
        limiter.acquire("t");
        assertThat(limiter.tryAcquire("t", Duration.ofMillis(10))).as("still one slot only").isFalse();
    }

    @Test
    void aPermitReleasesExactlyOnce() throws Exception {
        PerTargetLimiter limiter = new PerTargetLimiter(2, Map.of());
        PerTargetLimiter.Permit permit = limiter.enter("t");
        assertThat(limiter.inFlight("t")).isEqualTo(1);
        permit.close();
        permit.close();
        assertThat(limiter.inFlight("t")).isZero();
    }

    @Test
    void yieldingWorkStepsAsideForOtherWorkAndForAFullTarget() throws Exception {
        PerTargetLimiter limiter = new PerTargetLimiter(2, Map.of());

        var heartbeat = limiter.tryEnterYielding("pg").orElseThrow();
        assertThat(limiter.busyWithOtherWork("pg")).as("the heartbeat alone is not other work").isFalse();
        limiter.acquire("pg"); // a bulk job's account
        assertThat(limiter.busyWithOtherWork("pg")).isTrue();
        assertThat(limiter.tryEnterYielding("pg")).as("yields to the bulk job (and the target is full)").isEmpty();
        heartbeat.close();
        assertThat(limiter.tryEnterYielding("pg")).as("a free slot, but a bulk job works there").isEmpty();
        limiter.release("pg");
        assertThat(limiter.busyWithOtherWork("pg")).isFalse();

        var first = limiter.tryEnterYielding("pg").orElseThrow();
        var second = limiter.tryEnterYielding("pg").orElseThrow();
        assertThat(limiter.tryEnterYielding("pg")).as("at the per-target limit").isEmpty();
        assertThat(limiter.tryEnterYielding("ldap")).as("another target has its own slots").isPresent();
        first.close();
        first.close(); // once only
        second.close();
        assertThat(limiter.inFlight("pg")).isZero();
        assertThat(limiter.busyWithOtherWork("pg")).isFalse();
        assertThat(limiter.tryAcquire("pg", Duration.ofMillis(10))).isTrue();
        assertThat(limiter.tryAcquire("pg", Duration.ofMillis(10))).as("every slot came back").isTrue();
    }
}
