package io.rotor.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Prints benchmark rows as an aligned text table. */
public final class BenchTable {
    private BenchTable() {
    }

    public static String render(List<BenchRow> rows) {
        List<String[]> cells = new ArrayList<>();
        cells.add(new String[] {"run", "system", "accounts", "K", "seconds", "accounts/s", "ok", "failed",
                "vs limit", "vs Ansible", "CPU ms/account", "GC %", "peak heap MiB", "peak RSS MiB", "vault MiB",
                "report s"});
        for (BenchRow r : rows) {
            cells.add(new String[] {r.run(), r.system(), Integer.toString(r.accounts()),
                    Integer.toString(r.concurrency()), fmt(r.seconds(), 1), fmt(r.perSecond(), 1),
                    Integer.toString(r.succeeded()), Integer.toString(r.failed()), times(r.vsLimit(), 2),
                    times(r.vsAnsible(), 1), fmt(r.cpuMsPerAccount(), 2), fmt(r.gcShare() * 100, 1),
                    fmt(r.peakHeapMb(), 0), fmt(r.rssMb(), 0), fmt(r.vaultMb(), 1), fmt(r.reportSeconds(), 1)});
        }
        int[] width = new int[cells.get(0).length];
        for (String[] row : cells) {
            for (int i = 0; i < row.length; i++) {
                width[i] = Math.max(width[i], row[i].length());
            }
        }
        StringBuilder out = new StringBuilder();
        for (String[] row : cells) {
            for (int i = 0; i < row.length; i++) {
                if (i > 0) {
                    out.append("  ");
                }
                boolean left = i < 2;
                String pad = " ".repeat(width[i] - row[i].length());
                out.append(left ? row[i] + pad : pad + row[i]);
            }
            out.append(System.lineSeparator());
        }
        return out.toString().replaceAll(" +(\r?\n)", "$1");
    }

    static String fmt(double v, int decimals) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%,." + decimals + "f", v);
    }

    static String times(double v, int decimals) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%." + decimals + "fx", v);
    }
}
