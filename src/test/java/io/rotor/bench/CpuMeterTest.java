package io.rotor.bench;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class CpuMeterTest {
    @Test
    void busyShareCountsIdleAndIowaitAsNotBusy() {
        long[] a = CpuMeter.parse("cpu  100 0 50 800 50 0 0 0 0 0");
        long[] b = CpuMeter.parse("cpu  250 0 100 900 50 0 0 0 0 0");
        // delta: user 150, system 50, idle 100, iowait 0 -> 200 busy of 300
        assertThat(CpuMeter.busyShare(a, b)).isCloseTo(2.0 / 3.0, within(1e-9));
        assertThat(CpuMeter.busyShare(a, a)).isNaN();
    }

    @Test
    void processSecondsAreUtimePlusStimeInTicks() {
        // comm may hold spaces and parentheses: fields are counted after the last ')'
        String stat = "4242 (java (x) y) S 1 4242 4242 0 -1 4194560 100 0 0 0 1234 566 0 0 20 0 30 0 100 0 0";
        assertThat(CpuMeter.processSeconds(stat)).isCloseTo(18.0, within(1e-9));
        assertThat(CpuMeter.processSeconds(ProcessHandle.current().pid())).isGreaterThan(0.0);
    }
}
