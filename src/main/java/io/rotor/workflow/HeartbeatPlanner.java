package io.rotor.workflow;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Plans one heartbeat round (docs/architecture.md, "Heartbeat"): which accounts are verified and when, so that the
 * logins are spread evenly over the period instead of fired at once.
 *
 * <ul>
 *   <li>An account without a CURRENT credential has nothing to verify: left out (counted, never FAILED).</li>
 *   <li>An account verified or rotated within the period was just proven: left out.</li>
 *   <li>Per target, the others are spread evenly over the period, at most {@code ratePerTarget} verifies per second;
 *       when the target has more than {@code period × rate} of them, the ones proven longest ago go first and the rest
 *       wait for the next round (counted as deferred).</li>
 *   <li>Targets are phase-shifted against each other so their slots interleave.</li>
 * </ul>
 * Plain Java, no clock of its own: the caller passes {@code now}.
 */
public final class HeartbeatPlanner {
    /** What the vault knows of one account the heartbeat may verify. */
    public record Candidate(String accountId, String targetId, Instant lastVerifiedAt, Instant lastRotatedAt,
                            boolean hasCurrent) {
        /** When a login last proved the stored CURRENT: the later of the last verify and the last rotation. */
        Instant lastProven() {
            if (lastVerifiedAt == null) {
                return lastRotatedAt;
            }
            return lastRotatedAt == null || lastVerifiedAt.isAfter(lastRotatedAt) ? lastVerifiedAt : lastRotatedAt;
        }
    }

    /** One planned verify: {@code offset} after the round started. */
    public record Slot(String accountId, String targetId, Duration offset) {
    }

    /** The round: the slots in time order, and what was left out and why. */
    public record Plan(List<Slot> slots, int recentlyProven, int withoutCurrent, int deferred) {
        public String summary() {
            return slots.size() + " verifies planned; left out: " + recentlyProven + " verified or rotated within the period, "
                    + withoutCurrent + " without a CURRENT credential, " + deferred + " deferred to the next round (rate cap)";
        }
    }

    private final Duration period;
    private final double ratePerTarget;

    /**
     * @param period        the heartbeat's period (its cron's interval); slots fall inside it
     * @param ratePerTarget verifies per second per target (greater than 0)
     */
    public HeartbeatPlanner(Duration period, double ratePerTarget) {
        if (period == null || period.isNegative() || period.isZero()) {
            throw new IllegalArgumentException("the heartbeat period (the interval of rotor.heartbeat.cron) must be positive");
        }
        if (!(ratePerTarget > 0) || Double.isInfinite(ratePerTarget)) {
            throw new IllegalArgumentException("rotor.heartbeat.rate-per-target must be a positive number of verifies per second (got "
                    + ratePerTarget + ")");
        }
        this.period = period;
        this.ratePerTarget = ratePerTarget;
    }

    public Duration period() {
        return period;
    }

    /** The round that starts at {@code now}. */
    public Plan plan(Collection<Candidate> candidates, Instant now) {
        Instant provenSince = now.minus(period);
        int recent = 0;
        int withoutCurrent = 0;
        Map<String, List<Candidate>> byTarget = new TreeMap<>();
        for (Candidate c : candidates) {
            if (!c.hasCurrent()) {
                withoutCurrent++;
            } else if (c.lastProven() != null && c.lastProven().isAfter(provenSince)) {
                recent++;
            } else {
                byTarget.computeIfAbsent(c.targetId(), t -> new ArrayList<>()).add(c);
            }
        }
        long capacity = Math.max(1, (long) Math.floor(period.toNanos() / 1e9 * ratePerTarget));
        int deferred = 0;
        int targetIndex = 0;
        List<Slot> slots = new ArrayList<>();
        for (List<Candidate> due : byTarget.values()) {
            // never proven first, then the ones proven longest ago
            due.sort(Comparator.comparing(Candidate::lastProven, Comparator.nullsFirst(Comparator.naturalOrder()))
                    .thenComparing(Candidate::accountId));
            int take = (int) Math.min(due.size(), capacity);
            deferred += due.size() - take;
            long spacing = period.toNanos() / take;
            long phase = spacing * targetIndex / byTarget.size();
            for (int i = 0; i < take; i++) {
                Candidate c = due.get(i);
                slots.add(new Slot(c.accountId(), c.targetId(), Duration.ofNanos(phase + spacing * i)));
            }
            targetIndex++;
        }
        slots.sort(Comparator.comparing(Slot::offset).thenComparing(Slot::accountId));
        return new Plan(List.copyOf(slots), recent, withoutCurrent, deferred);
    }
}
