package io.rotor.bench;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What a benchmark leg needs on this machine, checked before anything is set up: a leg that cannot run stops the
 * benchmark with a message that says what is missing and how to get it, never a figure of 0.0 accounts/s.
 */
public final class BenchTools {
    private BenchTools() {
    }

    /** The problems that stop the Ansible leg ({@code sshLogins}: it logs in over SSH with a password). */
    public static List<String> ansibleProblems(boolean sshLogins, boolean postgres) {
        List<String> problems = new ArrayList<>();
        if (onPath("ansible-playbook") == null) {
            problems.add("ansible-playbook is not on PATH (Debian: apt-get install ansible)");
        }
        if (sshLogins && onPath("sshpass") == null) {
            problems.add("sshpass is not on PATH: Ansible's SSH password logins need it (Debian: apt-get install sshpass)");
        }
        if (postgres && !runs("python3", "-c", "import psycopg2")) {
            problems.add("python3 cannot import psycopg2, which community.postgresql needs (Debian: apt-get install python3-psycopg2)");
        }
        return problems;
    }

    /** Prints why the leg cannot run and exits 69 (EX_UNAVAILABLE) when {@code problems} is not empty. */
    public static void requireOrExit(String bench, String leg, List<String> problems) {
        if (problems.isEmpty()) {
            return;
        }
        System.err.println(bench + ": the " + leg + " leg cannot run on this machine:");
        problems.forEach(p -> System.err.println("  - " + p));
        System.err.println(bench + ": install what is missing, or leave the leg out with --no-ansible");
        System.exit(69);
    }

    static Path onPath(String command) {
        String path = System.getenv("PATH");
        if (path == null) {
            return null;
        }
        for (String dir : path.split(File.pathSeparator)) {
            Path candidate = Path.of(dir, command);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    private static boolean runs(String... command) {
        if (onPath(command[0]) == null) {
            return false;
        }
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (Exception e) {
            return false;
        }
    }
}
