package io.rotor.workflow;

import io.rotor.domain.AccountStatus;
import io.rotor.vault.AccountRepository;
import io.rotor.vault.AccountRepository.HeartbeatCandidate;
import io.rotor.workflow.HeartbeatPlanner.Plan;
import io.rotor.workflow.HeartbeatPlanner.Slot;
import io.rotor.workflow.OperationResult.Outcome;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * The heartbeat round the {@code verify-all} route runs (docs/architecture.md, "Heartbeat"): {@link #plan} reads the
 * candidates and hands out the {@link HeartbeatPlanner}'s slots, each one not before its time, and {@link #verify}
 * verifies one account unless its target is busy: with a bulk job (the heartbeat yields) or at its per-target
 * concurrency limit. A yielded account is SKIPPED (not FAILED) and comes first in the next round, since it was not
 * proven in this one.
 */
public class Heartbeat {
    private static final Logger LOG = LoggerFactory.getLogger(Heartbeat.class);
    private static final long STEP_MILLIS = 500;

    /** Waits until an instant; the tests pass one that does not sleep. */
    @FunctionalInterface
    public interface Waiter {
        void waitUntil(Instant when, Clock clock) throws InterruptedException;
    }

    private final AccountRepository accounts;
    private final HeartbeatPlanner planner;
    private final PerTargetLimiter limiter;
    private final RotationService rotation;
    private final Clock clock;
    private final Waiter waiter;

    public Heartbeat(AccountRepository accounts, HeartbeatPlanner planner, PerTargetLimiter limiter,
                     RotationService rotation, Clock clock, Waiter waiter) {
        this.accounts = accounts;
        this.planner = planner;
        this.limiter = limiter;
        this.rotation = rotation;
        this.clock = clock;
        this.waiter = waiter;
    }

    public Heartbeat(AccountRepository accounts, HeartbeatPlanner planner, PerTargetLimiter limiter, RotationService rotation) {
        this(accounts, planner, limiter, rotation, Clock.systemUTC(), Heartbeat::sleepUntil);
    }

    /** This round's plan, read from the vault now. */
    public Plan planRound() {
        Instant now = clock.instant();
        List<HeartbeatPlanner.Candidate> candidates = accounts.heartbeatCandidates().stream()
                .map(Heartbeat::candidate).toList();
        Plan plan = planner.plan(candidates, now);
        LOG.info("heartbeat round over {} min: {}", planner.period().toMinutes(), plan.summary());
        return plan;
    }

    /**
     * The slots of this round's plan, each handed out at its time (the split's iterator blocks until then). The round
     * ends early, quietly, when Camel is stopping: a round lasts up to the whole period, and a shutdown must not wait
     * for it (the accounts not reached come first in the next round).
     */
    public Iterator<Slot> plan(Exchange exchange) {
        CamelContext context = exchange.getContext();
        return paced(planRound(), clock.instant(), () -> context.isStopping() || context.isStopped());
    }

    /** The slots of {@code plan}, handed out no earlier than {@code start} + their offset, until {@code stopping}. */
    Iterator<Slot> paced(Plan plan, Instant start, BooleanSupplier stopping) {
        Iterator<Slot> slots = plan.slots().iterator();
        return new Iterator<>() {
            private Slot next;

            @Override
            public boolean hasNext() {
                if (next != null) {
                    return true;
                }
                if (!slots.hasNext() || stopping.getAsBoolean()) {
                    return false;
                }
                Slot slot = slots.next();
                Instant due = start.plus(slot.offset());
                try {
                    // in short steps, so that a stopping Camel ends the round within a second
                    while (!stopping.getAsBoolean() && clock.instant().isBefore(due)) {
                        Instant step = clock.instant().plusMillis(STEP_MILLIS);
                        waiter.waitUntil(step.isBefore(due) ? step : due, clock);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
                if (stopping.getAsBoolean()) {
                    return false;
                }
                next = slot;
                return true;
            }

            @Override
            public Slot next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                Slot slot = next;
                next = null;
                return slot;
            }
        };
    }

    /** Verifies one planned account, or skips it when its target is busy (the heartbeat yields). */
    public OperationResult verify(Slot slot, String actor) {
        Optional<PerTargetLimiter.Permit> permit = limiter.tryEnterYielding(slot.targetId());
        if (permit.isEmpty()) {
            String why = limiter.busyWithOtherWork(slot.targetId())
                    ? "a bulk job is working on target '" + slot.targetId() + "'; the heartbeat yields"
                    : "target '" + slot.targetId() + "' is at its concurrency limit";
            return new OperationResult(slot.accountId(), "verify", Outcome.SKIPPED, AccountStatus.UNVERIFIED,
                    why + " and verifies this account in its next round");
        }
        try (PerTargetLimiter.Permit held = permit.get()) {
            return rotation.verify(slot.accountId(), actor);
        }
    }

    private static HeartbeatPlanner.Candidate candidate(HeartbeatCandidate c) {
        return new HeartbeatPlanner.Candidate(c.accountId(), c.targetId(), c.lastVerifiedAt(), c.currentWrittenAt(),
                c.hasCurrent());
    }

    private static void sleepUntil(Instant when, Clock clock) throws InterruptedException {
        long millis = Duration.between(clock.instant(), when).toMillis();
        if (millis > 0) {
            Thread.sleep(millis);
        }
    }
}
