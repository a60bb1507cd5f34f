package io.rotor.it;

import io.rotor.domain.AccountStatus;
import io.rotor.domain.Secret;
import io.rotor.domain.Slot;
import io.rotor.vault.AccountLock;
import io.rotor.vault.AuditRecord;
import io.rotor.vault.Vault;
import io.rotor.workflow.CrashPoints;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Kills Rotor while it rotates 241 real PostgreSQL roles — by SIGKILL at random moments and by
 * {@code Runtime.halt} at every protocol step boundary ({@code -Drotor.test.halt-at}) — at least 22 times, then
 * restarts it and lets recovery run. Every account must log in with the vault's CURRENT credential, none may be
 * left PENDING, and no secret may appear in what the killed processes printed.
 */
class CrashSafetyIT {
    private static final int ADMIN_TARGET_ACCOUNTS = 200;
    private static final int SELF_TARGET_ACCOUNTS = 40;
    private static final int SIGKILLS = 12;
    private static final String ADMIN_USER = "rotor_it_crash_admin";

    private static RealTargets targets;
    private static Path home;
    private static Path config;
    private static Path dataDir;
    private static Path childLog;
    private static String masterKey;
    private static RotorProcess rotor;
    private static final Map<String, String> usernames = new TreeMap<>();
    private static final Map<String, char[]> initial = new HashMap<>();

    @BeforeAll
    static void setUp() throws Exception {
        targets = RealTargets.load();
        home = Files.createTempDirectory("rotor-crash-");
        dataDir = home.resolve("data");
        childLog = home.resolve("children.log");
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        masterKey = Base64.getEncoder().encodeToString(key);

        StringBuilder accounts = new StringBuilder();
        addAccount(accounts, "crash-000-admin", "crash-admin-t", ADMIN_USER);
        for (int i = 1; i <= ADMIN_TARGET_ACCOUNTS; i++) {
            addAccount(accounts, "crash-a%03d".formatted(i), "crash-admin-t", "rotor_it_crash_a%03d".formatted(i));
        }
        for (int i = 1; i <= SELF_TARGET_ACCOUNTS; i++) {
            addAccount(accounts, "crash-s%03d".formatted(i), "crash-self-t", "rotor_it_crash_s%03d".formatted(i));
        }
        Files.writeString(home.resolve("inventory.yaml"), """
                targets:
                  - id: crash-admin-t
                    type: postgresql
                    host: 127.0.0.1
                    port: %1$d
                    database: %2$s
                    tls: disable
                    adminAccount: crash-000-admin
                    settings: { maxPoolSize: "4" }
                  - id: crash-self-t
                    type: postgresql
                    host: 127.0.0.1
                    port: %1$d
                    database: %2$s
                    tls: disable
                accounts:
                %3$s""".formatted(targets.pgPort(), targets.pgDatabase(), accounts));
        config = home.resolve("application.properties");
        Files.writeString(config, "rotor.inventory = " + home.resolve("inventory.yaml") + "\n"
                + "rotor.data-dir = " + dataDir + "\n"
                + "rotor.rotation.parallelism = 4\n"
                // a killed process's account leases run out after 2 s, and an unknown outcome becomes final after 1 s
                + "rotor.rotation.lock-lifetime-seconds = 2\nrotor.rotation.unknown-quiet-seconds = 1\n");
        rotor = new RotorProcess(home, Map.of("ROTOR_MASTER_KEY", masterKey));

        SecureRandom random = new SecureRandom();
        for (Map.Entry<String, String> account : usernames.entrySet()) {
            char[] password = ("Init-" + Base64.getUrlEncoder().withoutPadding().encodeToString(random.generateSeed(12)) + "'\\ ;").toCharArray();
            initial.put(account.getKey(), password);
            targets.pgCreateRole(account.getValue(), password);
        }
        try (Connection c = targets.pgAdminConnection(); Statement s = c.createStatement()) {
            s.execute("ALTER ROLE " + ADMIN_USER + " CREATEROLE");
        }
        // load the inventory, then store each account's first credential in the vault (as `rotor set --vault-only` does)
        RotorProcess.Result load = rotor.run("inventory", "apply", "--config", config.toString());
        assertThat(load.exitCode()).as(load.all()).isZero();
        try (VaultReader reader = new VaultReader(dataDir, masterKey)) {
            Vault vault = reader.vault();
            for (Map.Entry<String, char[]> entry : initial.entrySet()) {
                AccountLock lock = vault.accounts().tryLock(entry.getKey(), Duration.ofMinutes(1)).orElseThrow();
                try (Secret secret = Secret.of(entry.getValue().clone())) {
                    vault.credentials().setCurrent(lock, "initial", secret, AccountStatus.IN_SYNC,
                            AuditRecord.of("test", "SET_VAULT_ONLY", entry.getKey(), null, "initial", "SUCCEEDED", null));
                } finally {
                    vault.accounts().unlock(lock);
                }
            }
        }
    }

    private static void addAccount(StringBuilder yaml, String id, String target, String username) {
        usernames.put(id, username);
        yaml.append("  - id: ").append(id).append("\n    target: ").append(target)
                .append("\n    username: ").append(username).append("\n");
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (targets != null) {
            for (String username : usernames.values()) {
                targets.pgDropRole(username);
            }
        }
        TestDirs.delete(home);
    }

    private Process rotateTarget(List<String> jvmOptions, String target) throws Exception {
        return rotor.startLogged(jvmOptions, childLog, "rotate", "--target", target, "--config", config.toString());
    }

    @Test
    void killedAtRandomAndAtEveryStepBoundaryNoCredentialIsLost() throws Exception {
        Random random = new Random();
        Deque<String> haltPlan = new ArrayDeque<>();
        for (int round = 0; round < 2; round++) {
            for (CrashPoints.Step step : CrashPoints.Step.values()) {
                // at most 35, so the boundary is reached even in a run over the 40-account target
                haltPlan.add(step.name() + ":" + (1 + random.nextInt(35)));
            }
        }
        int halts = 0;
        int sigkills = 0;
        int completedBeforeKill = 0;
        int run = 0;
        List<String> haltsSeen = new ArrayList<>();
        while (!haltPlan.isEmpty() || sigkills < SIGKILLS) {
            String target = run++ % 2 == 0 ? "crash-admin-t" : "crash-self-t";
            if (!haltPlan.isEmpty()) {
                String spec = haltPlan.poll();
                Process child = rotateTarget(List.of("-D" + CrashPoints.PROPERTY + "=" + spec), target);
                assertThat(child.waitFor(180, TimeUnit.SECONDS)).isTrue();
                if (child.exitValue() == CrashPoints.HALT_STATUS) {
                    halts++;
                    haltsSeen.add(spec);
                } else {
                    completedBeforeKill++;
                }
            } else {
                Process child = rotateTarget(List.of(), target);
                // the kill moment: somewhere between JVM start-up and the end of the run
                long killAfterMillis = 1_500 + random.nextInt(5_000);
                if (child.waitFor(killAfterMillis, TimeUnit.MILLISECONDS)) {
                    completedBeforeKill++;
                } else {
                    child.destroyForcibly();
                    assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
                    sigkills++;
                }
            }
        }

        // restart: once the killed processes' leases have run out (never taken from a live owner), recovery settles
        // everything, then one clean pass rotates every account at least once
        Thread.sleep(3_000);
        RotorProcess.Result recover = rotor.run("recover", "--config", config.toString());
        RotorProcess.Result adminPass = rotor.run("rotate", "--target", "crash-admin-t", "--config", config.toString());
        RotorProcess.Result selfPass = rotor.run("rotate", "--target", "crash-self-t", "--config", config.toString());

        Map<String, Integer> recoveries = new TreeMap<>();
        int lost = 0;
        int oldStillWorking = 0;
        long pendingLeft;
        List<String> problems = new ArrayList<>();
        try (VaultReader reader = new VaultReader(dataDir, masterKey)) {
            Vault vault = reader.vault();
            for (AuditRecord record : reader.audit()) {
                if (record.operation().equals("RECOVER")) {
                    recoveries.merge(record.outcome(), 1, Integer::sum);
                }
            }
            pendingLeft = vault.accounts().accountsWithPending().size();
            for (Map.Entry<String, String> account : usernames.entrySet()) {
                char[] current = reader.secret(account.getKey(), Slot.CURRENT).orElseThrow();
                if (!targets.pgLogin(account.getValue(), current)) {
                    lost++;
                    problems.add(account.getKey() + ": CURRENT does not log in");
                }
                if (targets.pgLogin(account.getValue(), initial.get(account.getKey()))) {
                    oldStillWorking++;
                    problems.add(account.getKey() + ": the initial password still logs in");
                }
                AccountStatus status = vault.accounts().findAccount(account.getKey()).orElseThrow().status();
                if (status != AccountStatus.IN_SYNC) {
                    problems.add(account.getKey() + ": ends " + status);
                }
            }
            System.out.printf("CRASH TALLY: kills=%d (halts=%d at %s, SIGKILL=%d), runs that finished before their kill=%d,"
                            + " recovered forward=%d, rolled back=%d, restored previous=%d, reconciled=%d, deferred=%d, left PENDING=%d, lost=%d%n",
                    halts + sigkills, halts, haltsSeen, sigkills, completedBeforeKill,
                    recoveries.getOrDefault("RECOVERED_FORWARD", 0), recoveries.getOrDefault("ROLLED_BACK", 0),
                    recoveries.getOrDefault("RESTORED_PREVIOUS", 0), recoveries.getOrDefault("RECONCILED", 0),
                    recoveries.getOrDefault("DEFERRED", 0), pendingLeft, lost);
            String log = Files.readString(childLog) + recover.all() + adminPass.all() + selfPass.all();
            for (String accountId : usernames.keySet()) {
                for (Slot slot : Slot.values()) {
                    reader.secret(accountId, slot).ifPresent(secret ->
                            assertThat(log).as("a secret of " + accountId + " in the captured logs").doesNotContain(new String(secret)));
                }
                assertThat(log).doesNotContain(new String(initial.get(accountId)));
            }
        }

        assertThat(pendingLeft).as("accounts left PENDING").isZero();
        assertThat(problems).isEmpty();
        assertThat(lost).isZero();
        assertThat(oldStillWorking).isZero();
        assertThat(halts + sigkills).isGreaterThanOrEqualTo(20);
        assertThat(halts).as("halts at step boundaries").isEqualTo(2 * CrashPoints.Step.values().length);
        assertThat(usernames).hasSizeGreaterThanOrEqualTo(200);
        assertThat(recoveries.getOrDefault("RECOVERED_FORWARD", 0) + recoveries.getOrDefault("ROLLED_BACK", 0))
                .as("the kills left work for recovery").isPositive();
        assertThat(recover.exitCode()).as("every account settles IN_SYNC: " + recover.all()).isZero();
        assertThat(adminPass.exitCode()).as(adminPass.stdout()).isZero();
        assertThat(selfPass.exitCode()).as(selfPass.stdout()).isZero();
    }
}
