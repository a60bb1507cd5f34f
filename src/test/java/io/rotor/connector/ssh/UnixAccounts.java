package io.rotor.connector.ssh;

import io.rotor.it.RealTargets;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Linux accounts of one test class on the machine that runs the real sshd and telnetd (tests run there as root):
 * made with useradd, given a password through chpasswd's stdin, removed with userdel. Names start with
 * {@code rotor_it_ssh_} (the sshd of scripts/targets.sh allows only those) and carry the class's own prefix.
 */
final class UnixAccounts {
    private final RealTargets.Ssh ssh;
    private final String prefix;
    private final List<String> made = new ArrayList<>();

    UnixAccounts(RealTargets.Ssh ssh, String prefix) {
        this.ssh = ssh;
        this.prefix = prefix;
    }

    String create(String tag, String password) throws IOException, InterruptedException {
        String user = prefix + tag;
        run("useradd", "-m", "-s", "/bin/bash", user);
        made.add(user);
        ssh.setPassword(user, password.toCharArray());
        return user;
    }

    void removeAll() throws IOException, InterruptedException {
        for (String user : made) {
            run("userdel", "-r", "-f", user);
        }
        made.clear();
    }

    /** The account's hash in /etc/shadow: it changes whenever its password is set. */
    static String shadowHash(String user) throws IOException {
        for (String line : Files.readAllLines(Path.of("/etc/shadow"), StandardCharsets.UTF_8)) {
            String[] f = line.split(":", -1);
            if (f[0].equals(user)) {
                return f[1];
            }
        }
        return null;
    }

    private static void run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed: " + out);
        }
    }
}
