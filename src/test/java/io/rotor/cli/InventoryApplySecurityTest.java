package io.rotor.cli;

import io.rotor.RotorRuntime;
import io.rotor.domain.Target;
import io.rotor.domain.TlsMode;
import io.rotor.vault.AuditRecord;
import io.rotor.vault.MasterKey;
import io.rotor.vault.Vault;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Attack: get an inventory applied (a target repointed at a host the attacker owns, where the next heartbeat sends
 * the password) or a route file compiled by any command an operator runs. Only {@code serve} and
 * {@code rotor inventory apply} read the inventory, the latter with an audit record; one-shot commands run the
 * routes built into the jar, whatever the home's {@code routes/} holds.
 */
class InventoryApplySecurityTest {
    @TempDir
    Path home;

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
            String[] withHome = java.util.stream.Stream.concat(java.util.Arrays.stream(args),
                    java.util.stream.Stream.of("--home", home.toString())).toArray(String[]::new);
            return new Run(RotorCommand.execute(withHome), out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(originalOut);
            System.setErr(originalErr);
        }
    }

    private <T> T withVault(Function<Vault, T> work) {
        Path data = home.resolve("data");
        try (Vault vault = Vault.open(null, null, null, data, MasterKey.load(null, data.resolve("master.key")), 2)) {
            return work.apply(vault);
        }
    }

    private List<Target> targets() {
        return withVault(v -> v.targets().listTargets());
    }

    private List<AuditRecord> inventoryApplies() {
        List<AuditRecord> trail = withVault(v -> v.audit().trail(null, 50));
        return trail.stream().filter(a -> RotorRuntime.INVENTORY_APPLY.equals(a.operation())).toList();
    }

    @BeforeEach
    void aHomeWithAnInventory() throws Exception {
        Files.createDirectories(home.resolve("config"));
        Files.writeString(home.resolve("config/inventory.yaml"), """
                targets:
                  - { id: pg, type: postgresql, host: db.example }
                  - { id: legacy, type: mariadb, host: db2.example, tls: disable }
                  - { id: box, type: linux, host: box.example }
                accounts:
                  - { id: app, target: pg, username: app }
                """);
    }

    @Test
    void aOneShotCommandNeverAppliesTheInventory() {
        Run accounts = rotor("accounts");

        assertThat(accounts.exitCode()).as(accounts.err()).isZero();
        assertThat(accounts.out()).contains("0 account(s)");
        assertThat(targets()).isEmpty();
        assertThat(inventoryApplies()).isEmpty();
    }

    @Test
    void inventoryApplyWritesTheInventoryAndLeavesAnAuditRecord() {
        Run applied = rotor("inventory", "apply");

        assertThat(applied.exitCode()).as(applied.err()).isZero();
        assertThat(applied.out()).contains("inventory applied from " + home.resolve("config/inventory.yaml"))
                .contains("3 target(s)").contains("1 account(s) (1 new)");
        assertThat(rotor("accounts").out()).containsPattern("app\\s+pg\\s+app");
        assertThat(inventoryApplies()).singleElement().satisfies(a -> {
                    assertThat(a.actor()).isEqualTo("cli:" + System.getProperty("user.name"));
                    assertThat(a.outcome()).isEqualTo("SUCCEEDED");
                    // the one target whose transport has TLS but runs without it is named in the record
                    assertThat(a.detail()).contains("inventory.yaml").contains("tls: disable on legacy")
                            .doesNotContain("box");
                });
        // a new target that does not say gets verify-full where its transport has TLS
        assertThat(targets()).extracting(Target::id, Target::tlsMode)
                .contains(org.assertj.core.groups.Tuple.tuple("pg", TlsMode.VERIFY_FULL),
                        org.assertj.core.groups.Tuple.tuple("legacy", TlsMode.DISABLE),
                        org.assertj.core.groups.Tuple.tuple("box", TlsMode.DISABLE));
    }

    @Test
    void aRefusedInventoryIsAuditedAndChangesNothing() throws Exception {
        Files.writeString(home.resolve("config/inventory.yaml"), "targets:\n  - { id: pg, type: postgresql }\n");

        Run refused = rotor("inventory", "apply");

        assertThat(refused.exitCode()).isEqualTo(ExitCodes.FAILURE);
        assertThat(refused.err()).contains("inventory.yaml").contains("host");
        assertThat(targets()).isEmpty();
        assertThat(inventoryApplies()).singleElement().satisfies(a -> assertThat(a.outcome()).isEqualTo("FAILED"));
    }

    @Test
    void inventoryApplyWithoutAFileSaysSo() throws Exception {
        Files.delete(home.resolve("config/inventory.yaml"));

        Run missing = rotor("inventory", "apply");

        assertThat(missing.exitCode()).isEqualTo(ExitCodes.FAILURE);
        assertThat(missing.err()).contains("inventory.yaml").contains("not found");
    }

    @Test
    void aOneShotEngineRunsTheJarsRoutesNotTheHomesRouteFiles() throws Exception {
        Path marker = home.resolve("pwned");
        Path routes = Files.createDirectories(home.resolve("routes"));
        Files.writeString(routes.resolve("Pwn.java"), """
                import org.apache.camel.builder.RouteBuilder;

                public class Pwn extends RouteBuilder {
                    @Override
                    public void configure() throws Exception {
                        java.nio.file.Files.writeString(java.nio.file.Path.of("%s"), "pwned");
                        from("direct:pwn").log("pwned");
                    }
                }
                """.formatted(marker));

        Run recover = rotor("recover");

        assertThat(recover.exitCode()).as(recover.err()).isZero();
        assertThat(marker).doesNotExist();
    }
}
