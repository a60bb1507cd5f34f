package io.rotor.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A loopback TCP proxy to a real server that can be cut (every connection closed, new ones refused at once) and
 * restored: a target going away in the middle of a run, and coming back. {@code delayMillis} slows each chunk the
 * client sends, so that a run over it lasts long enough to be cut in the middle.
 */
final class SwitchableProxy implements AutoCloseable {
    private final ServerSocket listener;
    private final String host;
    private final int port;
    private final long delayMillis;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private volatile boolean cut;

    SwitchableProxy(String host, int port, long delayMillis) throws IOException {
        this.listener = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
        this.host = host;
        this.port = port;
        this.delayMillis = delayMillis;
        Thread acceptor = new Thread(this::accept, "switchable-proxy");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return listener.getLocalPort();
    }

    /** The target goes away: open connections are closed, new ones are closed as soon as they are accepted. */
    void cut() {
        cut = true;
        sockets.forEach(SwitchableProxy::quietlyClose);
        sockets.clear();
    }

    /** The target is back. */
    void restore() {
        cut = false;
    }

    private void accept() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                if (cut) {
                    quietlyClose(client);
                    continue;
                }
                Socket server = new Socket(host, port);
                sockets.add(client);
                sockets.add(server);
                start(() -> pump(client, server, delayMillis));
                start(() -> pump(server, client, 0));
            } catch (IOException e) {
                if (listener.isClosed()) {
                    return;
                }
            }
        }
    }

    private static void start(Runnable body) {
        Thread thread = new Thread(body, "switchable-proxy-pump");
        thread.setDaemon(true);
        thread.start();
    }

    private static void pump(Socket from, Socket to, long delayMillis) {
        byte[] buffer = new byte[16384];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            int n;
            while ((n = in.read(buffer)) > 0) {
                if (delayMillis > 0) {
                    Thread.sleep(delayMillis);
                }
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException ignored) {
            // one side went away
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            quietlyClose(from);
            quietlyClose(to);
        }
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
        cut();
        listener.close();
    }
}
