package io.rotor.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Command-line options of the benchmark programs ({@code scripts/bench-mass-reset}, {@code scripts/bench-ssh}).
 * No option ever carries a secret: passwords come from the 0600 files of {@code scripts/targets.sh}.
 *
 * <pre>
 *   --accounts N          accounts (roles or Linux users) per run          (default given by the program)
 *   --concurrency K       the same K for the limit, Rotor and Ansible        (default 8)
 *   --scale A,B,C         run the limit and Rotor at each size (Ansible only with --ansible)
 *   --memory              the memory run: 100,000 accounts (unless --accounts), Rotor only, -Xmx256m
 *   --heap SIZE           -Xmx of the Rotor server (default: 256m with --memory, else none)
 *   --batch-size N        Rotor's batchSize (default 256)
 *   --csv FILE            where the CSV goes (default target/bench/&lt;program&gt;-&lt;time&gt;.csv)
 *   --no-ansible          skip the Ansible run; --ansible forces it (also with --scale)
 *   --no-limit, --no-rotor  skip those runs
 *   --keep                do not drop the accounts at the end
 *   --jfr                 record a JFR profile of the Rotor server (target/bench/rotor-*.jfr)
 * </pre>
 */
public record BenchOptions(int accounts, int concurrency, List<Integer> scale, boolean memory, String heap,
                           int batchSize, Path csv, boolean ansible, boolean limit, boolean rotor, boolean keep,
                           boolean jfr) {

    public static final int DEFAULT_CONCURRENCY = 8;
    public static final int MEMORY_ACCOUNTS = 100_000;

    /** Thrown for a bad command line; the message says which option and why. */
    public static final class UsageException extends IllegalArgumentException {
        public UsageException(String message) {
            super(message);
        }
    }

    public static BenchOptions parse(String[] args, int defaultAccounts) {
        Integer accounts = null;
        int concurrency = DEFAULT_CONCURRENCY;
        List<Integer> scale = List.of();
        boolean memory = false;
        String heap = null;
        int batchSize = 256;
        Path csv = null;
        Boolean ansible = null;
        boolean limit = true;
        boolean rotor = true;
        boolean keep = false;
        boolean jfr = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String name = a;
            String inline = null;
            int eq = a.indexOf('=');
            if (a.startsWith("--") && eq > 0) {
                name = a.substring(0, eq);
                inline = a.substring(eq + 1);
            }
            switch (name) {
                case "--accounts" -> {
                    accounts = positive(name, inline != null ? inline : value(args, ++i, name));
                }
                case "--concurrency" -> concurrency = positive(name, inline != null ? inline : value(args, ++i, name));
                case "--scale" -> scale = sizes(name, inline != null ? inline : value(args, ++i, name));
                case "--memory" -> memory = true;
                case "--heap" -> {
                    heap = inline != null ? inline : value(args, ++i, name);
                    if (!heap.matches("[1-9][0-9]*[kKmMgG]?")) {
                        throw new UsageException("option --heap: a size such as 256m, not '" + heap + "'");
                    }
                }
                case "--batch-size" -> {
                    batchSize = positive(name, inline != null ? inline : value(args, ++i, name));
                    if (batchSize < 32 || batchSize > 10_000) {
                        throw new UsageException("option --batch-size: between 32 and 10000 (got " + batchSize + ")");
                    }
                }
                case "--csv" -> csv = Path.of(inline != null ? inline : value(args, ++i, name));
                case "--ansible" -> ansible = true;
                case "--no-ansible" -> ansible = false;
                case "--no-limit" -> limit = false;
                case "--no-rotor" -> rotor = false;
                case "--keep" -> keep = true;
                case "--jfr" -> jfr = true;
                default -> throw new UsageException("unknown option '" + a + "'");
            }
        }
        if (memory && !scale.isEmpty()) {
            throw new UsageException("--memory and --scale are separate runs; give one of them");
        }
        int n = accounts != null ? accounts : memory ? MEMORY_ACCOUNTS : defaultAccounts;
        if (memory && heap == null) {
            heap = "256m";
        }
        // Ansible at 100,000 accounts or at every size of a scale run would take hours: only when asked for
        boolean runAnsible = ansible != null ? ansible : !memory && scale.isEmpty();
        if (memory) {
            limit = false; // the memory run measures Rotor alone
        }
        return new BenchOptions(n, concurrency, scale, memory, heap, batchSize, csv, runAnsible, limit, rotor, keep, jfr);
    }

    /** The sizes to run: the scale list, or the one --accounts size. */
    public List<Integer> sizes() {
        return scale.isEmpty() ? List.of(accounts) : scale;
    }

    /** The largest size: how many accounts must exist on the target. */
    public int maxSize() {
        return sizes().stream().mapToInt(Integer::intValue).max().orElse(accounts);
    }

    private static String value(String[] args, int i, String name) {
        if (i >= args.length || args[i].startsWith("--")) {
            throw new UsageException("option " + name + " needs a value");
        }
        return args[i];
    }

    private static int positive(String name, String text) {
        try {
            int v = Integer.parseInt(text.replace("_", "").trim());
            if (v < 1) {
                throw new UsageException("option " + name + ": must be at least 1 (got " + v + ")");
            }
            return v;
        } catch (NumberFormatException e) {
            throw new UsageException("option " + name + ": not a whole number: '" + text + "'");
        }
    }

    private static List<Integer> sizes(String name, String text) {
        List<Integer> out = new ArrayList<>();
        for (String part : text.split(",")) {
            if (part.isBlank()) {
                throw new UsageException("option " + name + ": empty size in '" + text + "'");
            }
            out.add(positive(name, part));
        }
        return List.copyOf(out);
    }
}
