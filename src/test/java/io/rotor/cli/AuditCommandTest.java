package io.rotor.cli;

import io.rotor.vault.AuditRecord;
import io.rotor.vault.MasterKey;
import io.rotor.vault.Vault;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code rotor audit} against a real vault in a scratch directory. */
class AuditCommandTest {
    private static final Instant T0 = Instant.parse("2026-12-01T09:00:00Z");

    @TempDir
    Path dataDir;

    private record Run(int exitCode, String out, String err) {
    }

    private Run rotor(String... args) {
        PrintStream originalOut = System.out;
        PrintStream originalErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            String[] withDir = java.util.stream.Stream.concat(java.util.Arrays.stream(args),
                    java.util.stream.Stream.of("--data-dir", dataDir.toString())).toArray(String[]::new);
            return new Run(RotorCommand.execute(withDir), out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(originalOut);
            System.setErr(originalErr);
        }
    }

    private void records() {
        try (Vault vault = Vault.open(null, null, null, dataDir, MasterKey.load(null, dataDir.resolve("master.key")), 2)) {
            vault.audit().record(new AuditRecord(T0, "cli:alice", "ROTATE", "db1-app", "db1", null, "SUCCEEDED", "rotated"));
            vault.audit().record(new AuditRecord(T0.plusSeconds(60), "api:token:ci", "SET", "db1-app", "db1", null, "FAILED", "refused"));
            vault.audit().record(new AuditRecord(T0.plusSeconds(120), "api:token:ci", "ROTATE", "web-admin", "web", null, "SUCCEEDED", "ok"));
            vault.audit().record(new AuditRecord(T0.plusSeconds(180), "api:service-account:?", "API_LOGIN", null, null, null,
                    "FAILED", "wrong password: POST /x\u001b[2J\u0007"));
        }
    }

    private static long lines(String out, String needle) {
        return out.lines().filter(l -> l.contains(needle)).count();
    }

    @Test
    void filtersCombineAndTheNewestComesFirst() {
        records();

        Run all = rotor("audit");
        assertThat(all.exitCode()).as(all.err()).isZero();
        assertThat(all.out()).contains("4 record(s)");
        assertThat(all.out().indexOf("API_LOGIN")).isLessThan(all.out().indexOf("cli:alice"));

        Run account = rotor("audit", "--account", "db1-app");
        assertThat(account.out()).contains("2 record(s)").doesNotContain("web-admin");
        Run actor = rotor("audit", "--actor", "api:token:ci", "--operation", "rotate");
        assertThat(actor.out()).contains("1 record(s)").contains("web-admin");
        assertThat(lines(actor.out(), "ROTATE")).isEqualTo(1);
        Run since = rotor("audit", "--since", "2026-12-01T09:01:00Z", "--account", "db1-app");
        assertThat(since.out()).contains("1 record(s)").contains("SET");
        Run limited = rotor("audit", "--limit", "1");
        assertThat(limited.out()).contains("1 record(s)").contains("API_LOGIN");
    }

    @Test
    void controlCharactersACallerPutIntoTheTrailNeverReachTheTerminal() {
        records();
        Run all = rotor("audit", "--operation", "API_LOGIN");
        assertThat(all.out()).contains("1 record(s)").doesNotContain("\u001b").doesNotContain("\u0007").contains("POST /x\\x1b[2J\\x07"); // escaped when written (VisibleText)
    }

    @Test
    void badFiltersAreUsageErrors() {
        assertThat(rotor("audit", "--since", "yesterday").exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(rotor("audit", "--limit", "0").exitCode()).isEqualTo(ExitCodes.USAGE);
    }

    @Test
    void sinceTakesAnInstantADateOrAnAge() {
        Clock clock = Clock.fixed(T0, ZoneOffset.UTC);
        assertThat(AuditCommand.parseSince("2026-11-30T08:00:00Z", clock)).isEqualTo(Instant.parse("2026-11-30T08:00:00Z"));
        assertThat(AuditCommand.parseSince("2026-11-30", clock)).isEqualTo(Instant.parse("2026-11-30T00:00:00Z"));
        assertThat(AuditCommand.parseSince("30m", clock)).isEqualTo(T0.minusSeconds(1800));
        assertThat(AuditCommand.parseSince("2d", clock)).isEqualTo(T0.minusSeconds(2 * 86400));
        assertThatThrownBy(() -> AuditCommand.parseSince("-5m", clock)).isInstanceOf(IllegalArgumentException.class);
    }
}
