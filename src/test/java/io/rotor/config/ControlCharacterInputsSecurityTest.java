package io.rotor.config;

import io.rotor.cli.ExitCodes;
import io.rotor.cli.RotorCommand;
import io.rotor.domain.Slot;
import io.rotor.vault.MasterKey;
import io.rotor.vault.Vault;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The kill-line value ({@code \u0015root:Pwned1!}) on the other ways a credential enters Rotor: the command line
 * ({@code rotor set --value-stdin}), the inventory's {@code initialSecretEnv}, and a policy's symbol set. Each is
 * refused with the reason, never the value, before anything is stored.
 */
class ControlCharacterInputsSecurityTest {
    private static final String ATTACK = "\u0015root:Pwned1!";

    @TempDir
    Path dir;

    @Test
    void theCommandLineRefusesItBeforeOpeningAnything() {
        InputStream in = System.in;
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        Path dataDir = dir.resolve("never-created");
        int exit;
        try {
            System.setIn(new ByteArrayInputStream((ATTACK + "\n").getBytes(StandardCharsets.UTF_8)));
            System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
            exit = RotorCommand.execute("set", "--account", "bob", "--value-stdin", "--data-dir", dataDir.toString());
        } finally {
            System.setIn(in);
            System.setErr(err);
        }
        String message = captured.toString(StandardCharsets.UTF_8);
        assertThat(exit).isEqualTo(ExitCodes.FAILURE);
        assertThat(message).contains("control character (^U, U+0015)").contains("position 1")
                .doesNotContain("Pwned").doesNotContain("root:");
        assertThat(dataDir).doesNotExist();
    }

    @Test
    void theInventoryRefusesItAsAnInitialSecretAndStoresNothing() {
        Inventory inventory = InventoryLoader.parse("inline", """
                targets:
                  - id: unix
                    type: ssh
                    host: 127.0.0.1
                    settings: { knownHosts: /tmp/known_hosts }
                accounts:
                  - id: bob
                    target: unix
                    username: bob
                    initialSecretEnv: BOB_PASSWORD
                """);
        try (Vault vault = Vault.open(null, null, null, dir, MasterKey.load(null, dir.resolve("master.key")), 2)) {
            InventoryApplier applier = new InventoryApplier(vault, Map.of("BOB_PASSWORD", ATTACK));
            assertThatThrownBy(() -> applier.apply(inventory))
                    .hasMessageContaining("BOB_PASSWORD").hasMessageContaining("^U, U+0015")
                    .hasMessageNotContaining("Pwned");
            assertThat(vault.credentials().read("bob", Slot.CURRENT)).isEmpty();
        }
    }

    @Test
    void aPolicyWhoseSymbolsHoldAControlCharacterIsRefused() {
        assertThatThrownBy(() -> InventoryLoader.parse("inline", """
                policies:
                  - id: p
                    minLength: 20
                    symbols: "!#\\u0015"
                """)).hasMessageContaining("symbols").hasMessageContaining("control characters");
    }
}
