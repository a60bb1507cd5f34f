package io.rotor.vault;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;

/**
 * Names this process as a lock owner ({@code host:pid:startMillis}) and tells whether another owner on the
 * same host is gone. After a crash the restarted process takes over the dead process's locks at once,
 * instead of waiting for them to expire; owners on other hosts are only taken over after expiry.
 */
public final class ProcessIdentity {
    private static final String HOST = hostName();
    private static final String SELF = describe(ProcessHandle.current());

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
        if (parts.length != 3 || !parts[0].equals(HOST)) {
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
        // the pid may have been reused by a newer process
        return !describe(process.get()).equals(owner);
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
