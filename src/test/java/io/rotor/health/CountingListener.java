package io.rotor.health;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.TimeUnit;

/**
 * A stand-in target on loopback that counts the TCP connections it receives. {@link #settledCount()} makes one
 * connection of its own, marked by a byte, and waits until it has been accepted: connections are accepted in the
 * order they arrive, so every connection made before it has been counted by then.
 */
public final class CountingListener implements AutoCloseable {
    private static final int SENTINEL = 'S';
    private final ServerSocket server;
    private final Object lock = new Object();
    private int connections;
    private int sentinels;

    public CountingListener() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::acceptAll, "counting-listener");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    private void acceptAll() {
        while (!server.isClosed()) {
            try (Socket socket = server.accept()) {
                socket.setSoTimeout(2_000);
                int first;
                try {
                    first = socket.getInputStream().read();
                } catch (IOException silent) {
                    first = -1;
                }
                synchronized (lock) {
                    if (first == SENTINEL) {
                        sentinels++;
                    } else {
                        connections++;
                    }
                    lock.notifyAll();
                }
            } catch (IOException closed) {
                return;
            }
        }
    }

    public int port() {
        return server.getLocalPort();
    }

    /** Connections (other than this class's own sentinels) received before this call. */
    public int settledCount() throws Exception {
        int expected;
        synchronized (lock) {
            expected = sentinels + 1;
        }
        try (Socket sentinel = new Socket(InetAddress.getLoopbackAddress(), port())) {
            sentinel.getOutputStream().write(SENTINEL);
            sentinel.getOutputStream().flush();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            synchronized (lock) {
                while (sentinels < expected) {
                    long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                    if (left <= 0) {
                        throw new AssertionError("the listener did not accept the sentinel connection");
                    }
                    lock.wait(left);
                }
                return connections;
            }
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
