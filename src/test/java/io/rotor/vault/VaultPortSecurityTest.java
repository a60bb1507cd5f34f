package io.rotor.vault;

import io.rotor.security.ListeningSockets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Attack: reach the default H2 vault over its AUTO_SERVER port from another machine, then repoint a target or add
 * a token hash. The port exists only on loopback: H2 is told to bind there before it first loads, and AUTO_SERVER
 * is left out when it cannot be.
 */
class VaultPortSecurityTest {
    @TempDir
    Path dataDir;

    @Test
    void autoServerIsOnlyOfferedOnLoopback() {
        String url = Vault.h2Url(dataDir);

        boolean pinned = "127.0.0.1".equals(org.h2.engine.SysProperties.BIND_ADDRESS);
        assertThat(url.contains("AUTO_SERVER=TRUE")).as(url).isEqualTo(pinned);
        assertThat(System.getProperty("h2.bindAddress")).isEqualTo("127.0.0.1");
    }

    @Test
    void theVaultsTcpPortListensOnLoopbackOnly() throws Exception {
        try (Vault vault = Vault.open(null, null, null, dataDir, MasterKey.load(null, dataDir.resolve("master.key")), 2)) {
            assertThat(vault.targets().listTargets()).isEmpty();
            Properties lock = new Properties();
            try (Reader reader = Files.newBufferedReader(dataDir.resolve("vault.lock.db"))) {
                lock.load(reader);
            }
            String server = lock.getProperty("server");
            if (server == null) {
                // H2 was loaded before the bind address could be pinned: then no port at all
                assertThat(Vault.h2Url(dataDir)).doesNotContain("AUTO_SERVER");
                return;
            }
            int port = Integer.parseInt(server.substring(server.lastIndexOf(':') + 1));
            List<ListeningSockets.Listener> onThatPort = ListeningSockets.of(ProcessHandle.current().pid()).stream()
                    .filter(l -> l.port() == port).toList();
            assertThat(onThatPort).as("the vault's AUTO_SERVER socket").isNotEmpty()
                    .allSatisfy(l -> assertThat(l.loopback()).as(l.toString()).isTrue());
        }
    }
}
