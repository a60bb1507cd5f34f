package io.rotor.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import io.rotor.domain.RotationSchedule;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RotationDueTest {
    private static final ZoneId UTC = ZoneOffset.UTC;

    private static RotationSchedule schedule(String interval, String cron, String window, Boolean manualOnly) {
        List<String[]> problems = new ArrayList<>();
        RotationSchedule s = RotationSchedule.parse(interval, cron, window, manualOnly, problems);
        assertThat(problems).isEmpty();
        return s;
    }

    private static Instant at(String iso) {
        return Instant.parse(iso);
    }

    @Test
    void intervalIsDueOnceTheCredentialIsOlderThanIt() {
        RotationSchedule p30d = schedule("P30D", null, null, null);
        Instant rotated = at("2026-01-01T10:00:00Z");
        assertThat(RotationDue.isDue(p30d, rotated, at("2026-01-31T09:59:59Z"), UTC)).isFalse();
        assertThat(RotationDue.isDue(p30d, rotated, at("2026-01-31T10:00:00Z"), UTC)).isTrue();
        assertThat(RotationDue.isDue(p30d, rotated, at("2026-03-01T00:00:00Z"), UTC)).isTrue();
        assertThat(p30d.interval()).isEqualTo(Duration.ofDays(30));
    }

    @Test
    void shortIntervalsAreSeconds() {
        RotationSchedule s = schedule("PT20S", null, null, null);
        Instant rotated = at("2026-01-01T10:00:00Z");
        assertThat(RotationDue.isDue(s, rotated, rotated.plusSeconds(19), UTC)).isFalse();
        assertThat(RotationDue.isDue(s, rotated, rotated.plusSeconds(20), UTC)).isTrue();
    }

    @Test
    void aNeverRotatedAccountIsDueAtOnce() {
        assertThat(RotationDue.isDue(schedule("P30D", null, null, null), null, at("2026-01-01T00:00:00Z"), UTC)).isTrue();
    }

    @Test
    void cronIsDueWhenAFireTimePassedSinceTheLastRotation() {
        RotationSchedule nightly = schedule(null, "0 0 2 * * ?", null, null);
        Instant rotated = at("2026-01-01T02:00:05Z");
        assertThat(RotationDue.isDue(nightly, rotated, at("2026-01-01T23:59:59Z"), UTC)).isFalse();
        assertThat(RotationDue.isDue(nightly, rotated, at("2026-01-02T01:59:59Z"), UTC)).isFalse();
        assertThat(RotationDue.isDue(nightly, rotated, at("2026-01-02T02:00:00Z"), UTC)).isTrue();
        // a server that was down at 02:00 catches up later the same day
        assertThat(RotationDue.isDue(nightly, rotated, at("2026-01-02T09:30:00Z"), UTC)).isTrue();
    }

    @Test
    void cronFollowsTheScheduleTimeZone() {
        RotationSchedule nightly = schedule(null, "0 0 2 * * ?", null, null);
        ZoneId berlin = ZoneId.of("Europe/Berlin"); // UTC+1 in January: 02:00 there is 01:00Z
        Instant rotated = at("2026-01-01T12:00:00Z");
        assertThat(RotationDue.isDue(nightly, rotated, at("2026-01-02T00:59:59Z"), berlin)).isFalse();
        assertThat(RotationDue.isDue(nightly, rotated, at("2026-01-02T01:00:00Z"), berlin)).isTrue();
    }

    @Test
    void aWindowHoldsADueRotationUntilItOpens() {
        RotationSchedule s = schedule("P1D", null, "01:00-05:00", null);
        Instant rotated = at("2026-01-01T03:00:00Z");
        assertThat(RotationDue.isDue(s, rotated, at("2026-01-02T00:59:59Z"), UTC)).isFalse();
        assertThat(RotationDue.isDue(s, rotated, at("2026-01-02T03:00:00Z"), UTC)).isTrue();
        assertThat(RotationDue.isDue(s, rotated, at("2026-01-02T01:00:00Z"), UTC)).isFalse(); // not yet a day
        assertThat(RotationDue.isDue(s, rotated, at("2026-01-02T05:00:00Z"), UTC)).isFalse(); // end is exclusive
        assertThat(RotationDue.isDue(s, rotated, at("2026-01-03T01:00:00Z"), UTC)).isTrue();
    }

    @Test
    void aWindowMayWrapMidnight() {
        RotationSchedule s = schedule("PT1H", null, "22:00-02:00", null);
        Instant rotated = at("2026-01-01T00:00:00Z");
        assertThat(RotationDue.inWindow(s, at("2026-01-05T21:59:59Z"), UTC)).isFalse();
        assertThat(RotationDue.inWindow(s, at("2026-01-05T22:00:00Z"), UTC)).isTrue();
        assertThat(RotationDue.inWindow(s, at("2026-01-05T23:59:59Z"), UTC)).isTrue();
        assertThat(RotationDue.inWindow(s, at("2026-01-06T00:00:00Z"), UTC)).isTrue();
        assertThat(RotationDue.inWindow(s, at("2026-01-06T01:59:59Z"), UTC)).isTrue();
        assertThat(RotationDue.inWindow(s, at("2026-01-06T02:00:00Z"), UTC)).isFalse();
        assertThat(RotationDue.inWindow(s, at("2026-01-06T12:00:00Z"), UTC)).isFalse();
        assertThat(RotationDue.isDue(s, rotated, at("2026-01-05T23:00:00Z"), UTC)).isTrue();
        assertThat(RotationDue.isDue(s, rotated, at("2026-01-05T12:00:00Z"), UTC)).isFalse();
    }

    @Test
    void aWindowAppliesToCronToo() {
        RotationSchedule s = schedule(null, "0 0 * * * ?", "23:00-01:00", null);
        Instant rotated = at("2026-01-01T10:30:00Z");
        assertThat(RotationDue.isDue(s, rotated, at("2026-01-01T12:00:00Z"), UTC)).isFalse();
        assertThat(RotationDue.isDue(s, rotated, at("2026-01-01T23:10:00Z"), UTC)).isTrue();
    }

    @Test
    void manualOnlyAndUnscheduledPoliciesAreNeverDue() {
        Instant ancient = at("2000-01-01T00:00:00Z");
        Instant now = at("2026-01-01T03:00:00Z");
        assertThat(RotationDue.isDue(schedule(null, null, null, true), ancient, now, UTC)).isFalse();
        assertThat(RotationDue.isDue(schedule(null, null, null, true), null, now, UTC)).isFalse();
        assertThat(RotationDue.isDue(RotationSchedule.none(), ancient, now, UTC)).isFalse();
        assertThat(RotationDue.isDue(null, ancient, now, UTC)).isFalse();
        // manualOnly wins even over a schedule read back from an old row
        assertThat(RotationDue.isDue(new RotationSchedule(Duration.ofSeconds(1), null, null, true), ancient, now, UTC))
                .isFalse();
    }

    @Test
    void invalidSchedulesNameTheirField() {
        List<String[]> problems = new ArrayList<>();
        assertThat(RotationSchedule.parse("30 days", "not a cron", "25:00-26:00", null, problems)).isNull();
        assertThat(problems).extracting(p -> p[0]).containsExactly("interval", "cron", "cron", "window");
        problems.clear();
        assertThat(RotationSchedule.parse("P30D", null, null, true, problems)).isNull();
        assertThat(problems).extracting(p -> p[0]).containsExactly("manualOnly");
        problems.clear();
        assertThat(RotationSchedule.parse(null, null, "01:00-01:00", null, problems)).isNull();
        assertThat(problems).extracting(p -> p[0]).containsExactly("window", "window");
        problems.clear();
        assertThat(RotationSchedule.parse("PT0S", null, null, null, problems)).isNull();
        assertThat(problems.get(0)[1]).contains("at least one second");
    }
}
