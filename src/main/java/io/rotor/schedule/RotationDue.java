package io.rotor.schedule;

import io.rotor.config.Inventory;
import io.rotor.domain.RotationSchedule;
import io.rotor.vault.AccountRepository;
import io.rotor.vault.AccountRepository.ScheduleCandidate;
import io.rotor.vault.PolicyRepository;
import java.text.ParseException;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.TimeZone;
import org.quartz.CronExpression;

/**
 * Decides which accounts a schedule rotates now. An account is due when its policy is scheduled (not
 * manual-only, an interval or a cron), the current time of day is inside the policy's window (if any), and its
 * CURRENT credential was written before the last due point: older than the interval, or a cron fire time has
 * passed since. Windows may wrap midnight ("22:00-02:00").
 *
 * <p>The schedule routes call {@link #dueAccounts()} and then {@link #dueAdminAccounts()}: a target's admin
 * account is rotated after the others, because their changes log in with it.
 */
public class RotationDue {
    private final AccountRepository accounts;
    private final PolicyRepository policies;
    private final ZoneId zone;
    private final RotationSchedule defaultSchedule;
    private final Clock clock;

    /**
     * @param defaultSchedule the schedule of accounts whose effective policy is {@code default} and not stored
     *                        in the vault (from {@code rotor.schedules.default-interval}); {@link RotationSchedule#none()} for none
     */
    public RotationDue(AccountRepository accounts, PolicyRepository policies, ZoneId zone, RotationSchedule defaultSchedule,
                       Clock clock) {
        this.accounts = accounts;
        this.policies = policies;
        this.zone = zone;
        this.defaultSchedule = defaultSchedule;
        this.clock = clock;
    }

    /** Due accounts that are not their target's admin account. */
    public List<String> dueAccounts() {
        return due(false);
    }

    /** Due accounts that are their target's admin account: rotated after {@link #dueAccounts()}. */
    public List<String> dueAdminAccounts() {
        return due(true);
    }

    /** Every account the heartbeat verifies. */
    public List<String> heartbeatAccounts() {
        return accounts.accountsOnRealTargets();
    }

    private List<String> due(boolean admin) {
        Map<String, RotationSchedule> schedules = policies.rotationSchedules();
        Instant now = clock.instant();
        return accounts.scheduleCandidates().stream().filter(c -> c.admin() == admin)
                .filter(c -> isDue(scheduleOf(c, schedules), c.lastRotatedAt(), now, zone))
                .map(ScheduleCandidate::accountId).toList();
    }

    private RotationSchedule scheduleOf(ScheduleCandidate candidate, Map<String, RotationSchedule> schedules) {
        String policyId = candidate.policyId() == null ? Inventory.DEFAULT_POLICY_ID : candidate.policyId();
        RotationSchedule schedule = schedules.get(policyId);
        if (schedule == null) {
            // an unknown policy fails in the rotation itself; the default policy takes the configured default
            return Inventory.DEFAULT_POLICY_ID.equals(policyId) ? defaultSchedule : RotationSchedule.none();
        }
        if (Inventory.DEFAULT_POLICY_ID.equals(policyId) && !schedule.manualOnly() && !schedule.scheduled()) {
            return defaultSchedule;
        }
        return schedule;
    }

    /**
     * True when an account under {@code schedule}, whose credential was last written at {@code lastRotated}
     * (null: never), should be rotated at {@code now}.
     */
    public static boolean isDue(RotationSchedule schedule, Instant lastRotated, Instant now, ZoneId zone) {
        if (schedule == null || !schedule.scheduled()) {
            return false;
        }
        if (!inWindow(schedule, now, zone)) {
            return false;
        }
        if (lastRotated == null) {
            return true;
        }
        if (schedule.interval() != null) {
            return !lastRotated.plus(schedule.interval()).isAfter(now);
        }
        Date next = cron(schedule.cron(), zone).getNextValidTimeAfter(Date.from(lastRotated));
        return next != null && !next.toInstant().isAfter(now);
    }

    /** True when the schedule has no window, or the time of day of {@code now} in {@code zone} is inside it. */
    public static boolean inWindow(RotationSchedule schedule, Instant now, ZoneId zone) {
        LocalTime[] bounds = schedule.windowBounds();
        if (bounds == null) {
            return true;
        }
        LocalTime time = now.atZone(zone).toLocalTime();
        LocalTime start = bounds[0];
        LocalTime end = bounds[1];
        if (start.isBefore(end)) {
            return !time.isBefore(start) && time.isBefore(end);
        }
        // wraps midnight: 22:00-02:00 is 22:00..24:00 and 00:00..02:00
        return !time.isBefore(start) || time.isBefore(end);
    }

    private static CronExpression cron(String expression, ZoneId zone) {
        try {
            CronExpression cron = new CronExpression(expression);
            cron.setTimeZone(TimeZone.getTimeZone(zone));
            return cron;
        } catch (ParseException e) {
            throw new IllegalArgumentException("invalid cron expression: " + e.getMessage(), e);
        }
    }
}
