package io.rotor.connector;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;

/**
 * A loopback TCP listener in front of a real target that plays one network fault for {@link ConnectorContract}.
 * It records every byte the client sends (to show what reached the wire) and works on any protocol, encrypted or
 * not: "after the change" is decided by looking at the target itself ({@code applied}), not at the bytes.
 */
public final class FaultProxy implements AutoCloseable {
    /** What the target does. */
    public enum Mode {
        /** Forwards both ways. */
        PASS,
        /** Accepts and closes at once: the target refuses to talk, nothing can be sent. */
        REFUSE,
        /** Accepts and never answers. */
        SILENT,
        /** Answers every connection with an endless stream of text (far more than any connector's limit). */
        FLOOD,
        /** Forwards until the change has been applied on the target, then drops its answer and cuts the connection. */
        CUT_AFTER_CHANGE,
        /** Forwards until the change has been applied on the target, then never answers again (connection kept). */
        HANG_AFTER_CHANGE
    }

    private static final int MAX_RECORDED = 16 << 20;
    private static final long MAX_FLOOD = 256L << 20;

    private final ServerSocket listener;
    private final String host;
    private final int port;
    private final Mode mode;
    private final BooleanSupplier applied;
    private final ByteArrayOutputStream recorded = new ByteArrayOutputStream();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private volatile boolean faultHit;

    /** @param applied true once the change is visible on the target (only the *_AFTER_CHANGE modes ask) */
    public FaultProxy(String host, int port, Mode mode, BooleanSupplier applied) throws IOException {
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.host = host;
        this.port = port;
        this.mode = mode;
        this.applied = applied;
        start(this::accept);
    }

    public int port() {
        return listener.getLocalPort();
    }

    /** Whether the fault happened: a connection was refused, ignored, flooded, or cut/hung after the change. */
    public boolean faultHit() {
        return faultHit;
    }

    /** Everything the client sent, as ISO-8859-1 text (one char per byte: a search for UTF-8 bytes works too). */
    public String clientBytes() {
        synchronized (recorded) {
            return recorded.toString(StandardCharsets.ISO_8859_1);
        }
    }

    /** Whether the UTF-8 bytes of {@code value} appear anywhere in what the client sent. */
    public boolean clientSent(String value) {
        return clientBytes().contains(new String(value.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1));
    }

    private void accept() {
        while (!listener.isClosed()) {
            Socket client;
            try {
                client = listener.accept();
            } catch (IOException e) {
                return;
            }
            sockets.add(client);
            switch (mode) {
                case REFUSE -> {
                    faultHit = true;
                    quietlyClose(client);
                }
                case SILENT -> {
                    faultHit = true;
                    start(() -> record(client));
                }
                case FLOOD -> {
                    faultHit = true;
                    start(() -> record(client));
                    start(() -> flood(client));
                }
                default -> {
                    try {
                        Socket server = new Socket(host, port);
                        sockets.add(server);
                        start(() -> pump(client, server, true));
                        start(() -> pump(server, client, false));
                    } catch (IOException e) {
                        quietlyClose(client);
                    }
                }
            }
        }
    }

    private void record(Socket client) {
        byte[] buffer = new byte[16384];
        try (InputStream in = client.getInputStream()) {
            int n;
            while ((n = in.read(buffer)) > 0) {
                keep(buffer, n);
            }
        } catch (IOException ignored) {
            // the client gave up
        }
    }

    private void flood(Socket client) {
        byte[] line = new byte[1024];
        Arrays.fill(line, (byte) 'x');
        line[line.length - 2] = '\r';
        line[line.length - 1] = '\n';
        try (OutputStream out = client.getOutputStream()) {
            for (long sent = 0; sent < MAX_FLOOD; sent += line.length) {
                out.write(line);
            }
        } catch (IOException ignored) {
            // the client stopped reading: what we want
        } finally {
            quietlyClose(client);
        }
    }

    private void pump(Socket from, Socket to, boolean fromClient) {
        byte[] buffer = new byte[16384];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            int n;
            while ((n = in.read(buffer)) > 0) {
                if (fromClient) {
                    keep(buffer, n);
                } else if (afterChange()) {
                    faultHit = true;
                    if (mode == Mode.CUT_AFTER_CHANGE) {
                        return; // the target's answer is dropped; finally cuts both sides
                    }
                    continue; // HANG_AFTER_CHANGE: the answer never comes
                }
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException ignored) {
            // one side went away
        } finally {
            quietlyClose(from);
            quietlyClose(to);
        }
    }

    private boolean afterChange() {
        if (mode != Mode.CUT_AFTER_CHANGE && mode != Mode.HANG_AFTER_CHANGE) {
            return false;
        }
        if (faultHit) {
            return true;
        }
        try {
            return applied.getAsBoolean();
        } catch (RuntimeException e) {
            return false;
        }
    }

    private void keep(byte[] buffer, int n) {
        synchronized (recorded) {
            if (recorded.size() + n <= MAX_RECORDED) {
                recorded.write(buffer, 0, n);
            }
        }
    }

    private static void start(Runnable body) {
        Thread thread = new Thread(body, "fault-proxy");
        thread.setDaemon(true);
        thread.start();
    }

    private static void quietlyClose(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    @Override
    public void close() {
        try {
            listener.close();
        } catch (IOException ignored) {
            // already closed
        }
        sockets.forEach(FaultProxy::quietlyClose);
    }
}
