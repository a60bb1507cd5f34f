package io.rotor.config;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Attack: start a command from a directory someone else controls, whose {@code config/} points the vault, the
 * inventory or the master key elsewhere. Every relative path resolves against the Rotor home, never against the
 * current directory (the tests run with the checkout as their current directory).
 */
class RotorHomeSecurityTest {
    private static final Path CWD = Path.of("").toAbsolutePath();

    @TempDir
    Path home;

    @AfterEach
    void clearProperty() {
        System.clearProperty(RotorHome.SYSTEM_PROPERTY);
    }

    @Test
    void relativePathSettingsResolveAgainstTheHomeNotTheCurrentDirectory() throws Exception {
        Files.createDirectories(home.resolve("config"));
        Files.writeString(home.resolve("config/application.properties"), """
                rotor.data-dir = vault-files
                rotor.inventory = config/targets.yaml
                rotor.vault.key-file = keys/master.key
                rotor.http.tls.key-store = config/http.p12
                """);

        RotorSettings settings = RotorSettings.load(RotorHome.of(home), null, Map.of());

        Path realHome = home.toAbsolutePath().normalize();
        assertThat(settings.configFile()).isEqualTo(realHome.resolve("config/application.properties"));
        assertThat(settings.dataDir()).isEqualTo(realHome.resolve("vault-files"));
        assertThat(settings.inventoryFile()).isEqualTo(realHome.resolve("config/targets.yaml"));
        assertThat(settings.masterKeyFile()).isEqualTo(realHome.resolve("keys/master.key"));
        assertThat(settings.path("rotor.http.tls.key-store", null)).isEqualTo(realHome.resolve("config/http.p12"));
        assertThat(settings.dataDir().startsWith(CWD)).as("under the current directory").isFalse();
    }

    @Test
    void theDefaultsLiveUnderTheHome() {
        RotorSettings settings = RotorSettings.load(RotorHome.of(home), null, Map.of());

        Path realHome = home.toAbsolutePath().normalize();
        assertThat(settings.dataDir()).isEqualTo(realHome.resolve("data"));
        assertThat(settings.inventoryFile()).isEqualTo(realHome.resolve("config/inventory.yaml"));
        assertThat(settings.masterKeyFile()).isEqualTo(realHome.resolve("data/master.key"));
        assertThat(RotorHome.of(home).routes()).isEqualTo(realHome.resolve("routes"));
    }

    @Test
    void aRelativeConfigOptionAndDataDirOverrideResolveAgainstTheHome() throws Exception {
        Files.writeString(home.resolve("other.properties"), "rotor.inventory = inv.yaml\n");

        RotorSettings settings = RotorSettings.load(RotorHome.of(home), Path.of("other.properties"),
                Map.of("rotor.data-dir", "d"));

        Path realHome = home.toAbsolutePath().normalize();
        assertThat(settings.configFile()).isEqualTo(realHome.resolve("other.properties"));
        assertThat(settings.inventoryFile()).isEqualTo(realHome.resolve("inv.yaml"));
        assertThat(settings.dataDir()).isEqualTo(realHome.resolve("d"));
    }

    @Test
    void theConfigFileOfTheCurrentDirectoryIsNeverRead() {
        // the checkout (the current directory here) has config/application.properties; a home without one reads none
        assertThat(CWD.resolve("config/application.properties")).exists();

        RotorSettings settings = RotorSettings.load(RotorHome.of(home), null, Map.of());

        assertThat(settings.configFile()).startsWithRaw(home.toAbsolutePath().normalize());
        assertThatThrownBy(() -> RotorSettings.load(RotorHome.of(home), Path.of("config/application.properties"), Map.of()))
                .hasMessageContaining(home.toAbsolutePath().normalize().resolve("config/application.properties").toString())
                .hasMessageContaining("does not exist");
    }

    @Test
    void theHomeComesFromTheOptionThenThePropertyThenTheEnvironmentThenTheJarsPlace() throws Exception {
        Path a = Files.createDirectory(home.resolve("a"));
        Path b = Files.createDirectory(home.resolve("b"));
        Path c = Files.createDirectory(home.resolve("c"));

        System.setProperty(RotorHome.SYSTEM_PROPERTY, b.toString());
        assertThat(RotorHome.resolve(a, Map.of(RotorHome.ENV_VARIABLE, c.toString())).dir()).isEqualTo(a);
        assertThat(RotorHome.resolve(null, Map.of(RotorHome.ENV_VARIABLE, c.toString())).dir()).isEqualTo(b);
        System.clearProperty(RotorHome.SYSTEM_PROPERTY);
        assertThat(RotorHome.resolve(null, Map.of(RotorHome.ENV_VARIABLE, c.toString())).dir()).isEqualTo(c);
        // unpacked classes in target/classes: the directory above target/, the checkout, whatever the current directory
        assertThat(RotorHome.resolve(null, Map.of()).dir()).isEqualTo(RotorHome.besideTheJar().toAbsolutePath().normalize());
        assertThat(RotorHome.besideTheJar().resolve("pom.xml")).exists();
    }

    @Test
    void aMissingHomeIsRefusedByName() {
        Path missing = home.resolve("nowhere");

        assertThatThrownBy(() -> RotorHome.resolve(null, Map.of(RotorHome.ENV_VARIABLE, missing.toString())))
                .hasMessageContaining(missing.toString()).hasMessageContaining("not a directory");
    }
}
