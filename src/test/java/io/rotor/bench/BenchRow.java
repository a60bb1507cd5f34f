package io.rotor.bench;

/**
 * One measured run. {@code perSecond} is succeeded accounts per wall-clock second; ratios and memory are NaN when
 * not measured.
 */
public record BenchRow(String bench, String run, String system, int accounts, int concurrency, double seconds,
                       int succeeded, int failed, double vsLimit, double vsAnsible, double peakHeapMb, double rssMb,
                       String note, double cpuMsPerAccount, double gcShare, double vaultMb, double reportSeconds) {

    public static BenchRow of(String bench, String run, String system, int accounts, int concurrency, double seconds,
                              int succeeded, int failed) {
        return new BenchRow(bench, run, system, accounts, concurrency, seconds, succeeded, failed, Double.NaN,
                Double.NaN, Double.NaN, Double.NaN, null, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
    }

    public double perSecond() {
        return rate(succeeded, seconds);
    }

    /** Accounts per second; NaN when nothing was timed. */
    public static double rate(int count, double seconds) {
        return seconds > 0 ? count / seconds : Double.NaN;
    }

    /** {@code a / b}, NaN when either is missing or b is zero. */
    public static double ratio(double a, double b) {
        if (Double.isNaN(a) || Double.isNaN(b) || b == 0) {
            return Double.NaN;
        }
        return a / b;
    }

    public BenchRow withRatios(double vsLimit, double vsAnsible) {
        return new BenchRow(bench, run, system, accounts, concurrency, seconds, succeeded, failed, vsLimit, vsAnsible,
                peakHeapMb, rssMb, note, cpuMsPerAccount, gcShare, vaultMb, reportSeconds);
    }

    public BenchRow withMemory(double peakHeapMb, double rssMb) {
        return new BenchRow(bench, run, system, accounts, concurrency, seconds, succeeded, failed, vsLimit, vsAnsible,
                peakHeapMb, rssMb, note, cpuMsPerAccount, gcShare, vaultMb, reportSeconds);
    }

    /** CPU of the measured process per account (ms), the share of the run's wall time spent in GC pauses (0..1). */
    public BenchRow withCpu(double cpuMsPerAccount, double gcShare) {
        return new BenchRow(bench, run, system, accounts, concurrency, seconds, succeeded, failed, vsLimit, vsAnsible,
                peakHeapMb, rssMb, note, cpuMsPerAccount, gcShare, vaultMb, reportSeconds);
    }

    /** The H2 vault file after the run (MiB) and the seconds from the job's end to its report being served. */
    public BenchRow withVault(double vaultMb, double reportSeconds) {
        return new BenchRow(bench, run, system, accounts, concurrency, seconds, succeeded, failed, vsLimit, vsAnsible,
                peakHeapMb, rssMb, note, cpuMsPerAccount, gcShare, vaultMb, reportSeconds);
    }

    public BenchRow withNote(String note) {
        return new BenchRow(bench, run, system, accounts, concurrency, seconds, succeeded, failed, vsLimit, vsAnsible,
                peakHeapMb, rssMb, note, cpuMsPerAccount, gcShare, vaultMb, reportSeconds);
    }
}
