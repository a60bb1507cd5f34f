package io.rotor.connector.ssh;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A dialogue over telnet (RFC 854): a plain TCP socket; option negotiation answered minimally (the server may
 * echo and suppress go-ahead, everything else is refused), IAC bytes in data doubled, lines end with CR LF.
 */
final class TelnetChannel implements DialogueChannel {
    private static final int IAC = 255, DONT = 254, DO = 253, WONT = 252, WILL = 251, SB = 250, SE = 240;
    private static final int ECHO = 1, SGA = 3;

    private final Socket socket;
    private final OutputStream out;
    private final OutputBuffer output = new OutputBuffer();
    private final Thread reader;

    TelnetChannel(String host, int port, Duration connectTimeout) throws IOException {
        socket = new Socket();
        socket.connect(new InetSocketAddress(host, port), (int) connectTimeout.toMillis());
        out = socket.getOutputStream();
        InputStream in = socket.getInputStream();
        reader = new Thread(() -> pump(in), "telnet-" + host + ":" + port);
        reader.setDaemon(true);
        reader.start();
    }

    private void pump(InputStream in) {
        try {
            ByteArrayOutputStream data = new ByteArrayOutputStream();
            byte[] buf = new byte[4096];
            int state = 0; // 0 data, 1 after IAC, 2 after DO/DONT/WILL/WONT, 3 in SB, 4 IAC in SB
            int verb = 0;
            int n;
            while ((n = in.read(buf)) >= 0) {
                for (int i = 0; i < n; i++) {
                    int b = buf[i] & 0xff;
                    switch (state) {
                        case 0 -> {
                            if (b == IAC) {
                                state = 1;
                            } else {
                                data.write(b);
                            }
                        }
                        case 1 -> {
                            if (b == IAC) {
                                data.write(b);
                                state = 0;
                            } else if (b == DO || b == DONT || b == WILL || b == WONT) {
                                verb = b;
                                state = 2;
                            } else if (b == SB) {
                                state = 3;
                            } else {
                                state = 0;
                            }
                        }
                        case 2 -> {
                            answer(verb, b);
                            state = 0;
                        }
                        case 3 -> state = b == IAC ? 4 : 3;
                        case 4 -> state = b == SE ? 0 : 3;
                        default -> state = 0;
                    }
                }
                if (data.size() > 0) {
                    byte[] bytes = data.toByteArray();
                    output.write(bytes, 0, bytes.length);
                    data.reset();
                }
            }
        } catch (IOException e) {
            // closed
        } finally {
            output.end();
        }
    }

    private synchronized void answer(int verb, int option) throws IOException {
        int reply;
        if (verb == DO) {
            reply = WONT;
        } else if (verb == WILL) {
            reply = option == ECHO || option == SGA ? DO : DONT;
        } else {
            return; // DONT / WONT: we enable nothing, nothing to confirm
        }
        out.write(new byte[]{(byte) IAC, (byte) reply, (byte) option});
        out.flush();
    }

    @Override
    public OutputBuffer output() {
        return output;
    }

    @Override
    public synchronized void sendLine(String line) throws IOException {
        byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream b = new ByteArrayOutputStream(bytes.length + 2);
        for (byte x : bytes) {
            b.write(x);
            if ((x & 0xff) == IAC) {
                b.write(x);
            }
        }
        b.write('\r');
        b.write('\n');
        out.write(b.toByteArray());
        out.flush();
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // nothing to do
        }
        output.end();
    }
}
