package io.rotor.workflow;

import io.rotor.workflow.HeartbeatPlanner.Candidate;
import io.rotor.workflow.HeartbeatPlanner.Plan;
import io.rotor.workflow.HeartbeatPlanner.Slot;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HeartbeatPlannerTest {
    private static final Instant NOW = Instant.parse("2026-01-01T12:00:00Z");
    private static final Duration PERIOD = Duration.ofMinutes(15);

    private static Candidate never(String id, String target) {
        return new Candidate(id, target, null, null, true);
    }

    private static List<Candidate> accounts(String target, int n) {
        List<Candidate> list = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            list.add(never(target + "-" + String.format("%06d", i), target));
        }
        return list;
    }

    @Test
    void spreadsOneTargetEvenlyOverThePeriod() {
        Plan plan = new HeartbeatPlanner(PERIOD, 10).plan(accounts("pg", 100), NOW);

        assertThat(plan.slots()).hasSize(100);
        assertThat(plan.slots().get(0).offset()).isEqualTo(Duration.ZERO);
        for (int i = 1; i < plan.slots().size(); i++) {
            assertThat(plan.slots().get(i).offset().minus(plan.slots().get(i - 1).offset()))
                    .as("equal spacing of period / n").isEqualTo(Duration.ofSeconds(9));
        }
        assertThat(plan.slots().get(99).offset()).isLessThan(PERIOD);
        assertThat(plan.deferred()).isZero();
    }

    @Test
    void neverExceedsTheRatePerTargetAndDefersTheRestLongestUnprovenFirst() {
        List<Candidate> candidates = new ArrayList<>(accounts("pg", 100_000));
        // one account proven long ago and one never proven must come before the others proven more recently
        candidates.replaceAll(c -> new Candidate(c.accountId(), c.targetId(), NOW.minus(Duration.ofHours(1)), null, true));
        candidates.add(new Candidate("zz-old", "pg", NOW.minus(Duration.ofDays(3)), null, true));
        candidates.add(never("zz-never", "pg"));

        Plan plan = new HeartbeatPlanner(PERIOD, 2).plan(candidates, NOW);

        assertThat(plan.slots()).hasSize(1800); // 900 s × 2 per second
        assertThat(plan.deferred()).isEqualTo(100_002 - 1800);
        assertThat(plan.slots().get(0).accountId()).isEqualTo("zz-never");
        assertThat(plan.slots().get(1).accountId()).isEqualTo("zz-old");
        assertThat(maxInAnySecond(plan.slots(), "pg")).isLessThanOrEqualTo(2);
        assertThat(plan.slots()).extracting(Slot::accountId).doesNotHaveDuplicates();
    }

    @Test
    void leavesOutAccountsProvenWithinThePeriodAndAccountsWithoutCurrent() {
        List<Candidate> candidates = List.of(
                new Candidate("verified-recently", "pg", NOW.minus(Duration.ofMinutes(5)), null, true),
                new Candidate("rotated-recently", "pg", NOW.minus(Duration.ofDays(2)), NOW.minus(Duration.ofMinutes(1)), true),
                new Candidate("verified-long-ago", "pg", NOW.minus(Duration.ofMinutes(16)), NOW.minus(Duration.ofDays(1)), true),
                new Candidate("nothing-stored", "pg", null, null, false),
                never("never-verified", "pg"));

        Plan plan = new HeartbeatPlanner(PERIOD, 10).plan(candidates, NOW);

        assertThat(plan.slots()).extracting(Slot::accountId).containsExactlyInAnyOrder("verified-long-ago", "never-verified");
        assertThat(plan.recentlyProven()).isEqualTo(2);
        assertThat(plan.withoutCurrent()).isEqualTo(1);
        assertThat(plan.summary()).contains("1 without a CURRENT credential").contains("2 verified or rotated within the period");
    }

    @Test
    void interleavesTargetsAndCapsEachOnItsOwn() {
        List<Candidate> candidates = new ArrayList<>(accounts("pg", 30));
        candidates.addAll(accounts("ldap", 3000));

        Plan plan = new HeartbeatPlanner(Duration.ofSeconds(60), 5).plan(candidates, NOW);

        Map<String, Long> perTarget = plan.slots().stream().collect(Collectors.groupingBy(Slot::targetId, Collectors.counting()));
        assertThat(perTarget).containsEntry("pg", 30L).containsEntry("ldap", 300L);
        assertThat(plan.deferred()).isEqualTo(2700);
        assertThat(maxInAnySecond(plan.slots(), "ldap")).isLessThanOrEqualTo(5);
        // time order, and the second target is phase-shifted rather than starting with the first
        for (int i = 1; i < plan.slots().size(); i++) {
            assertThat(plan.slots().get(i).offset()).isGreaterThanOrEqualTo(plan.slots().get(i - 1).offset());
        }
        assertThat(new HashSet<>(plan.slots().stream().filter(s -> s.offset().isZero()).map(Slot::targetId).toList())).hasSize(1);
        assertThat(plan.slots()).allSatisfy(s -> assertThat(s.offset()).isLessThan(Duration.ofSeconds(60)));
    }

    @Test
    void nothingToDoIsAnEmptyPlan() {
        Plan plan = new HeartbeatPlanner(PERIOD, 10).plan(List.of(), NOW);
        assertThat(plan.slots()).isEmpty();
        assertThat(plan.summary()).startsWith("0 verifies planned");
    }

    @Test
    void refusesANonPositiveRateOrPeriod() {
        assertThatThrownBy(() -> new HeartbeatPlanner(PERIOD, 0)).hasMessageContaining("rotor.heartbeat.rate-per-target");
        assertThatThrownBy(() -> new HeartbeatPlanner(PERIOD, Double.NaN)).hasMessageContaining("rotor.heartbeat.rate-per-target");
        assertThatThrownBy(() -> new HeartbeatPlanner(Duration.ZERO, 1)).hasMessageContaining("rotor.heartbeat.cron");
    }

    /** The most slots of one target that start within any one-second window. */
    private static int maxInAnySecond(List<Slot> slots, String target) {
        List<Long> nanos = slots.stream().filter(s -> s.targetId().equals(target)).map(s -> s.offset().toNanos()).sorted().toList();
        int max = 0;
        int from = 0;
        for (int to = 0; to < nanos.size(); to++) {
            while (nanos.get(to) - nanos.get(from) >= 1_000_000_000L) {
                from++;
            }
            max = Math.max(max, to - from + 1);
        }
        return max;
    }
}
