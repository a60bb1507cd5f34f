package io.rotor.cli;

import io.rotor.RotorRuntime;
import io.rotor.vault.AuditFilter;
import io.rotor.vault.AuditRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code rotor audit}: the audit trail, newest first, filtered by account, actor, operation and time. */
@Command(name = "audit", description = "Print the audit trail, newest first. Filters combine (all must match).")
public class AuditCommand implements Callable<Integer> {
    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 100_000;

    @Mixin
    CommonOptions common;

    @Option(names = "--account", paramLabel = "ID", description = "Only records of this account.")
    String account;

    @Option(names = "--actor", paramLabel = "ACTOR", description = "Only records of this actor, e.g. cli:alice, api:token:ci.")
    String actor;

    @Option(names = "--operation", paramLabel = "OP", description = "Only this operation, e.g. ROTATE, SET, API_LOGIN (case-insensitive).")
    String operation;

    @Option(names = "--since", paramLabel = "WHEN", description = "Only records at or after WHEN: an instant"
            + " (2026-12-01T09:00:00Z), a UTC date (2026-12-01) or an age (30m, 12h, 7d).")
    String since;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "" + DEFAULT_LIMIT,
            description = "At most N records (1-" + MAX_LIMIT + ", default ${DEFAULT-VALUE}).")
    int limit;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--limit must be between 1 and " + MAX_LIMIT);
        }
        Instant from;
        try {
            from = since == null ? null : parseSince(since, Clock.systemUTC());
        } catch (IllegalArgumentException e) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        AuditFilter filter = new AuditFilter(blankToNull(account), blankToNull(actor),
                operation == null || operation.isBlank() ? null : operation.trim().toUpperCase(Locale.ROOT), from, limit);
        try (RotorRuntime runtime = RotorRuntime.open(common.settings(Map.of()), System.getenv())) {
            List<String[]> rows = runtime.vault().audit().search(filter).stream().map(AuditCommand::row).toList();
            PrintWriter out = spec.commandLine().getOut();
            out.print(Tables.render(new String[]{"AT", "ACTOR", "OPERATION", "ACCOUNT", "TARGET", "OUTCOME", "DETAIL"}, rows));
            out.println(rows.size() + " record(s)");
            out.flush();
            return ExitCodes.SUCCESS;
        }
    }

    private static String[] row(AuditRecord r) {
        return new String[]{r.at().toString(), printable(r.actor()), printable(r.operation()), printable(r.accountId()),
                printable(r.targetId()), printable(r.outcome()), printable(r.detail())};
    }

    /**
     * What {@code --since} means: an ISO instant, a UTC date (its midnight), or an age before {@code clock}'s now
     * ({@code 45s}, {@code 30m}, {@code 12h}, {@code 7d}).
     */
    static Instant parseSince(String value, Clock clock) {
        String v = value.trim();
        if (v.matches("\\d{1,9}[smhd]")) {
            long amount = Long.parseLong(v.substring(0, v.length() - 1));
            Duration age = switch (v.charAt(v.length() - 1)) {
                case 's' -> Duration.ofSeconds(amount);
                case 'm' -> Duration.ofMinutes(amount);
                case 'h' -> Duration.ofHours(amount);
                default -> Duration.ofDays(amount);
            };
            return clock.instant().minus(age);
        }
        try {
            return v.length() == 10 ? LocalDate.parse(v).atStartOfDay(ZoneOffset.UTC).toInstant() : Instant.parse(v);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("--since: expected an instant (2026-12-01T09:00:00Z), a date"
                    + " (2026-12-01) or an age (30m, 12h, 7d)");
        }
    }

    /** Audit text can hold what a client sent (a path, a username): no control character reaches the terminal. */
    static String printable(String value) {
        return value == null ? "" : value.replaceAll("[\\p{Cntrl}\\u2028\\u2029\\u202a-\\u202e\\u2066-\\u2069]", "?");
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.trim();
    }
}
