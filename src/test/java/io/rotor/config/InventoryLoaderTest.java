package io.rotor.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rotor.domain.CredentialType;
import io.rotor.domain.PasswordGenerator;
import io.rotor.domain.PasswordPolicy;
import io.rotor.domain.Secret;
import io.rotor.domain.Target;
import io.rotor.domain.TlsMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InventoryLoaderTest {
    private static final String DIR = "src/test/resources/inventory/";

    /** Loads a file that must be refused and returns its problem lines. */
    private static List<String> problems(String file) {
        Path path = Path.of(DIR + file);
        try {
            InventoryLoader.load(path);
        } catch (InventoryException e) {
            assertThat(e.getMessage()).contains(e.problems());
            assertThat(e.problems()).allSatisfy(line -> assertThat(line).startsWith(path + ": "));
            return e.problems();
        }
        throw new AssertionError(file + " was accepted");
    }

    private static String line(String file, String entry, String field, String text) {
        return DIR + file + ": " + entry + ": field '" + field + "': " + text;
    }

    @Test
    void validFileIsLoaded() {
        Inventory inventory = InventoryLoader.load(Path.of(DIR + "valid.yaml"));

        assertThat(inventory.policies()).extracting(PasswordPolicy::id).containsExactly("db-strict", "long-only");
        assertThat(inventory.policy("db-strict")).contains(new PasswordPolicy("db-strict", 20, 32, 2, 2, 2, 2,
                "!#$%&*+-=?@^_", "O0Il1", true));
        PasswordPolicy longOnly = inventory.policy("long-only").orElseThrow();
        assertThat(longOnly.minLength()).isEqualTo(40);
        assertThat(longOnly.maxLength()).isEqualTo(40);
        assertThat(longOnly.symbols()).isEqualTo(PasswordPolicy.DEFAULT_SYMBOLS);

        Target pg = inventory.target("pg-local").orElseThrow();
        assertThat(pg).isEqualTo(new Target("pg-local", "postgresql", "127.0.0.1", 5432, "postgres", TlsMode.DISABLE,
                "pg-local-admin", "db-strict", Map.of("sslrootcert", "/path/ca.crt", "maxPoolSize", "4")));
        Target maria = inventory.target("maria").orElseThrow();
        assertThat(maria.type()).isEqualTo("mariadb");
        assertThat(maria.port()).isEqualTo(3306);
        assertThat(maria.tlsMode()).isEqualTo(TlsMode.VERIFY_FULL);
        assertThat(maria.settings()).isEmpty();

        assertThat(inventory.accounts()).containsExactly(
                new AccountSpec("pg-local-admin", "pg-local", "rotor_admin", CredentialType.PASSWORD, null, "PG_ADMIN_PASSWORD"),
                new AccountSpec("pg-local-app", "pg-local", "app", CredentialType.PASSWORD, "long-only", null),
                new AccountSpec("pg-local-report", "pg-local", "report", CredentialType.PASSWORD, null, null),
                new AccountSpec("maria-app", "maria", "1app", CredentialType.API_KEY, null, null));
    }

    @Test
    void policyFallsBackFromAccountToTargetToDefault() {
        Inventory inventory = InventoryLoader.load(Path.of(DIR + "valid.yaml"));
        assertThat(inventory.policyFor(inventory.account("pg-local-app").orElseThrow()).id()).isEqualTo("long-only");
        assertThat(inventory.policyFor(inventory.account("pg-local-report").orElseThrow()).id()).isEqualTo("db-strict");
        assertThat(inventory.policyFor(inventory.account("maria-app").orElseThrow()))
                .isEqualTo(PasswordPolicy.defaults());
        // the loaded policies are usable as they are
        try (Secret s = new PasswordGenerator().generate(inventory.policy("db-strict").orElseThrow(), "app")) {
            assertThat(s.length()).isBetween(20, 32);
        }
    }

    @Test
    void exampleFileIsValid() {
        Inventory inventory = InventoryLoader.load(Path.of("config/inventory.example.yaml"));
        Target pg = inventory.target("pg-local").orElseThrow();
        assertThat(pg.type()).isEqualTo("postgresql");
        assertThat(pg.host()).isEqualTo("127.0.0.1");
        assertThat(pg.port()).isEqualTo(5432);
        assertThat(pg.adminAccountId()).isEqualTo("pg-local-admin");
        assertThat(inventory.accounts()).extracting(AccountSpec::id).containsExactly("pg-local-admin", "pg-local-app");
        assertThat(inventory.policies()).extracting(PasswordPolicy::id).containsExactly("db-strict");
    }

    @Test
    void emptyFileGivesEmptyInventory() {
        assertThat(InventoryLoader.load(Path.of(DIR + "empty.yaml")).isEmpty()).isTrue();
        assertThat(InventoryLoader.parse("inline", "policies:\ntargets: []\n").isEmpty()).isTrue();
    }

    @Test
    void anInventoryOf100000AccountsLoads(@TempDir Path dir) throws Exception {
        // over SnakeYAML's default limit of 3 MB
        StringBuilder yaml = new StringBuilder("targets:\n  - id: pg\n    type: postgresql\n    host: 127.0.0.1\naccounts:\n");
        for (int i = 0; i < 100_000; i++) {
            yaml.append("  - id: account-").append(i).append("\n    target: pg\n    username: role_").append(i).append('\n');
        }
        assertThat(yaml.length()).isGreaterThan(3 * 1024 * 1024);
        Path file = dir.resolve("big.yaml");
        java.nio.file.Files.writeString(file, yaml);
        assertThat(InventoryLoader.load(file).accounts()).hasSize(100_000);
    }

    @Test
    void missingFileIsEmptyOnlyWhenOptional(@TempDir Path dir) throws Exception {
        Path missing = dir.resolve("inventory.yaml");
        assertThat(InventoryLoader.loadIfExists(missing)).isEqualTo(Inventory.empty());
        assertThatThrownBy(() -> InventoryLoader.load(missing))
                .isInstanceOf(InventoryException.class)
                .hasMessageContaining(missing + ": file not found");

        Files.writeString(missing, "targets:\n  - { id: t1, type: postgresql, host: 127.0.0.1 }\n");
        assertThat(InventoryLoader.loadIfExists(missing).targets()).extracting(Target::id).containsExactly("t1");
    }

    @Test
    void malformedYamlNamesFileAndLineWithoutQuotingIt() {
        List<String> problems = problems("malformed.yaml");
        assertThat(problems).hasSize(1);
        assertThat(problems.get(0)).startsWith(DIR + "malformed.yaml: line 4, column 4: malformed YAML: ")
                .doesNotContain("hunter2");
    }

    @Test
    void duplicateYamlKeyIsRefused() {
        assertThat(problems("duplicate-key.yaml")).containsExactly(DIR + "duplicate-key.yaml: line 5, column 9: duplicate key 'host'");
    }

    @Test
    void topLevelMustBeAMappingOfKnownSections() {
        assertThatThrownBy(() -> InventoryLoader.parse("x.yaml", "- a\n- b\n"))
                .hasMessageContaining("x.yaml: the top level must be a mapping");
        assertThatThrownBy(() -> InventoryLoader.parse("x.yaml", "targets: {id: t1}\n"))
                .hasMessageContaining("x.yaml: field 'targets': must be a list of entries");
        assertThatThrownBy(() -> InventoryLoader.parse("x.yaml", "targets:\n  - just-a-string\n"))
                .hasMessageContaining("x.yaml: targets[0]: must be a mapping of fields");
        assertThatThrownBy(() -> InventoryLoader.parse("x.yaml", "targets: []\n---\naccounts: []\n"))
                .hasMessageContaining("x.yaml: line ")
                .hasMessageContaining("only one YAML document is allowed");
    }

    @Test
    void everyMissingRequiredFieldIsReported() {
        String f = "missing-required.yaml";
        assertThat(problems(f)).containsExactly(
                line(f, "policies[0]", "id", "is required"),
                line(f, "targets[0] (id=no-type)", "type", "is required (postgresql, mariadb, ...)"),
                line(f, "targets[1] (id=no-host)", "host", "is required"),
                line(f, "targets[2]", "id", "is required"),
                line(f, "accounts[0] (id=no-target)", "target", "is required"),
                line(f, "accounts[1] (id=no-username)", "username", "is required"),
                line(f, "accounts[2]", "id", "is required"));
    }

    @Test
    void duplicateIdsPerKind() {
        String f = "duplicate-ids.yaml";
        assertThat(problems(f)).containsExactly(
                line(f, "policies[1] (id=p1)", "id", "duplicate policy id (first declared at policies[0])"),
                line(f, "targets[2] (id=t1)", "id", "duplicate target id (first declared at targets[0])"),
                line(f, "accounts[1] (id=a1)", "id", "duplicate account id (first declared at accounts[0])"),
                line(f, "accounts[2] (id=a2)", "username", "is already declared on target 't2' by accounts[1] (id=a1)"));
    }

    @Test
    void unknownFieldsAreAllNamed() {
        String f = "unknown-fields.yaml";
        List<String> problems = problems(f);
        assertThat(problems).containsExactly(
                DIR + f + ": field 'extra': unknown field (known fields: policies, targets, accounts)",
                line(f, "policies[0] (id=p1)", "minLenght", "unknown field (known fields: id, minLength, maxLength,"
                        + " minUpper, minLower, minDigit, minSymbol, symbols, excluded, notContainUsername,"
                        + " rotation)"),
                line(f, "targets[0] (id=t1)", "hostname", "unknown field (known fields: id, type, host, port,"
                        + " database, tls, policy, site, adminAccount, settings)"),
                line(f, "targets[0] (id=t1)", "sslmode", "unknown field (known fields: id, type, host, port,"
                        + " database, tls, policy, site, adminAccount, settings)"),
                line(f, "accounts[0] (id=a1)", "passwd", "unknown field (known fields: id, target, username,"
                        + " credentialType, policy, initialSecretEnv)"));
        assertThat(String.join("\n", problems)).doesNotContain("hunter2");
    }

    @Test
    void portMustBeAWholeNumberInRange() {
        String f = "bad-port.yaml";
        // the account on pg-prod is not reported: a broken target still resolves as a reference
        assertThat(problems(f)).containsExactly(
                line(f, "targets[1] (id=pg-prod)", "port", "must be between 1 and 65535"),
                line(f, "targets[2] (id=pg-zero)", "port", "must be between 1 and 65535"),
                line(f, "targets[3] (id=pg-text)", "port", "must be a whole number"),
                line(f, "targets[4] (id=pg-float)", "port", "must be a whole number"),
                // the schema's range: clearer than the "number out of range" of the hand-written binding
                line(f, "targets[5] (id=pg-huge)", "port", "must be between 1 and 65535"));
    }

    @Test
    void tlsMustBeAKnownMode() {
        String f = "bad-tls.yaml";
        assertThat(problems(f)).containsExactly(
                line(f, "targets[0] (id=t1)", "tls", "must be one of disable, require, verify-full"));
    }

    @Test
    void directoryTargetsGetTheirPortsAndActiveDirectoryRefusesClearText(@TempDir Path dir) throws Exception {
        Path ok = dir.resolve("dir.yaml");
        Files.writeString(ok, """
                targets:
                  - id: ol
                    type: ldap
                    host: ldap.example
                    tls: verify-full
                  - id: ol-ldaps
                    type: ldap
                    host: ldap.example
                    tls: require
                    settings:
                      tlsMethod: ldaps
                  - id: ad
                    type: activedirectory
                    host: dc.example
                    tls: verify-full
                accounts:
                  - id: by-dn
                    target: ol
                    username: 'uid=John Smith\\+x,ou=people,dc=example'
                  - id: by-login
                    target: ad
                    username: alice
                """);
        Inventory inventory = InventoryLoader.load(ok);
        assertThat(inventory.target("ol").orElseThrow().port()).isEqualTo(389);
        assertThat(inventory.target("ol-ldaps").orElseThrow().port()).isEqualTo(636);
        assertThat(inventory.target("ad").orElseThrow().port()).isEqualTo(389);

        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, """
                targets:
                  - id: ad
                    type: activedirectory
                    host: dc.example
                    tls: disable
                accounts:
                  - id: inj
                    target: ad
                    username: "*)(uid=*"
                """);
        assertThatThrownBy(() -> InventoryLoader.load(bad))
                .isInstanceOf(InventoryException.class)
                .hasMessageContaining("only over an encrypted connection")
                .hasMessageContaining("login name must not contain");
    }

    @Test
    void referencesMustResolve() {
        String f = "bad-references.yaml";
        assertThat(problems(f)).containsExactly(
                line(f, "targets[0] (id=t1)", "policy", "unknown policy 'nope'"),
                line(f, "targets[0] (id=t1)", "adminAccount", "unknown account 'ghost'"),
                line(f, "targets[1] (id=t2)", "adminAccount",
                        "account 't1-admin' is not on this target (an admin account must be on the same target)"),
                line(f, "accounts[1] (id=a1)", "target", "unknown target 'missing-target'"),
                line(f, "accounts[2] (id=a2)", "policy", "unknown policy 'also-nope'"),
                line(f, "accounts[3] (id=a3)", "credentialType", "must be one of password, ssh-key, pin, api-key"),
                line(f, "accounts[4] (id=a4)", "initialSecretEnv",
                        "must be the name of an environment variable ([A-Za-z_][A-Za-z0-9_]{0,254}), not a secret"));
    }

    @Test
    void policiesAreValidatedByThePasswordGenerator() {
        String f = "bad-policy.yaml";
        assertThat(problems(f)).containsExactly(
                line(f, "policies[0] (id=db-strict)", "maxLength",
                        "minUpper + minLower + minDigit + minSymbol = 40 exceeds maxLength 32"),
                line(f, "policies[1] (id=no-upper)", "minUpper",
                        "minUpper is 1 but no upper-case letter is left after excluded is removed"),
                line(f, "policies[2] (id=bad-symbols)", "symbols",
                        "symbols must not contain letters or digits, found 'a' at index 1"),
                line(f, "policies[3] (id=short)", "minLength", "must be between 1 and 4096"),
                line(f, "policies[4] (id=flag)", "notContainUsername", "must be true or false"));
    }

    @Test
    void usernamesFollowTheTargetTypesRules() {
        String f = "bad-username.yaml";
        List<String> problems = problems(f);
        assertThat(problems).hasSize(5);
        assertThat(problems.get(0)).startsWith(line(f, "accounts[0] (id=inject)", "username", "username must not contain a quote"))
                .doesNotContain("DROP");
        assertThat(problems.get(1)).startsWith(line(f, "accounts[1] (id=digit-first)", "username", "postgresql username must match"));
        assertThat(problems.get(2)).startsWith(line(f, "accounts[2] (id=with-host)", "username", "mariadb username must not contain '@'"));
        assertThat(problems.get(3)).isEqualTo(line(f, "accounts[3] (id=semi)", "username",
                "username must not contain a semicolon (found at index 1)"));
        assertThat(problems.get(4)).isEqualTo(line(f, "accounts[4] (id=blank)", "username", "username must not be blank"));
    }

    @Test
    void idsMustMatchThePattern() {
        String f = "bad-ids.yaml";
        String pattern = "must match [A-Za-z0-9][A-Za-z0-9_.-]{0,127}";
        assertThat(problems(f)).containsExactly(
                line(f, "policies[0] (id=-starts-with-dash)", "id", pattern),
                line(f, "targets[0] (id=has space)", "id", pattern),
                line(f, "targets[1] (id=x)", "type", "must match [a-z][a-z0-9_-]{0,63}"),
                line(f, "targets[1] (id=x)", "host", "must be a host name or address without whitespace or control characters"),
                line(f, "accounts[0] (id=semi;colon)", "id", pattern));
    }

    @Test
    void secretsAreRefusedWithoutBeingEchoed() {
        String f = "secrets.yaml";
        String refused = "secrets must not be written in the inventory; they come from environment variables"
                + " (initialSecretEnv) or `rotor set`";
        List<String> problems = problems(f);
        assertThat(problems).containsExactly(
                line(f, "targets[0] (id=t1)", "settings.password", refused),
                line(f, "accounts[0] (id=a1)", "password", refused),
                line(f, "accounts[1] (id=a2)", "Secret", refused),
                line(f, "accounts[2] (id=a3)", "value", refused));
        assertThat(String.join("\n", problems)).doesNotContain("hunter2");
    }

    @Test
    void unquotedValuesThatYamlWouldRetypeAreRefused() {
        String f = "unquoted.yaml";
        String quote = "YAML reads this unquoted value as a number or true/false, which can change it"
                + " (0123 becomes 83, on becomes true): put it in quotes";
        // a setting: named as a setting, typed ones (maxPoolSize: 4) are fine; linux has no settings schema, so the
        // case is on a postgresql target
        assertThat(problems(f)).containsExactly(
                DIR + f + ": targets[1] (id=t2): setting 'sslrootcert' must be quoted: YAML reads this unquoted value"
                        + " as a number or true/false, which can change it (0123 becomes 83, on becomes true)",
                line(f, "accounts[0] (id=a1)", "username", quote),
                line(f, "accounts[1] (id=42)", "id", quote),
                line(f, "accounts[2] (id=a3)", "username", "must be a single value, not a list or mapping"));
    }

    @Test
    void inventoryIsImmutable() {
        Inventory inventory = InventoryLoader.load(Path.of(DIR + "valid.yaml"));
        assertThatThrownBy(() -> inventory.accounts().clear()).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> inventory.target("pg-local").orElseThrow().settings().put("k", "v"))
                .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void policiesCarryTheirRotationSchedule() {
        Inventory inventory = InventoryLoader.load(Path.of(DIR + "schedules.yaml"));

        assertThat(inventory.schedule("monthly")).isEqualTo(new io.rotor.domain.RotationSchedule(
                java.time.Duration.ofDays(30), null, "01:00-05:00", false));
        assertThat(inventory.schedule("nightly").cron()).isEqualTo("0 0 2 * * ?");
        assertThat(inventory.schedule("break-glass").manualOnly()).isTrue();
        assertThat(inventory.schedule("break-glass").scheduled()).isFalse();
        assertThat(inventory.schedule("plain").scheduled()).isFalse();
    }

    @Test
    void rotationSchedulesAreValidatedFieldByField() {
        String f = "bad-schedules.yaml";
        assertThat(problems(f)).containsExactly(
                line(f, "policies[0] (id=words)", "rotation.interval",
                        "must be an ISO-8601 duration such as P30D, PT12H or PT30S (months and years are not accepted: write days)"),
                line(f, "policies[1] (id=both)", "rotation.cron", "give either interval or cron, not both"),
                line(f, "policies[2] (id=bad-cron)", "rotation.cron",
                        "must be a Quartz cron expression with seconds, e.g. \"0 0 2 * * ?\""),
                line(f, "policies[3] (id=bad-window)", "rotation.window",
                        "must be two different times of day HH:mm-HH:mm, e.g. 01:00-05:00 (22:00-02:00 wraps midnight)"),
                line(f, "policies[4] (id=manual-and-interval)", "rotation.manualOnly",
                        "a manual-only policy is never scheduled: remove interval, cron and window"),
                line(f, "policies[5] (id=typo)", "rotation.intervall",
                        "unknown field (known fields: interval, cron, window, manualOnly)"),
                line(f, "policies[6] (id=number)", "rotation.interval",
                        "YAML reads this unquoted value as a number or true/false, which can change it"
                        + " (0123 becomes 83, on becomes true): put it in quotes"));
    }
}
