package io.rotor.it;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A free TCP port for a server a test starts. Chosen below Linux's ephemeral range (32768+): a port taken from
 * {@code new ServerSocket(0)} and released can be handed out again at once to any other socket bound to port 0
 * (H2's AUTO_SERVER listener, a JDBC connection), which then answers the test's HTTP requests.
 */
public final class TestPorts {
    private TestPorts() {
    }

    public static int free() {
        for (int attempt = 0; attempt < 200; attempt++) {
            int port = ThreadLocalRandom.current().nextInt(20_000, 32_000);
            try (ServerSocket probe = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                probe.setReuseAddress(true);
                return port;
            } catch (IOException taken) {
                // try another
            }
        }
        throw new IllegalStateException("no free TCP port found between 20000 and 32000");
    }
}
