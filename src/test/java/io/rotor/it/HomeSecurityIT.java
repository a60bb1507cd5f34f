package io.rotor.it;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.http.HttpClient;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Attack (issue item 4): leave {@code routes/Pwn.java} and a {@code config/} in a folder and wait for an operator to
 * run {@code rotor} there. Rotor reads its home ({@code ROTOR_HOME}), never the current directory; a one-shot
 * command never loads route files; {@code serve} refuses route files that others can write. The last test is the
 * control: the same Pwn.java, loaded the legitimate way by {@code serve}, does write its file.
 */
class HomeSecurityIT {
    private Path home;
    private Path workDir;
    private Path marker;
    private Map<String, String> env;
    private Process server;

    @BeforeEach
    void aHomeAndAPlantedFolder() throws Exception {
        home = Files.createTempDirectory("rotor-home-sec-");
        workDir = Files.createTempDirectory("rotor-w-");
        marker = Files.createTempDirectory("rotor-marker-").resolve("pwned");
        Files.createDirectories(workDir.resolve("routes"));
        Files.writeString(workDir.resolve("routes/Pwn.java"), pwn(marker));
        Files.createDirectories(workDir.resolve("config"));
        Files.writeString(workDir.resolve("config/inventory.yaml"), """
                targets:
                  - { id: evil, type: postgresql, host: attacker.example, tls: disable }
                accounts:
                  - { id: planted, target: evil, username: postgres }
                """);
        Files.writeString(workDir.resolve("config/application.properties"), "rotor.data-dir = data\n");
        byte[] key = new byte[32];
        new java.security.SecureRandom().nextBytes(key);
        env = Map.of("ROTOR_MASTER_KEY", Base64.getEncoder().encodeToString(key), "ROTOR_HOME", home.toString());
    }

    @AfterEach
    void cleanUp() throws Exception {
        ServeProcesses.stop(server);
        TestDirs.delete(home);
        TestDirs.delete(workDir);
        TestDirs.delete(marker.getParent());
    }

    static String pwn(Path marker) {
        return """
                import org.apache.camel.builder.RouteBuilder;

                public class Pwn extends RouteBuilder {
                    @Override
                    public void configure() throws Exception {
                        java.nio.file.Files.writeString(java.nio.file.Path.of("%s"), "pwned");
                        from("direct:pwn").log("pwned");
                    }
                }
                """.formatted(marker);
    }

    @Test
    void oneShotCommandsRunFromAPlantedFolderLoadNothingFromIt() throws Exception {
        RotorProcess rotor = new RotorProcess(workDir, env);

        RotorProcess.Result accounts = rotor.run("accounts");
        // recover starts the engine with the workflow routes: the ones in the jar
        RotorProcess.Result recover = rotor.run("recover");

        assertThat(accounts.exitCode()).as(accounts.all()).isZero();
        assertThat(accounts.stdout()).contains("0 account(s)").doesNotContain("planted");
        assertThat(recover.exitCode()).as(recover.all()).isZero();
        assertThat(marker).as("Pwn.java in the current directory ran").doesNotExist();
        assertThat(workDir.resolve("data")).as("the vault was created in the current directory").doesNotExist();
        assertThat(home.resolve("data/vault.mv.db")).exists();
    }

    @Test
    void oneShotCommandsDoNotCompileTheHomesRouteFilesEither() throws Exception {
        Files.createDirectories(home.resolve("routes"));
        Files.writeString(home.resolve("routes/Pwn.java"), pwn(marker));
        RotorProcess rotor = new RotorProcess(workDir, env);

        RotorProcess.Result recover = rotor.run("recover");

        assertThat(recover.exitCode()).as(recover.all()).isZero();
        assertThat(marker).doesNotExist();
    }

    @Test
    void serveRefusesAGroupWritableRouteFileAndNamesTheFix() throws Exception {
        Path routes = copyOfTheShippedRoutes();
        Path planted = Files.writeString(routes.resolve("Pwn.java"), pwn(marker));
        Files.setPosixFilePermissions(planted, PosixFilePermissions.fromString("rw-rw-r--"));
        RotorProcess rotor = new RotorProcess(workDir, env);

        Process refused = rotor.start(List.of(), "serve", "--port", String.valueOf(TestPorts.free()));
        RotorProcess.Result result = rotor.finish(refused, new byte[0], 120);

        assertThat(result.exitCode()).as(result.all()).isEqualTo(78);
        assertThat(result.stderr()).contains("rotor: refusing to load route files").contains(planted.toString())
                .contains("chmod go-w " + planted).doesNotContain("\tat ");
        assertThat(marker).doesNotExist();
        assertThat(home.resolve("data")).as("refused before the vault was opened").doesNotExist();
    }

    @Test
    void controlServeLoadsTheHomesOwnRouteFilesWhenOnlyTheirOwnerCanWriteThem() throws Exception {
        Path routes = copyOfTheShippedRoutes();
        Files.setPosixFilePermissions(Files.writeString(routes.resolve("Pwn.java"), pwn(marker)),
                PosixFilePermissions.fromString("rw-r--r--"));
        RotorProcess rotor = new RotorProcess(workDir, env);
        int port = TestPorts.free();

        server = rotor.startLogged(List.of(), home.resolve("serve.log"), "serve", "--port", String.valueOf(port));
        ServeProcesses.awaitUp(HttpClient.newHttpClient(), server, "http://127.0.0.1:" + port + "/observe/health");

        assertThat(marker).as("the route file that the test plants elsewhere does run when loaded").exists();
        // serve applied the home's inventory (there is none), not the planted folder's
        assertThat(Files.readString(home.resolve("serve.log"))).contains("home " + home)
                .contains("inventory absent (" + home.resolve("config/inventory.yaml") + ")");
    }

    /** The home's routes/: the repository's workflow routes, as a checkout has them (0755 folder, 0644 files). */
    private Path copyOfTheShippedRoutes() throws Exception {
        Path routes = Files.createDirectories(home.resolve("routes"));
        Files.setPosixFilePermissions(routes, PosixFilePermissions.fromString("rwxr-xr-x"));
        try (DirectoryStream<Path> shipped = Files.newDirectoryStream(Path.of("routes"), "*.camel.yaml")) {
            for (Path file : shipped) {
                Path copy = Files.copy(file, routes.resolve(file.getFileName()));
                Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("rw-r--r--"));
            }
        }
        return routes;
    }
}
