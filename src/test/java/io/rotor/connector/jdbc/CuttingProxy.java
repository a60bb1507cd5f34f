package io.rotor.connector.jdbc;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A loopback TCP proxy to a real server that forwards everything until the client sends a statement
 * containing one of the given markers (plain-text protocol only): it forwards that statement to the server,
 * so the server really receives and runs it, drops the server's answer and cuts the client off. This is what a
 * network failure right after "ALTER ... was sent" looks like to the client.
 */
public final class CuttingProxy implements AutoCloseable {
    private final ServerSocket listener;
    private final String targetHost;
    private final int targetPort;
    private final List<byte[]> markers;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final AtomicBoolean cut = new AtomicBoolean();

    public CuttingProxy(String targetHost, int targetPort, String... markers) throws IOException {
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        this.markers = java.util.Arrays.stream(markers).map(m -> m.getBytes(StandardCharsets.UTF_8)).toList();
        Thread acceptor = new Thread(this::accept, "cutting-proxy");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public int port() {
        return listener.getLocalPort();
    }

    /** Whether a marked statement went through and the connection was cut. */
    public boolean didCut() {
        return cut.get();
    }

    private void accept() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                Socket server = new Socket(targetHost, targetPort);
                sockets.add(client);
                sockets.add(server);
                AtomicBoolean dropping = new AtomicBoolean();
                start(() -> pump(client, server, true, dropping));
                start(() -> pump(server, client, false, dropping));
            } catch (IOException e) {
                return;
            }
        }
    }

    private static void start(Runnable body) {
        Thread thread = new Thread(body, "cutting-proxy-pump");
        thread.setDaemon(true);
        thread.start();
    }

    private void pump(Socket from, Socket to, boolean clientToServer, AtomicBoolean dropping) {
        byte[] buffer = new byte[16384];
        byte[] tail = new byte[0];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            int n;
            while ((n = in.read(buffer)) > 0) {
                if (!clientToServer) {
                    if (dropping.get()) {
                        continue; // the server's answer to the marked statement never reaches the client
                    }
                    out.write(buffer, 0, n);
                    out.flush();
                    continue;
                }
                byte[] window = new byte[tail.length + n];
                System.arraycopy(tail, 0, window, 0, tail.length);
                System.arraycopy(buffer, 0, window, tail.length, n);
                boolean marked = markers.stream().anyMatch(m -> indexOf(window, m) >= 0);
                if (marked) {
                    dropping.set(true);
                }
                out.write(buffer, 0, n);
                out.flush();
                if (marked) {
                    cut.set(true);
                    // let the server read and run it (its answer is dropped), then cut the client off
                    sleepQuietly(300);
                    quietlyClose(from);
                    sleepQuietly(100);
                    quietlyClose(to);
                    return;
                }
                int keep = Math.min(window.length, 64);
                tail = java.util.Arrays.copyOfRange(window, window.length - keep, window.length);
            }
        } catch (IOException ignored) {
            // one side went away
        } finally {
            quietlyClose(from);
            quietlyClose(to);
        }
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static void quietlyClose(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
        for (Socket socket : sockets) {
            quietlyClose(socket);
        }
    }
}
