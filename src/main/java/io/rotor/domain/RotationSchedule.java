package io.rotor.domain;

import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.quartz.CronExpression;

/**
 * When a password policy's accounts are rotated by the schedule: every {@code interval} (ISO-8601, e.g.
 * {@code P30D}) or at each {@code cron} fire time (Quartz syntax), optionally only inside a daily time
 * {@code window} ("01:00-05:00", may wrap midnight), or never ({@code manualOnly}).
 *
 * @param interval   the longest a credential may live, or null
 * @param cron       a Quartz cron expression, or null
 * @param window     "HH:mm-HH:mm" in the schedule's time zone, or null for any time of day
 * @param manualOnly never rotated by a schedule, whatever else is set (rotation only on request)
 */
public record RotationSchedule(Duration interval, String cron, String window, boolean manualOnly) {
    private static final Pattern WINDOW = Pattern.compile("(\\d{2}:\\d{2})-(\\d{2}:\\d{2})");

    /** A schedule that never rotates: the policy has no rotation section. */
    public static RotationSchedule none() {
        return new RotationSchedule(null, null, null, false);
    }

    public static RotationSchedule manual() {
        return new RotationSchedule(null, null, null, true);
    }

    /** True when the schedule may rotate at all. */
    public boolean scheduled() {
        return !manualOnly && (interval != null || cron != null);
    }

    /** The interval as written in the vault and the inventory (ISO-8601), or null. */
    public String intervalText() {
        return interval == null ? null : interval.toString();
    }

    /** The window's start and end, or null when there is none. */
    public LocalTime[] windowBounds() {
        if (window == null) {
            return null;
        }
        Matcher m = WINDOW.matcher(window);
        if (!m.matches()) {
            throw new IllegalArgumentException("window must look like 01:00-05:00");
        }
        return new LocalTime[]{LocalTime.parse(m.group(1)), LocalTime.parse(m.group(2))};
    }

    /**
     * Builds a schedule from its written form, collecting every problem as {@code field: text}.
     *
     * @param problems receives one entry per invalid field (field name, then the message)
     * @return the schedule, or null when there were problems
     */
    public static RotationSchedule parse(String interval, String cron, String window, Boolean manualOnly,
                                         List<String[]> problems) {
        int before = problems.size();
        Duration duration = null;
        if (interval != null) {
            try {
                duration = Duration.parse(interval.trim());
                if (duration.compareTo(Duration.ofSeconds(1)) < 0) {
                    problems.add(new String[]{"interval", "must be at least one second (PT1S)"});
                }
            } catch (DateTimeParseException e) {
                problems.add(new String[]{"interval", "must be an ISO-8601 duration such as P30D, PT12H or PT30S"
                        + " (months and years are not accepted: write days)"});
            }
        }
        String cronText = cron == null ? null : cron.trim();
        if (cronText != null && !CronExpression.isValidExpression(cronText)) {
            problems.add(new String[]{"cron", "must be a Quartz cron expression with seconds, e.g. \"0 0 2 * * ?\""});
        }
        if (interval != null && cron != null) {
            problems.add(new String[]{"cron", "give either interval or cron, not both"});
        }
        String windowText = window == null ? null : window.trim();
        if (windowText != null) {
            Matcher m = WINDOW.matcher(windowText);
            boolean ok = m.matches();
            if (ok) {
                try {
                    ok = !LocalTime.parse(m.group(1)).equals(LocalTime.parse(m.group(2)));
                } catch (DateTimeParseException e) {
                    ok = false;
                }
            }
            if (!ok) {
                problems.add(new String[]{"window", "must be two different times of day HH:mm-HH:mm, e.g."
                        + " 01:00-05:00 (22:00-02:00 wraps midnight)"});
            }
        }
        boolean manual = Boolean.TRUE.equals(manualOnly);
        if (manual && (interval != null || cron != null || window != null)) {
            problems.add(new String[]{"manualOnly", "a manual-only policy is never scheduled: remove interval,"
                    + " cron and window"});
        }
        if (!manual && interval == null && cron == null && window != null) {
            problems.add(new String[]{"window", "needs an interval or a cron"});
        }
        if (problems.size() != before) {
            return null;
        }
        return new RotationSchedule(duration, cronText, windowText, manual);
    }

    /** Parses a schedule already validated (read back from the vault); throws on bad data. */
    public static RotationSchedule of(String interval, String cron, String window, boolean manualOnly) {
        List<String[]> problems = new ArrayList<>();
        RotationSchedule schedule = parse(interval, cron, window, manualOnly, problems);
        if (schedule == null) {
            throw new IllegalArgumentException("invalid rotation schedule: " + problems.get(0)[0] + " "
                    + problems.get(0)[1]);
        }
        return schedule;
    }
}
