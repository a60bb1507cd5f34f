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
    void handsEachSlotOutAtItsTime() {
        Instant start = Instant.parse("2026-01-01T12:00:00Z");
        List<Instant> waitedFor = new ArrayList<>();
        Heartbeat heartbeat = new Heartbeat(null, new HeartbeatPlanner(Duration.ofMinutes(1), 1), null, null,
                Clock.fixed(start, ZoneOffset.UTC), (when, clock) -> waitedFor.add(when));
        Plan plan = new Plan(List.of(new Slot("a", "pg", Duration.ZERO), new Slot("b", "pg", Duration.ofSeconds(30)),
                new Slot("c", "ldap", Duration.ofSeconds(45))), 0, 0, 0);

        Iterator<Slot> paced = heartbeat.paced(plan, start);
        assertThat(waitedFor).as("nothing waited before the split asks").isEmpty();
        List<String> handedOut = new ArrayList<>();
        paced.forEachRemaining(s -> handedOut.add(s.accountId()));

        assertThat(handedOut).containsExactly("a", "b", "c");
        assertThat(waitedFor).containsExactly(start, start.plusSeconds(30), start.plusSeconds(45));
    }
}
