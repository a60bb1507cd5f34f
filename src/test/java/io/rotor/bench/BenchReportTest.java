package io.rotor.bench;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** CSV, table, rates and ratios, GC log and /proc parsing, targets.env parsing. */
class BenchReportTest {
    private final BenchRow limit = BenchRow.of("mass-reset", "r", "limit", 100, 8, 2.0, 100, 0);
    private final BenchRow rotor = BenchRow.of("mass-reset", "r", "rotor", 100, 8, 4.0, 99, 1)
            .withRatios(0.495, 12.5).withMemory(80.0, 300.25).withNote("job PARTIAL, \"one\" failed");

    @Test
    void ratesAndRatios() {
        assertThat(limit.perSecond()).isEqualTo(50.0);
        assertThat(rotor.perSecond()).isEqualTo(24.75);
        assertThat(BenchRow.ratio(24.75, 50.0)).isEqualTo(0.495);
        assertThat(BenchRow.ratio(1, 0)).isNaN();
        assertThat(BenchRow.ratio(Double.NaN, 2)).isNaN();
        assertThat(BenchRow.rate(10, 0)).isNaN();
    }

    @Test
    void csvQuotesAndLeavesUnmeasuredEmpty() {
        String csv = BenchCsv.format(List.of(limit, rotor));
        String[] lines = csv.split("\r\n");
        assertThat(lines[0]).isEqualTo(String.join(",", BenchCsv.HEADER));
        assertThat(lines[1]).isEqualTo("mass-reset,r,limit,100,8,2.000,50.00,100,0,,,,,,,,,");
        assertThat(lines[2]).isEqualTo("mass-reset,r,rotor,100,8,4.000,24.75,99,1,0.495,12.50,80.0,300.3,"
                + "\"job PARTIAL, \"\"one\"\" failed\",,,,");
        assertThat(BenchCsv.quote("a\nb")).isEqualTo("\"a\nb\"");
    }

    @Test
    void tableAlignsAndShowsRatios() {
        String table = BenchTable.render(List.of(limit, rotor));
        String[] lines = table.split(System.lineSeparator());
        assertThat(lines).hasSize(3);
        assertThat(lines[0]).startsWith("run  system  accounts");
        assertThat(lines[2]).contains("rotor").contains("24.8").contains("0.50x").contains("12.5x").contains("300");
        assertThat(lines[1]).contains(" - ");
        assertThat(lines[0].length()).isGreaterThanOrEqualTo(lines[1].trim().length() - 1);
    }

    @Test
    void aimsSayMetNotMetOrNotMeasured() {
        BenchRow lim = limit.withCpu(5.0, Double.NaN);
        BenchRow fast = BenchRow.of("mass-reset", "r", "rotor", 100, 8, 2.2, 100, 0).withRatios(0.9, Double.NaN)
                .withCpu(9.0, 0.01).withVault(12.0, 1.5);
        assertThat(BenchAims.check(List.of(lim, fast))).containsExactly(
                "aim r: Rotor >= 0.8x the limit: met (0.90x)",
                "aim r: Rotor CPU per account <= 2x the limit's: met (1.80x)",
                "aim r: report served <= 30 s after the job's end: met (1.5 s)");
        BenchRow slow = BenchRow.of("mass-reset", "memory-100", "rotor", 100, 8, 2.0, 100, 0)
                .withMemory(200, 400).withCpu(30.0, 0.2).withVault(400, 45);
        assertThat(BenchAims.check(List.of(slow))).containsExactly(
                "aim memory-100: Rotor >= 0.8x the limit: not measured",
                "aim memory-100: Rotor CPU per account <= 2x the limit's: not measured",
                "aim memory-100: report served <= 30 s after the job's end: NOT met (45.0 s)",
                "aim memory-100: peak heap <= 160 MiB: NOT met (200 MiB)",
                "aim memory-100: GC time < 5 %: NOT met (0.200)",
                "aim memory-100: H2 vault file <= 300 MB: NOT met (400.0 MiB)");
    }

    @Test
    void gcPausesAreSummedInsideTheWindow() {
        List<String> log = List.of(
                "[1.000s][info][gc] GC(0) Pause Young (Normal) (G1 Evacuation Pause) 20M->5M(64M) 10.000ms",
                "[5.500s][info][gc] GC(1) Pause Young (Normal) (G1 Evacuation Pause) 89M->38M(160M) 55.480ms",
                "[6.000s][info][gc] GC(2) Pause Remark 90M->90M(160M) 4.520ms",
                "[6.100s][info][gc] GC(3) Concurrent Mark Cycle 100.000ms",
                "[9.000s][info][gc] GC(4) Pause Young (Normal) (G1 Evacuation Pause) 99M->44M(160M) 60.051ms");
        assertThat(GcLog.pauseSeconds(log, 5.0, 8.0)).isCloseTo(0.060, within(1e-9));
    }

    @Test
    void peakHeapIsTheLargestBeforeFigure() {
        List<String> log = List.of(
                "[0.512s][info][gc] Using G1",
                "[1.004s][info][gc] GC(0) Pause Young (Normal) (G1 Evacuation Pause) 24M->5M(256M) 3.456ms",
                "[2.004s][info][gc] GC(1) Pause Young (Normal) (G1 Evacuation Pause) 131M->40M(256M) 9.1ms",
                "[3.004s][info][gc] GC(2) Pause Young (Concurrent Start) (G1 Humongous Allocation) 2048K->1024K(256M) 1ms",
                "[4.004s][info][gc] GC(3) Pause Full (System.gc()) 1G->200M(2G) 50ms");
        assertThat(GcLog.peakHeapMb(log.subList(0, 4))).isEqualTo(131.0);
        assertThat(GcLog.peakHeapMb(log)).isEqualTo(1024.0);
        assertThat(GcLog.peakHeapMb(List.of("[0.5s][info][gc] Using G1"))).isNaN();
    }

    @Test
    void peakRssFromProcStatus() {
        assertThat(GcLog.peakRssMb("Name:\tjava\nVmPeak:\t 5000000 kB\nVmHWM:\t  307456 kB\nVmRSS:\t 300000 kB\n"))
                .isCloseTo(300.25, within(1e-9));
        assertThat(GcLog.peakRssMb("Name:\tjava\n")).isNaN();
        assertThat(GcLog.peakRssMb(ProcessHandle.current().pid())).isGreaterThan(1.0);
    }

    @Test
    void targetsEnvParsing() {
        assertThat(BenchEnv.parse("# c\nPG_HOST=127.0.0.1\n\nPG_PORT = 55432\nBROKEN\nEMPTY=\n"))
                .isEqualTo(Map.of("PG_HOST", "127.0.0.1", "PG_PORT", "55432", "EMPTY", ""));
    }

    @Test
    void yamlStringsAreUnsafeTaggedAndEscaped() {
        assertThat(PgMassResetBench.yamlString("a\"b\\c{{x}}")).isEqualTo("!unsafe \"a\\\"b\\\\c{{x}}\"");
        assertThat(PgMassResetBench.role(42)).isEqualTo("rotor_bench_000042");
    }
}
