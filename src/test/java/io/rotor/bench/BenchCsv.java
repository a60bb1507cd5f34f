package io.rotor.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** Writes benchmark rows as RFC 4180 CSV (a header line, then one line per row). */
public final class BenchCsv {
    public static final List<String> HEADER = List.of("bench", "run", "system", "accounts", "concurrency", "seconds",
            "accounts_per_s", "succeeded", "failed", "vs_limit", "vs_ansible", "peak_heap_mb", "rss_mb", "note", "cpu_ms_per_account", "gc_share", "vault_mb",
            "report_s");

    private BenchCsv() {
    }

    public static String format(List<BenchRow> rows) {
        StringBuilder out = new StringBuilder();
        out.append(String.join(",", HEADER)).append("\r\n");
        for (BenchRow r : rows) {
            List<String> cells = List.of(r.bench(), r.run(), r.system(), Integer.toString(r.accounts()),
                    Integer.toString(r.concurrency()), num(r.seconds(), 3), num(r.perSecond(), 2),
                    Integer.toString(r.succeeded()), Integer.toString(r.failed()), num(r.vsLimit(), 3),
                    num(r.vsAnsible(), 2), num(r.peakHeapMb(), 1), num(r.rssMb(), 1), r.note() == null ? "" : r.note(),
                    num(r.cpuMsPerAccount(), 3), num(r.gcShare(), 4), num(r.vaultMb(), 1), num(r.reportSeconds(), 1));
            for (int i = 0; i < cells.size(); i++) {
                if (i > 0) {
                    out.append(',');
                }
                out.append(quote(cells.get(i)));
            }
            out.append("\r\n");
        }
        return out.toString();
    }

    public static void write(Path file, List<BenchRow> rows) throws IOException {
        if (file.getParent() != null) {
            Files.createDirectories(file.getParent());
        }
        Files.writeString(file, format(rows), StandardCharsets.UTF_8);
    }

    /** Quotes a cell when it holds a comma, a quote, CR or LF (quotes doubled). */
    static String quote(String cell) {
        if (cell.indexOf(',') < 0 && cell.indexOf('"') < 0 && cell.indexOf('\n') < 0 && cell.indexOf('\r') < 0) {
            return cell;
        }
        return '"' + cell.replace("\"", "\"\"") + '"';
    }

    /** A number with a fixed number of decimals, or empty for NaN (not measured). */
    static String num(double v, int decimals) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return "";
        }
        return String.format(Locale.ROOT, "%." + decimals + "f", v);
    }
}
