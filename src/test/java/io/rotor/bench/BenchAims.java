package io.rotor.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The engine's aims (issue 17, docs/benchmarks.md) checked against the rows of one run: each line says the aim, the
 * measured value and whether it was met. A figure that was not measured says so; it is never shown as met.
 */
public final class BenchAims {
    static final double MIN_VS_LIMIT = 0.8;
    static final double MAX_CPU_VS_LIMIT = 2.0;
    static final double MAX_HEAP_MB = 160;
    static final double MAX_GC_SHARE = 0.05;
    static final double MAX_VAULT_MB = 300;
    static final double MAX_REPORT_SECONDS = 30;

    private BenchAims() {
    }

    /** One line per aim and run. */
    public static List<String> check(List<BenchRow> rows) {
        List<String> lines = new ArrayList<>();
        for (BenchRow rotor : rows) {
            if (!rotor.system().equals("rotor")) {
                continue;
            }
            BenchRow limit = rows.stream().filter(r -> r.system().equals("limit") && r.run().equals(rotor.run()))
                    .findFirst().orElse(null);
            String at = rotor.run() + ": ";
            lines.add(aim(at + "Rotor >= 0.8x the limit", rotor.vsLimit(), v -> v >= MIN_VS_LIMIT, "%.2fx"));
            if (rotor.bench().equals("mass-reset")) {
                double cpuRatio = limit == null ? Double.NaN : BenchRow.ratio(rotor.cpuMsPerAccount(), limit.cpuMsPerAccount());
                lines.add(aim(at + "Rotor CPU per account <= 2x the limit's", cpuRatio, v -> v <= MAX_CPU_VS_LIMIT, "%.2fx"));
                lines.add(aim(at + "report served <= 30 s after the job's end", rotor.reportSeconds(),
                        v -> v <= MAX_REPORT_SECONDS, "%.1f s"));
                if (rotor.run().startsWith("memory-")) {
                    lines.add(aim(at + "peak heap <= 160 MiB", rotor.peakHeapMb(), v -> v <= MAX_HEAP_MB, "%.0f MiB"));
                    lines.add(aim(at + "GC time < 5 %", rotor.gcShare(), v -> v < MAX_GC_SHARE, "%.3f"));
                    lines.add(aim(at + "H2 vault file <= 300 MB", rotor.vaultMb(), v -> v <= MAX_VAULT_MB, "%.1f MiB"));
                }
            }
        }
        return lines;
    }

    static String aim(String what, double value, java.util.function.DoublePredicate met, String format) {
        if (Double.isNaN(value)) {
            return "aim " + what + ": not measured";
        }
        return "aim " + what + ": " + (met.test(value) ? "met" : "NOT met") + " (" + String.format(Locale.ROOT, format, value) + ")";
    }
}
