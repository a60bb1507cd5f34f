package io.rotor.vault;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;

/**
 * Names this process as an owner ({@code host:pid:startMillis:bootId}, the boot id random per process start, so two
 * processes with the same host name and pid in different PID namespaces still differ).
 *
 * <p>Account locks never use {@link #isDeadLocalOwner}: they are leases taken over only once expired by the vault
 * database's clock (docs/architecture.md, "Leases"), because a process that cannot be seen (another PID namespace,
 * {@code /proc} mounted with hidepid, the same host name on two machines) is not a dead one. Only interrupted jobs
 * use it, to end jobs whose owner has gone.
 */
public final class ProcessIdentity {
    private static final String HOST = hostName();
    private static final String BOOT_ID = java.util.UUID.randomUUID().toString().substring(0, 8);
    private static final String SELF = describe(ProcessHandle.current()) + ":" + BOOT_ID;

    private ProcessIdentity() {
    }

    public static String self() {
        return SELF;
    }

    /** True only when {@code owner} ran on this host and that process no longer exists. */
    public static boolean isDeadLocalOwner(String owner) {
        if (owner == null) {
            return true;
        }
        String[] parts = owner.split(":");
        if (parts.length < 3 || parts.length > 4 || !parts[0].equals(HOST)) {
            return false;
        }
        long pid;
        try {
            pid = Long.parseLong(parts[1]);
        } catch (NumberFormatException e) {
            return false;
        }
        Optional<ProcessHandle> process = ProcessHandle.of(pid);
        if (process.isEmpty() || !process.get().isAlive()) {
            return true;
        }
        if (process.get().info().startInstant().isEmpty()) {
            return false; // alive but unreadable: not dead
        }
        // the pid may have been reused by a newer process
        String[] seen = describe(process.get()).split(":");
        return !seen[2].equals(parts[2]);
    }

    private static String describe(ProcessHandle process) {
        long start = process.info().startInstant().map(i -> i.toEpochMilli()).orElse(0L);
        return HOST + ":" + process.pid() + ":" + start;
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName().replace(':', '_');
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }
}
