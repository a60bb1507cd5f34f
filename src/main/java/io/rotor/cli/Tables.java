package io.rotor.cli;

import java.util.List;

/** Plain text tables with columns padded to their widest cell. */
final class Tables {
    private Tables() {
    }

    static String render(String[] headers, List<String[]> rows) {
        int[] widths = new int[headers.length];
        for (int i = 0; i < headers.length; i++) {
            widths[i] = headers[i].length();
        }
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                widths[i] = Math.max(widths[i], row[i] == null ? 0 : row[i].length());
            }
        }
        StringBuilder out = new StringBuilder();
        append(out, headers, widths);
        rows.forEach(r -> append(out, r, widths));
        return out.toString();
    }

    private static void append(StringBuilder out, String[] cells, int[] widths) {
        for (int i = 0; i < cells.length; i++) {
            String cell = cells[i] == null ? "" : cells[i];
            out.append(i == cells.length - 1 ? cell : String.format("%-" + widths[i] + "s  ", cell));
        }
        out.append('\n');
    }
}
