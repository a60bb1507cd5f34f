package io.rotor.it;

import io.rotor.domain.Slot;
import io.rotor.vault.AuditRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README's "first rotation" as a user runs it — {@code java -jar target/rotor.jar ...} — against the real
 * PostgreSQL and MariaDB targets, then the bad inputs, then the leak check over everything printed, audited
 * and stored.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FirstRotationIT {
    private static final String PG_USER = "rotor_it_first_pg";
    private static final String MY_USER = "rotor_it_first_my";
    private static final char[] PG_INITIAL = "Initial 'pg' \"pw\" \\ ; $ ` 1".toCharArray();
    private static final char[] MY_INITIAL = "Initial 'my' \"pw\" \\ ; $ ` 2".toCharArray();

    private static RealTargets targets;
    private static Path home;
    private static Path config;
    private static Path dataDir;
    private static RotorProcess rotor;
    private static String masterKey;
    /** Every secret Rotor generated or was given during this test, to look for afterwards. */
    private static final Set<String> secretsSeen = new LinkedHashSet<>();

    @BeforeAll
    static void setUp() throws Exception {
        targets = RealTargets.load();
        targets.pgCreateRole(PG_USER, PG_INITIAL);
        targets.mariaCreateUser(MY_USER, MY_INITIAL);
        home = Files.createTempDirectory("rotor-first-");
        dataDir = home.resolve("data");
        byte[] key = new byte[32];
        new java.security.SecureRandom().nextBytes(key);
        masterKey = Base64.getEncoder().encodeToString(key);
        writeInventory("""
                policies:
                  - id: db
                    minLength: 20
                    maxLength: 28
                    minUpper: 1
                    minLower: 1
                    minDigit: 1
                    minSymbol: 2
                    symbols: "!#%%'\\"\\\\;$` -_"
                targets:
                  - id: pg
                    type: postgresql
                    host: 127.0.0.1
                    port: %d
                    database: %s
                    tls: disable
                    policy: db
                  - id: my
                    type: mariadb
                    host: 127.0.0.1
                    port: %d
                    tls: disable
                    policy: db
                    adminAccount: my-admin
                accounts:
                  - id: first-pg
                    target: pg
                    username: %s
                  - id: first-my
                    target: my
                    username: %s
                  - id: my-admin
                    target: my
                    username: %s
                    initialSecretEnv: ROTOR_IT_MY_ADMIN
                """.formatted(targets.pgPort(), targets.pgDatabase(), targets.mariaPort(), PG_USER, MY_USER,
                targets.mariaAdminUser()));
        Map<String, String> env = new HashMap<>();
        env.put("ROTOR_MASTER_KEY", masterKey);
        env.put("ROTOR_IT_MY_ADMIN", new String(targets.mariaAdminPassword()));
        rotor = new RotorProcess(home, env);
        // only `serve` and `rotor inventory apply` read the inventory
        RotorProcess.Result applied = rotor.run("inventory", "apply", "--config", config.toString());
        assertThat(applied.exitCode()).as(applied.all()).isZero();
        secretsSeen.add(new String(PG_INITIAL));
        secretsSeen.add(new String(MY_INITIAL));
    }

    private static void writeInventory(String yaml) throws Exception {
        config = home.resolve("application.properties");
        Files.writeString(home.resolve("inventory.yaml"), yaml);
        Files.writeString(config, "rotor.inventory = " + home.resolve("inventory.yaml") + "\n"
                + "rotor.data-dir = " + dataDir + "\n");
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (targets != null) {
            targets.pgDropRole(PG_USER);
            targets.mariaDropUser(MY_USER);
        }
        TestDirs.delete(home);
    }

    private RotorProcess.Result rotor(String... args) throws Exception {
        return rotor(new byte[0], args);
    }

    private RotorProcess.Result rotor(byte[] stdin, String... args) throws Exception {
        String[] withConfig = Stream.concat(Stream.of(args), Stream.of("--config", config.toString())).toArray(String[]::new);
        return rotor.run(stdin, withConfig);
    }

    private static char[] current(String accountId) {
        try (VaultReader vault = new VaultReader(dataDir, masterKey)) {
            char[] value = vault.secret(accountId, Slot.CURRENT).orElseThrow();
            secretsSeen.add(new String(value));
            return value;
        }
    }

    private static void assertNoStackTrace(RotorProcess.Result result) {
        assertThat(result.all()).doesNotContain("\tat ").doesNotContain("Exception in thread");
    }

    @Test
    @Order(1)
    void aVaultOnlySetThenVerifyBringsTheAccountInSync() throws Exception {
        RotorProcess.Result set = rotor((new String(PG_INITIAL) + "\n").getBytes(StandardCharsets.UTF_8),
                "set", "--account", "first-pg", "--value-stdin", "--vault-only");
        assertThat(set.exitCode()).as(set.all()).isZero();
        assertThat(rotor("accounts").stdout()).containsPattern("first-pg\\s+pg\\s+" + PG_USER + "\\s+PASSWORD\\s+UNVERIFIED");

        RotorProcess.Result verify = rotor("verify", "--account", "first-pg");
        assertThat(verify.exitCode()).as(verify.all()).isZero();
        assertThat(rotor("accounts").stdout()).containsPattern("first-pg\\s+pg\\s+" + PG_USER + "\\s+PASSWORD\\s+IN_SYNC");
    }

    @Test
    @Order(2)
    void aSelfRotationOnPostgresqlChangesThePasswordForReal() throws Exception {
        RotorProcess.Result rotate = rotor("rotate", "--account", "first-pg");

        assertThat(rotate.exitCode()).as(rotate.all()).isZero();
        char[] now = current("first-pg");
        assertThat(targets.pgLogin(PG_USER, now)).as("new password logs in").isTrue();
        assertThat(targets.pgLogin(PG_USER, PG_INITIAL)).as("old password is refused").isFalse();
    }

    @Test
    @Order(3)
    void aGeneratedSetOnTheTargetWorksAndTheOldOneFails() throws Exception {
        char[] before = current("first-pg");

        RotorProcess.Result set = rotor("set", "--account", "first-pg", "--generate");

        assertThat(set.exitCode()).as(set.all()).isZero();
        char[] now = current("first-pg");
        assertThat(targets.pgLogin(PG_USER, now)).isTrue();
        assertThat(targets.pgLogin(PG_USER, before)).isFalse();
    }

    @Test
    @Order(4)
    void anAdminRotationOnMariadbNeedsNoOldPassword() throws Exception {
        RotorProcess.Result rotate = rotor("rotate", "--account", "first-my");

        assertThat(rotate.exitCode()).as(rotate.all()).isZero();
        char[] now = current("first-my");
        assertThat(targets.mariaLogin(MY_USER, now)).isTrue();
        assertThat(targets.mariaLogin(MY_USER, MY_INITIAL)).isFalse();
    }

    @Test
    @Order(5)
    void badInputGetsAOneLineReasonAndChangesNothing() throws Exception {
        char[] before = current("first-pg");
        int auditBefore = auditCount();

        RotorProcess.Result unknown = rotor("rotate", "--account", "no-such-account");
        assertThat(unknown.exitCode()).isEqualTo(1);
        assertThat(unknown.stderr()).contains("unknown account id 'no-such-account'");
        assertNoStackTrace(unknown);

        RotorProcess.Result empty = rotor(new byte[0], "set", "--account", "first-pg", "--value-stdin");
        assertThat(empty.exitCode()).isEqualTo(1);
        assertThat(empty.stderr()).contains("empty");
        assertNoStackTrace(empty);

        RotorProcess.Result nul = rotor("abc\0def".getBytes(StandardCharsets.UTF_8), "set", "--account", "first-pg", "--value-stdin");
        assertThat(nul.exitCode()).isEqualTo(1);
        assertThat(nul.stderr()).contains("NUL");
        assertNoStackTrace(nul);

        RotorProcess.Result usage = rotor("set", "--account", "first-pg");
        assertThat(usage.exitCode()).isEqualTo(64);
        assertThat(usage.stderr()).contains("--generate").contains("--value-stdin");

        assertThat(current("first-pg")).isEqualTo(before);
        assertThat(auditCount()).isEqualTo(auditBefore);
        assertThat(targets.pgLogin(PG_USER, before)).isTrue();
    }

    @Test
    @Order(6)
    void anInventoryWithAnUnsatisfiablePolicyOrAnInjectedUsernameIsRefusedByName() throws Exception {
        Path original = home.resolve("inventory.yaml");
        String good = Files.readString(original);
        try {
            Files.writeString(original, good.replace("minSymbol: 2", "minSymbol: 30"));
            RotorProcess.Result policy = rotor("inventory", "apply");
            assertThat(policy.exitCode()).isEqualTo(1);
            assertThat(policy.stderr()).contains("inventory.yaml").contains("id=db").contains("maxLength");
            assertNoStackTrace(policy);

            Files.writeString(original, good.replace("username: " + PG_USER, "username: \"bob'; DROP ROLE x;--\""));
            RotorProcess.Result injected = rotor("inventory", "apply");
            assertThat(injected.exitCode()).isEqualTo(1);
            assertThat(injected.stderr()).contains("inventory.yaml").contains("first-pg").contains("username");
            assertNoStackTrace(injected);
            // the refused files changed nothing: the accounts are as they were
            assertThat(rotor("accounts").stdout()).containsPattern("first-pg\\s+pg\\s+" + PG_USER + "\\s");
        } finally {
            Files.writeString(original, good);
        }
        assertThat(rotor("inventory", "apply").exitCode()).isZero();
    }

    @Test
    @Order(7)
    void aWrongMasterKeyRefusesToStartAndSaysWhy() throws Exception {
        Map<String, String> env = new HashMap<>();
        env.put("ROTOR_MASTER_KEY", Base64.getEncoder().encodeToString(new byte[32]));
        RotorProcess wrong = new RotorProcess(home, env);

        RotorProcess.Result result = wrong.run("accounts", "--config", config.toString());

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.stderr()).contains("ROTOR_MASTER_KEY").contains("wrong key");
        assertNoStackTrace(result);
    }

    @Test
    @Order(8)
    void aFlippedByteInTheVaultIsReportedAsTamperingAndNothingIsSent() throws Exception {
        char[] live = current("first-pg");
        try (VaultReader vault = new VaultReader(dataDir, masterKey);
             Connection c = vault.vault().dataSource().getConnection()) {
            byte[] ciphertext;
            try (PreparedStatement s = c.prepareStatement("SELECT ciphertext FROM credentials WHERE account_id = 'first-pg' AND slot = 'CURRENT'");
                 ResultSet r = s.executeQuery()) {
                r.next();
                ciphertext = r.getBytes(1);
            }
            byte[] tampered = ciphertext.clone();
            tampered[tampered.length - 3] ^= 0x40;
            update(c, tampered);
            try {
                RotorProcess.Result verify = rotor("verify", "--account", "first-pg");
                assertThat(verify.exitCode()).isEqualTo(1);
                assertThat(verify.stderr()).contains("tampered").contains("first-pg");
                assertNoStackTrace(verify);
            } finally {
                update(c, ciphertext);
            }
        }
        assertThat(targets.pgLogin(PG_USER, live)).as("the target was not touched").isTrue();
    }

    private static void update(Connection c, byte[] ciphertext) throws Exception {
        try (PreparedStatement s = c.prepareStatement("UPDATE credentials SET ciphertext = ? WHERE account_id = 'first-pg' AND slot = 'CURRENT'")) {
            s.setBytes(1, ciphertext);
            s.executeUpdate();
        }
    }

    @Test
    @Order(9)
    void rotateKeyReencryptsAndEverythingStillWorks() throws Exception {
        RotorProcess.Result rotateKey = rotor("vault", "rotate-key");
        assertThat(rotateKey.exitCode()).as(rotateKey.all()).isZero();
        assertThat(rotateKey.stdout()).contains("re-encrypted");

        RotorProcess.Result rotate = rotor("rotate", "--account", "first-pg");
        assertThat(rotate.exitCode()).as(rotate.all()).isZero();
        assertThat(targets.pgLogin(PG_USER, current("first-pg"))).isTrue();
    }

    @Test
    @Order(10)
    void noSecretReachedTheOutputTheAuditTrailOrTheDatabaseFile() throws Exception {
        try (VaultReader vault = new VaultReader(dataDir, masterKey)) {
            for (String account : List.of("first-pg", "first-my")) {
                for (Slot slot : Slot.values()) {
                    vault.secret(account, slot).ifPresent(s -> secretsSeen.add(new String(s)));
                }
            }
            List<AuditRecord> audit = vault.audit();
            assertThat(audit).isNotEmpty();
            String auditText = audit.toString();
            String transcript = rotor.transcript();
            assertThat(transcript).isNotBlank();
            assertThat(secretsSeen).hasSizeGreaterThanOrEqualTo(5);
            for (String secret : secretsSeen) {
                assertThat(transcript).as("captured output").doesNotContain(secret);
                assertThat(auditText).as("audit records").doesNotContain(secret);
            }
        }
        try (Stream<Path> files = Files.walk(dataDir)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                String content = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
                for (String secret : secretsSeen) {
                    assertThat(content).as("vault file " + file).doesNotContain(secret);
                }
            }
        }
    }

    private static int auditCount() {
        try (VaultReader vault = new VaultReader(dataDir, masterKey)) {
            return vault.audit().size();
        }
    }
}
