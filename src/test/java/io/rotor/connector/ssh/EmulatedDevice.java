package io.rotor.connector.ssh;

import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.server.Environment;
import org.apache.sshd.server.ExitCallback;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;
import org.apache.sshd.server.keyprovider.SimpleGeneratorHostKeyProvider;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A scripted network device for tests: the command line of one device family (Cisco IOS, PIX, CatOS, HP ProCurve,
 * HP iLO, Juniper ScreenOS) behind an in-process MINA SSH server (password logins against the device's user
 * table, a shell on a pseudo-terminal) and a small telnet server (IAC WILL ECHO / SGA, {@code Username:} and
 * {@code Password:} prompts). It behaves like a terminal: it echoes what is typed (not at password prompts), ends
 * a line at CR or LF, and on families with a help key it answers {@code ?} with help and drops the {@code ?}
 * from the line, as IOS does.
 */
final class EmulatedDevice implements AutoCloseable {
    enum Family {
        IOS("edge-rtr-01", true), PIX("pix-fw", true), CATOS("Console", true), PROCURVE("ProCurve Switch 2510-24", true),
        ILO("hpiLO", false), SCREENOS("ns5gt", true);

        final String host;
        final boolean helpKey;

        Family(String host, boolean helpKey) {
            this.host = host;
            this.helpKey = helpKey;
        }
    }

    final Family family;
    /** username → password, what the device's configuration holds. */
    final Map<String, String> users = new ConcurrentHashMap<>();
    final String enableSecret;
    /** How many times the configuration was saved (copy run start, write memory, save). */
    volatile int saves;
    private SshServer ssh;
    private ServerSocket telnet;
    private Path knownHosts;

    EmulatedDevice(Family family, String enableSecret) {
        this.family = family;
        this.enableSecret = enableSecret;
    }

    // ---------------------------------------------------------------- servers

    /** Starts the SSH server on a free loopback port and writes a known_hosts file for it into {@code dir}. */
    int startSsh(Path dir) throws IOException {
        ssh = SshServer.setUpDefaultServer();
        ssh.setHost("127.0.0.1");
        ssh.setPort(0);
        SimpleGeneratorHostKeyProvider keys = new SimpleGeneratorHostKeyProvider(dir.resolve("device-host-key"));
        ssh.setKeyPairProvider(keys);
        ssh.setPasswordAuthenticator((user, password, session) -> password.equals(users.get(user)));
        ssh.setShellFactory(channel -> new Shell());
        ssh.start();
        KeyPair hostKey = keys.loadKeys(null).iterator().next();
        knownHosts = dir.resolve("device_known_hosts");
        Files.writeString(knownHosts, "[127.0.0.1]:" + ssh.getPort() + " " + PublicKeyEntry.toString(hostKey.getPublic()) + "\n");
        return ssh.getPort();
    }

    Path knownHosts() {
        return knownHosts;
    }

    /** Starts the telnet server on a free loopback port. */
    int startTelnet() throws IOException {
        telnet = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(() -> {
            while (!telnet.isClosed()) {
                try {
                    Socket s = telnet.accept();
                    Thread t = new Thread(() -> telnetSession(s), "device-telnet");
                    t.setDaemon(true);
                    t.start();
                } catch (IOException e) {
                    return;
                }
            }
        }, "device-telnet-accept");
        acceptor.setDaemon(true);
        acceptor.start();
        return telnet.getLocalPort();
    }

    @Override
    public void close() throws IOException {
        if (ssh != null) {
            ssh.stop(true);
        }
        if (telnet != null) {
            telnet.close();
        }
    }

    private static final int IAC = 255, WILL = 251, ECHO = 1, SGA = 3;

    private void telnetSession(Socket socket) {
        try (socket) {
            OutputStream out = socket.getOutputStream();
            out.write(new byte[]{(byte) IAC, (byte) WILL, ECHO, (byte) IAC, (byte) WILL, SGA});
            Terminal term = new Terminal(new TelnetInput(socket.getInputStream()), out, false);
            term.print("\r\nUser Access Verification\r\n\r\n");
            for (int attempt = 0; attempt < 3; attempt++) {
                term.print("Username: ");
                String user = term.readLine(true);
                term.print("Password: ");
                String password = term.readLine(false);
                if (user == null || password == null) {
                    return;
                }
                if (password.equals(users.get(user))) {
                    new Cli(term).run();
                    return;
                }
                term.print("% Login invalid\r\n\r\n");
            }
        } catch (IOException e) {
            // connection closed
        }
    }

    /** Strips telnet commands (IAC sequences) from the client's bytes. */
    private static final class TelnetInput extends InputStream {
        private final InputStream in;

        TelnetInput(InputStream in) {
            this.in = in;
        }

        @Override
        public int read() throws IOException {
            while (true) {
                int b = in.read();
                if (b != IAC) {
                    return b;
                }
                int verb = in.read();
                if (verb == IAC) {
                    return IAC;
                }
                if (verb >= 251 && verb <= 254) {
                    in.read(); // the option
                } else if (verb == 250) { // SB ... IAC SE
                    int prev = 0;
                    int x;
                    while ((x = in.read()) >= 0 && !(prev == IAC && x == 240)) {
                        prev = x;
                    }
                }
            }
        }
    }

    /** The SSH shell: the device's command line on the channel's streams. */
    private final class Shell implements Command {
        private InputStream in;
        private OutputStream out;
        private ExitCallback exit;

        @Override
        public void setInputStream(InputStream in) {
            this.in = in;
        }

        @Override
        public void setOutputStream(OutputStream out) {
            this.out = out;
        }

        @Override
        public void setErrorStream(OutputStream err) {
        }

        @Override
        public void setExitCallback(ExitCallback callback) {
            exit = callback;
        }

        @Override
        public void start(ChannelSession channel, Environment env) {
            Thread t = new Thread(() -> {
                try {
                    new Cli(new Terminal(in, out, true)).run();
                } catch (IOException e) {
                    // closed
                } finally {
                    exit.onExit(0);
                }
            }, "device-ssh-shell");
            t.setDaemon(true);
            t.start();
        }

        @Override
        public void destroy(ChannelSession channel) {
        }
    }

    // ---------------------------------------------------------------- terminal

    /** Echo, line ends at CR or LF (CR LF counts once), and the help key. */
    private final class Terminal {
        private final InputStream in;
        private final OutputStream out;
        private final boolean crlfOut;
        private int last = -1;
        /** What the help key re-displays: the prompt of the line being typed. */
        String prompt = "";

        Terminal(InputStream in, OutputStream out, boolean crlfOut) {
            this.in = in;
            this.out = out;
            this.crlfOut = crlfOut;
        }

        void print(String s) throws IOException {
            out.write(s.getBytes(StandardCharsets.UTF_8));
            out.flush();
        }

        /** A line, or null at the end of input. {@code visible}: echoed, and {@code ?} is the help key. */
        String readLine(boolean visible) throws IOException {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            while (true) {
                int b = in.read();
                if (b < 0) {
                    return null;
                }
                if (b == '\n' && last == '\r') {
                    last = b;
                    continue;
                }
                last = b;
                if (b == '\r' || b == '\n' || b == 0) {
                    if (visible) {
                        print("\r\n");
                    }
                    return line.toString(StandardCharsets.UTF_8);
                }
                if (visible && b == '?' && family.helpKey) {
                    // IOS: the help list, then the line again without the '?'
                    print("?\r\n  LINE    <cr>\r\n\r\n" + prompt + line.toString(StandardCharsets.UTF_8));
                    continue;
                }
                line.write(b);
                if (visible) {
                    out.write(b);
                    out.flush();
                }
            }
        }
    }

    // ---------------------------------------------------------------- command line

    private static final Pattern IOS_USERNAME = Pattern.compile("username (\\S+) (?:secret|password) (\\S+)(?: privilege \\d+)?");
    private static final Pattern CATOS_USER = Pattern.compile("set localuser user (\\S+) password (\\S+)(?: privilege \\d+)?");
    private static final Pattern PROCURVE_USER = Pattern.compile("password manager user-name (\\S+) plaintext (\\S+)");
    private static final Pattern SCREENOS_USER = Pattern.compile("set admin user (\\S+) password (\\S+) privilege all");
    private static final Pattern ILO_USER = Pattern.compile("set /map1/accounts1/(\\S+) password=(\\S+)");

    private enum Mode { USER, ENABLE_PASSWORD, PRIVILEGED, CONFIG, COPY_DESTINATION }

    private final class Cli {
        private final Terminal term;
        private Mode mode;

        Cli(Terminal term) {
            this.term = term;
            mode = switch (family) {
                case IOS, PIX, CATOS -> Mode.USER;
                case PROCURVE, ILO, SCREENOS -> Mode.PRIVILEGED;
            };
        }

        String prompt() {
            String h = family.host;
            return switch (family) {
                case IOS, PIX, PROCURVE -> switch (mode) {
                    case USER -> h + ">";
                    case PRIVILEGED -> h + "#";
                    case CONFIG -> h + "(config)#";
                    default -> "";
                };
                case CATOS -> mode == Mode.USER ? h + "> " : h + "> (enable) ";
                case ILO -> "</>hpiLO-> ";
                case SCREENOS -> h + "-> ";
            };
        }

        void run() throws IOException {
            while (true) {
                if (mode == Mode.ENABLE_PASSWORD) {
                    term.print(family == Family.CATOS ? "Enter password: " : "Password: ");
                } else if (mode == Mode.COPY_DESTINATION) {
                    term.print("Destination filename [startup-config]? ");
                } else {
                    term.prompt = prompt();
                    term.print(term.prompt);
                }
                boolean hidden = mode == Mode.ENABLE_PASSWORD;
                String line = term.readLine(!hidden);
                if (line == null || (!hidden && (line.equals("exit") || line.equals("logout")) && mode != Mode.CONFIG)) {
                    return;
                }
                handle(hidden ? line : line.strip());
            }
        }

        private void handle(String line) throws IOException {
            switch (mode) {
                case USER -> {
                    if (line.equals("enable")) {
                        mode = Mode.ENABLE_PASSWORD;
                    } else if (!line.isEmpty()) {
                        invalid();
                    }
                }
                case ENABLE_PASSWORD -> {
                    if (line.equals(enableSecret)) {
                        mode = Mode.PRIVILEGED;
                    } else {
                        term.print(family == Family.CATOS ? "Sorry password incorrect.\r\n" : "% Access denied\r\n\r\n");
                        mode = Mode.USER;
                    }
                }
                case PRIVILEGED -> privileged(line);
                case CONFIG -> config(line);
                case COPY_DESTINATION -> {
                    saves++;
                    term.print("Building configuration...\r\n[OK]\r\n");
                    mode = Mode.PRIVILEGED;
                }
            }
        }

        private void privileged(String line) throws IOException {
            Matcher m;
            switch (family) {
                case IOS, PIX, PROCURVE -> {
                    if (line.equals("configure terminal") || (family == Family.PROCURVE && line.equals("configure"))) {
                        if (family != Family.PROCURVE) {
                            term.print("Enter configuration commands, one per line.  End with CNTL/Z.\r\n");
                        }
                        mode = Mode.CONFIG;
                    } else if (line.equals("copy running-config startup-config") && family == Family.IOS) {
                        mode = Mode.COPY_DESTINATION;
                    } else if (line.equals("write memory")) {
                        saves++;
                        term.print("Building configuration...\r\nCryptochecksum: 3c7a 1d4f\r\n[OK]\r\n");
                    } else if (!line.isEmpty()) {
                        invalid();
                    }
                }
                case CATOS -> {
                    if ((m = CATOS_USER.matcher(line)).matches()) {
                        users.put(m.group(1), m.group(2));
                        term.print("Local user " + m.group(1) + " modified.\r\n");
                    } else if (!line.isEmpty()) {
                        term.print("Unknown command \"" + line + "\".  Use 'help' for more info.\r\n");
                    }
                }
                case SCREENOS -> {
                    if ((m = SCREENOS_USER.matcher(line)).matches()) {
                        users.put(m.group(1), m.group(2));
                    } else if (line.equals("save")) {
                        saves++;
                        term.print("Save system configuration ...\r\nDone.\r\n");
                    } else if (!line.isEmpty()) {
                        term.print("unknown keyword " + line.split(" ")[0] + "\r\n");
                    }
                }
                case ILO -> {
                    if ((m = ILO_USER.matcher(line)).matches()) {
                        users.put(m.group(1), m.group(2));
                        term.print("status=0\r\nstatus_tag=COMMAND COMPLETED\r\n\r\n");
                    } else if (!line.isEmpty()) {
                        term.print("status=2\r\nstatus_tag=COMMAND PROCESSING FAILED\r\nerror_tag=COMMAND NOT RECOGNIZED\r\n\r\n");
                    }
                }
            }
        }

        private void config(String line) throws IOException {
            Matcher m;
            if (line.equals("end") || line.equals("exit")) {
                mode = Mode.PRIVILEGED;
                if (family == Family.IOS) {
                    term.print("\r\n*Mar  1 00:12:33.123: %SYS-5-CONFIG_I: Configured from console by vty0\r\n");
                }
            } else if (family == Family.PROCURVE && (m = PROCURVE_USER.matcher(line)).matches()) {
                users.put(m.group(1), m.group(2));
            } else if (family == Family.PROCURVE && line.equals("write memory")) {
                saves++;
            } else if (family != Family.PROCURVE && (m = IOS_USERNAME.matcher(line)).matches()) {
                users.put(m.group(1), m.group(2));
            } else if (!line.isEmpty()) {
                invalid();
            }
        }

        private void invalid() throws IOException {
            term.print("                 ^\r\n% Invalid input detected at '^' marker.\r\n\r\n");
        }
    }
}
