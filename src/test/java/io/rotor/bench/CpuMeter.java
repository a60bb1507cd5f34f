package io.rotor.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Machine CPU use over an interval, from the first line of {@code /proc/stat}, and a process's CPU time from
 * {@code /proc/PID/stat}: tells whether a run was bound by the CPU (all cores busy) or by waiting.
 */
public final class CpuMeter {
    private final long[] start;

    private CpuMeter(long[] start) {
        this.start = start;
    }

    public static CpuMeter start() {
        return new CpuMeter(read());
    }

    /** Busy share of all cores since {@link #start()}, 0..1; NaN when /proc/stat cannot be read. */
    public double busy() {
        long[] now = read();
        if (start == null || now == null) {
            return Double.NaN;
        }
        return busyShare(start, now);
    }

    /** {@code cpu user nice system idle iowait irq softirq steal}: busy = 1 - (idle + iowait) / total. */
    static double busyShare(long[] a, long[] b) {
        long total = 0;
        for (int i = 0; i < Math.min(a.length, b.length); i++) {
            total += b[i] - a[i];
        }
        long idle = (b[3] - a[3]) + (a.length > 4 ? b[4] - a[4] : 0);
        return total <= 0 ? Double.NaN : 1.0 - (double) idle / total;
    }

    static long[] parse(String statFirstLine) {
        String[] f = statFirstLine.trim().split("\\s+");
        int n = Math.min(8, f.length - 1);
        long[] v = new long[n];
        for (int i = 0; i < n; i++) {
            v[i] = Long.parseLong(f[i + 1]);
        }
        return v;
    }

    private static long[] read() {
        try {
            return parse(Files.readAllLines(Path.of("/proc/stat")).get(0));
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** utime + stime of a process in seconds (clock ticks of 1/100 s); NaN when unknown. */
    public static double processSeconds(long pid) {
        try {
            return processSeconds(Files.readString(Path.of("/proc", Long.toString(pid), "stat")));
        } catch (IOException e) {
            return Double.NaN;
        }
    }

    static double processSeconds(String stat) {
        String rest = stat.substring(stat.lastIndexOf(')') + 2);
        String[] f = rest.split("\\s+");
        // fields after "(comm)": state is index 0, utime is field 14 overall (index 11 here), stime index 12
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0;
    }
}
