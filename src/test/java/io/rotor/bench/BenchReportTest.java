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
        assertThat(lines[1]).isEqualTo("mass-reset,r,limit,100,8,2.000,50.00,100,0,,,,,");
        assertThat(lines[2]).isEqualTo("mass-reset,r,rotor,100,8,4.000,24.75,99,1,0.495,12.50,80.0,300.3,"
                + "\"job PARTIAL, \"\"one\"\" failed\"");
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
