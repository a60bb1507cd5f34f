package io.rotor.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a JVM {@code -Xlog:gc} file: the peak heap is the largest "before" figure of any collection
 * ({@code GC(7) Pause Young (Normal) (G1 Evacuation Pause) 120M->31M(256M) 4.1ms}), i.e. the most the heap held
 * just before it was collected. Also reads {@code VmHWM} (peak RSS) from {@code /proc/PID/status}.
 */
public final class GcLog {
    private static final Pattern SIZES = Pattern.compile("(\\d+)([KMG])->(\\d+)([KMG])\\((\\d+)([KMG])\\)");
    private static final Pattern HWM = Pattern.compile("(?m)^VmHWM:\\s+(\\d+)\\s+kB");

    private GcLog() {
    }

    /** Peak heap in MiB over the lines; NaN when no collection line is found. */
    public static double peakHeapMb(List<String> lines) {
        double peak = Double.NaN;
        for (String line : lines) {
            Matcher m = SIZES.matcher(line);
            while (m.find()) {
                double before = mb(Long.parseLong(m.group(1)), m.group(2));
                peak = Double.isNaN(peak) ? before : Math.max(peak, before);
            }
        }
        return peak;
    }

    private static final Pattern PAUSE = Pattern.compile("^\\[(\\d+(?:\\.\\d+)?)s\\].*Pause.*?(\\d+(?:\\.\\d+)?)ms\\s*$");

    /**
     * Seconds of GC pauses whose log time (JVM uptime, {@code [69.315s]}) lies in {@code [fromUptime, toUptime]}
     * ({@code -Xlog:gc} with its default uptime decoration).
     */
    public static double pauseSeconds(List<String> lines, double fromUptime, double toUptime) {
        double total = 0;
        for (String line : lines) {
            Matcher m = PAUSE.matcher(line);
            if (m.find()) {
                double at = Double.parseDouble(m.group(1));
                if (at >= fromUptime && at <= toUptime) {
                    total += Double.parseDouble(m.group(2)) / 1000.0;
                }
            }
        }
        return total;
    }

    public static double pauseSeconds(Path file, double fromUptime, double toUptime) throws IOException {
        return Files.exists(file) ? pauseSeconds(Files.readAllLines(file, StandardCharsets.UTF_8), fromUptime, toUptime) : Double.NaN;
    }

    public static double peakHeapMb(Path file) throws IOException {
        return Files.exists(file) ? peakHeapMb(Files.readAllLines(file, StandardCharsets.UTF_8)) : Double.NaN;
    }

    /** VmHWM in MiB from the text of /proc/PID/status; NaN when absent. */
    public static double peakRssMb(String procStatus) {
        Matcher m = HWM.matcher(procStatus);
        return m.find() ? Long.parseLong(m.group(1)) / 1024.0 : Double.NaN;
    }

    public static double peakRssMb(long pid) {
        try {
            return peakRssMb(Files.readString(Path.of("/proc", Long.toString(pid), "status")));
        } catch (IOException e) {
            return Double.NaN;
        }
    }

    private static double mb(long value, String unit) {
        return switch (unit) {
            case "K" -> value / 1024.0;
            case "G" -> value * 1024.0;
            default -> value;
        };
    }
}
