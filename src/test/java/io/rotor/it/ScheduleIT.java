package io.rotor.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.rotor.domain.Secret;
import io.rotor.domain.Slot;
import io.rotor.vault.AccountLock;
import io.rotor.vault.AuditRecord;
import io.rotor.vault.Vault;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The real jar with a short-interval policy on the real PostgreSQL target: the schedule rotates the account
 * (the new password logs in, the old one fails); after a stop and a restart the trigger is still in Quartz's
 * QRTZ_TRIGGERS (same start time: the stored trigger, not a new one) and fires again, and start-up recovery of a
 * crash leftover ran before the first scheduled rotation after the restart.
 */
class ScheduleIT {
    private static final String USER = "rotor_it_schedule";
    private static final char[] OLD = "schedule-old-Passw0rd ' \\".toCharArray();
    private static final char[] LIVE = "schedule-live-Passw0rd ; $".toCharArray();
    private static RealTargets targets;

    @BeforeAll
    static void createRole() throws Exception {
        targets = RealTargets.load();
        targets.pgCreateRole(USER, OLD);
    }

    @AfterAll
    static void dropRole() throws Exception {
        targets.pgDropRole(USER);
    }

    @Test
    void theScheduleRotatesSurvivesARestartAndWaitsForRecovery() throws Exception {
        Path home = Files.createTempDirectory("rotor-schedule-");
        Path dataDir = home.resolve("data");
        byte[] key = new byte[32];
        new java.security.SecureRandom().nextBytes(key);
        String masterKey = Base64.getEncoder().encodeToString(key);
        Files.writeString(home.resolve("inventory.yaml"), """
                policies:
                  - id: fast
                    rotation: { interval: PT4S }
                targets:
                  - id: pg
                    type: postgresql
                    host: 127.0.0.1
                    port: %d
                    database: %s
                    tls: disable
                accounts:
                  - id: sched-pg
                    target: pg
                    username: %s
                    policy: fast
                """.formatted(targets.pgPort(), targets.pgDatabase(), USER));
        Path config = home.resolve("application.properties");
        Files.writeString(config, "rotor.inventory = " + home.resolve("inventory.yaml") + "\nrotor.data-dir = " + dataDir
                + "\nrotor.schedules.rotation-check-cron = 0/2 * * * * ?\n");
        RotorProcess rotor = new RotorProcess(home, Map.of("ROTOR_MASTER_KEY", masterKey));
        assertThat(rotor.run("inventory", "apply", "--config", config.toString()).exitCode()).isZero();
        assertThat(rotor.run(("%s%n".formatted(new String(OLD))).getBytes(StandardCharsets.UTF_8),
                "set", "--account", "sched-pg", "--value-stdin", "--vault-only", "--config", config.toString()).exitCode()).isZero();

        // ---- first run: the schedule rotates the account on the real target
        Instant firstStart = Instant.now();
        Process server = start(rotor, home, config, "serve-1.log");
        long firstTriggerStart;
        try {
            awaitAudit(dataDir, masterKey, a -> isScheduledRotation(a, firstStart));
            char[] current;
            try (VaultReader reader = new VaultReader(dataDir, masterKey)) {
                current = reader.secret("sched-pg", Slot.CURRENT).orElseThrow();
            }
            assertThat(new String(current)).isNotEqualTo(new String(OLD));
            assertThat(targets.pgLogin(USER, current)).as("the rotated password logs in").isTrue();
            assertThat(targets.pgLogin(USER, OLD)).as("the old password no longer logs in").isFalse();
            firstTriggerStart = trigger(dataDir, masterKey).orElseThrow()[0];
        } finally {
            stop(server);
        }
        assertThat(trigger(dataDir, masterKey)).as("the trigger stays in QRTZ_TRIGGERS after a stop").isPresent();

        // ---- a crash leftover for start-up recovery: PENDING stored and live on the target
        try (VaultReader reader = new VaultReader(dataDir, masterKey)) {
            Vault vault = reader.vault();
            AccountLock lock = vault.accounts().tryLock("sched-pg", Duration.ofMinutes(5)).orElseThrow();
            vault.credentials().writePending(lock, "crashed", Secret.of(LIVE.clone()),
                    AuditRecord.of("test", "PENDING_WRITTEN", "sched-pg", "pg", "crashed", "PENDING", null));
            vault.accounts().unlock(lock);
        }
        try (Connection c = targets.pgAdminConnection(); java.sql.Statement s = c.createStatement()) {
            s.execute("ALTER ROLE " + USER + " PASSWORD '" + new String(LIVE).replace("'", "''") + "'");
        }

        // ---- second run: the stored trigger fires again, after recovery
        Instant secondStart = Instant.now();
        server = start(rotor, home, config, "serve-2.log");
        try {
            AuditRecord rotation = awaitAudit(dataDir, masterKey, a -> isScheduledRotation(a, secondStart));
            try (VaultReader reader = new VaultReader(dataDir, masterKey)) {
                AuditRecord recovery = reader.audit().stream()
                        .filter(a -> a.operation().equals("RECOVER") && a.outcome().equals("RECOVERED_FORWARD"))
                        .findFirst().orElseThrow(() -> new AssertionError("no start-up recovery in the audit trail"));
                assertThat(recovery.at()).as("start-up recovery ran before the schedule fired")
                        .isBefore(rotation.at());
                char[] current = reader.secret("sched-pg", Slot.CURRENT).orElseThrow();
                assertThat(new String(current)).isNotEqualTo(new String(LIVE));
                assertThat(targets.pgLogin(USER, current)).isTrue();
                assertThat(targets.pgLogin(USER, LIVE)).isFalse();
            }
            long[] trigger = trigger(dataDir, masterKey).orElseThrow();
            assertThat(trigger[0]).as("the trigger is the one stored by the first run").isEqualTo(firstTriggerStart);
            assertThat(trigger[1]).as("and it fired after the restart").isGreaterThan(secondStart.toEpochMilli());
        } finally {
            stop(server);
        }
        String output = Files.readString(home.resolve("serve-1.log")) + Files.readString(home.resolve("serve-2.log"));
        assertThat(output).doesNotContain(new String(OLD)).doesNotContain(new String(LIVE));
        TestDirs.delete(home);
    }

    private static boolean isScheduledRotation(AuditRecord a, Instant after) {
        return "schedule".equals(a.actor()) && "ROTATE".equals(a.operation()) && "SUCCEEDED".equals(a.outcome())
                && a.at().isAfter(after);
    }

    private static Process start(RotorProcess rotor, Path home, Path config, String log) throws Exception {
        int port;
        port = TestPorts.free();
        return rotor.startLogged(List.of(), home.resolve(log), "serve", "--port", String.valueOf(port),
                "--config", config.toString());
    }

    private static void stop(Process server) throws InterruptedException {
        server.destroy();
        assertThat(server.waitFor(60, TimeUnit.SECONDS)).as("rotor stops on SIGTERM").isTrue();
    }

    /** Polls the vault's audit trail (the server runs in another process) until a record matches. */
    private static AuditRecord awaitAudit(Path dataDir, String masterKey, Predicate<AuditRecord> wanted) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            try (VaultReader reader = new VaultReader(dataDir, masterKey)) {
                Optional<AuditRecord> found = reader.audit().stream().filter(wanted).findFirst();
                if (found.isPresent()) {
                    return found.get();
                }
            }
            TimeUnit.MILLISECONDS.sleep(500);
        }
        throw new AssertionError("no matching audit record within 120 s");
    }

    /** START_TIME and PREV_FIRE_TIME of the rotation-check trigger in QRTZ_TRIGGERS, when it is there. */
    private static Optional<long[]> trigger(Path dataDir, String masterKey) throws Exception {
        try (VaultReader reader = new VaultReader(dataDir, masterKey);
             Connection c = reader.vault().dataSource().getConnection();
             PreparedStatement s = c.prepareStatement("SELECT START_TIME, PREV_FIRE_TIME FROM QRTZ_TRIGGERS"
                     + " WHERE SCHED_NAME = 'rotor' AND TRIGGER_GROUP = 'rotor' AND TRIGGER_NAME = 'rotation-check'");
             ResultSet r = s.executeQuery()) {
            return r.next() ? Optional.of(new long[]{r.getLong(1), r.getLong(2)}) : Optional.empty();
        }
    }
}
