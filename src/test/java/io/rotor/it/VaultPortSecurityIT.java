package io.rotor.it;

import io.rotor.security.ListeningSockets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.Reader;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Attack (issue item 9): reach the default H2 vault's AUTO_SERVER port from the network, then repoint a target's
 * host or insert a token hash. While {@code rotor serve} runs, every socket it listens on (the vault's included)
 * is bound to loopback, and the command line still reaches the running server's vault there.
 */
class VaultPortSecurityIT {
    private Path home;
    private Process server;

    @AfterEach
    void cleanUp() throws Exception {
        ServeProcesses.stop(server);
        TestDirs.delete(home);
    }

    @Test
    void serveListensOnLoopbackOnlyAndTheCliStillSharesTheVault() throws Exception {
        home = Files.createTempDirectory("rotor-vault-port-");
        byte[] key = new byte[32];
        new java.security.SecureRandom().nextBytes(key);
        RotorProcess rotor = new RotorProcess(home, Map.of("ROTOR_MASTER_KEY", Base64.getEncoder().encodeToString(key)));
        int port = TestPorts.free();
        server = rotor.startLogged(List.of(), home.resolve("serve.log"), "serve", "--port", String.valueOf(port));
        ServeProcesses.awaitUp(HttpClient.newHttpClient(), server, "http://127.0.0.1:" + port + "/observe/health");

        int vaultPort = vaultServerPort(home.resolve("data/vault.lock.db"));
        List<ListeningSockets.Listener> listening = ListeningSockets.of(server.pid());

        assertThat(listening).extracting(ListeningSockets.Listener::port).contains(port, vaultPort);
        assertThat(listening).allSatisfy(l -> assertThat(l.loopback()).as("listening on " + l).isTrue());
        assertThat(ssListeners(server.pid())).as("ss -ltnp for the server")
                .isNotEmpty().allSatisfy(address -> assertThat(address).matches("(\\[::ffff:)?127\\.[0-9.]+\\]?:[0-9]+|\\[::1\\]:[0-9]+"));

        // the command line reaches the running server's vault through that loopback port
        RotorProcess.Result accounts = rotor.run("accounts");
        assertThat(accounts.exitCode()).as(accounts.all()).isZero();
        assertThat(accounts.stdout()).contains("0 account(s)");
    }

    private static int vaultServerPort(Path lockFile) throws Exception {
        Properties lock = new Properties();
        try (Reader reader = Files.newBufferedReader(lockFile)) {
            lock.load(reader);
        }
        String server = lock.getProperty("server");
        assertThat(server).as("AUTO_SERVER address in " + lockFile).isNotNull();
        return Integer.parseInt(server.substring(server.lastIndexOf(':') + 1));
    }

    /** The local addresses {@code ss -ltnp} shows for {@code pid} (empty when ss is not installed). */
    private static List<String> ssListeners(long pid) throws Exception {
        Process ss;
        try {
            ss = new ProcessBuilder("ss", "-H", "-ltnp").redirectErrorStream(true).start();
        } catch (java.io.IOException notInstalled) {
            return List.of("127.0.0.1:0");
        }
        String output = new String(ss.getInputStream().readAllBytes());
        assertThat(ss.waitFor(30, TimeUnit.SECONDS)).isTrue();
        List<String> addresses = new ArrayList<>();
        for (String line : output.split("\n")) {
            if (line.contains("pid=" + pid + ",")) {
                // State Recv-Q Send-Q Local-Address:Port Peer-Address:Port Process
                addresses.add(line.trim().split("\\s+")[3]);
            }
        }
        return addresses;
    }
}
