package io.rotor.workflow;

import io.rotor.workflow.HeartbeatPlanner.Plan;
import io.rotor.workflow.HeartbeatPlanner.Slot;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The heartbeat hands each planned slot out no earlier than its time (the split's iterator paces the round). */
class HeartbeatTest {

    @Test
    void handsEachSlotOutAtItsTimeAndStopsWhenCamelStops() {
        Instant start = Instant.parse("2026-01-01T12:00:00Z");
        java.util.concurrent.atomic.AtomicReference<Instant> now = new java.util.concurrent.atomic.AtomicReference<>(start);
        Clock clock = new Clock() {
            @Override
            public java.time.ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return now.get();
            }
        };
        List<Instant> handedOutAt = new ArrayList<>();
        Heartbeat heartbeat = new Heartbeat(null, new HeartbeatPlanner(Duration.ofMinutes(1), 1), null, null, clock,
                (when, c) -> now.set(when)); // waiting moves the clock on
        Plan plan = new Plan(List.of(new Slot("a", "pg", Duration.ZERO), new Slot("b", "pg", Duration.ofSeconds(30)),
                new Slot("c", "ldap", Duration.ofSeconds(45))), 0, 0, 0);

        Iterator<Slot> paced = heartbeat.paced(plan, start, () -> false);
        List<String> handedOut = new ArrayList<>();
        paced.forEachRemaining(s -> {
            handedOut.add(s.accountId());
            handedOutAt.add(now.get());
        });
        assertThat(handedOut).containsExactly("a", "b", "c");
        assertThat(handedOutAt).containsExactly(start, start.plusSeconds(30), start.plusSeconds(45));

        // Camel stopping during the wait for "b": the round ends there, quietly
        now.set(start);
        java.util.concurrent.atomic.AtomicBoolean stopping = new java.util.concurrent.atomic.AtomicBoolean();
        Iterator<Slot> stopped = heartbeat.paced(plan, start, stopping::get);
        assertThat(stopped.next().accountId()).isEqualTo("a");
        Heartbeat stoppingSoon = new Heartbeat(null, new HeartbeatPlanner(Duration.ofMinutes(1), 1), null, null, clock,
                (when, c) -> {
                    now.set(when);
                    if (when.isAfter(start.plusSeconds(10))) {
                        stopping.set(true);
                    }
                });
        Iterator<Slot> cut = stoppingSoon.paced(plan, start, stopping::get);
        assertThat(cut.next().accountId()).isEqualTo("a");
        assertThat(cut.hasNext()).isFalse();
        assertThat(now.get()).isBefore(start.plusSeconds(12));
    }
}
