package io.rotor.bench;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BenchOptionsTest {
    @Test
    void defaults() {
        BenchOptions o = BenchOptions.parse(new String[0], 2000);
        assertThat(o.accounts()).isEqualTo(2000);
        assertThat(o.concurrency()).isEqualTo(8);
        assertThat(o.sizes()).containsExactly(2000);
        assertThat(o.ansible()).isTrue();
        assertThat(o.limit()).isTrue();
        assertThat(o.rotor()).isTrue();
        assertThat(o.heap()).isNull();
        assertThat(o.batchSize()).isEqualTo(256);
        assertThat(o.csv()).isNull();
    }

    @Test
    void valuesSeparateOrInline() {
        BenchOptions o = BenchOptions.parse(new String[] {"--accounts", "500", "--concurrency=4", "--csv", "x/y.csv",
                "--no-ansible", "--keep", "--jfr", "--batch-size", "64"}, 2000);
        assertThat(o.accounts()).isEqualTo(500);
        assertThat(o.concurrency()).isEqualTo(4);
        assertThat(o.csv()).isEqualTo(Path.of("x/y.csv"));
        assertThat(o.ansible()).isFalse();
        assertThat(o.keep()).isTrue();
        assertThat(o.jfr()).isTrue();
        assertThat(o.batchSize()).isEqualTo(64);
    }

    @Test
    void scaleRunsEverySizeWithoutAnsibleUnlessAsked() {
        BenchOptions o = BenchOptions.parse(new String[] {"--scale", "1000,5000,10_000"}, 2000);
        assertThat(o.sizes()).isEqualTo(List.of(1000, 5000, 10000));
        assertThat(o.maxSize()).isEqualTo(10000);
        assertThat(o.ansible()).isFalse();
        assertThat(BenchOptions.parse(new String[] {"--scale", "10,20", "--ansible"}, 2000).ansible()).isTrue();
    }

    @Test
    void memoryRunIs100kRotorOnlyWith256m() {
        BenchOptions o = BenchOptions.parse(new String[] {"--memory"}, 2000);
        assertThat(o.accounts()).isEqualTo(100_000);
        assertThat(o.heap()).isEqualTo("256m");
        assertThat(o.limit()).isFalse();
        assertThat(o.ansible()).isFalse();
        assertThat(o.rotor()).isTrue();
        assertThat(BenchOptions.parse(new String[] {"--memory", "--accounts", "300", "--heap", "128m"}, 2000))
                .satisfies(m -> {
                    assertThat(m.accounts()).isEqualTo(300);
                    assertThat(m.heap()).isEqualTo("128m");
                });
    }

    @Test
    void refusalsNameTheOption() {
        assertThatThrownBy(() -> BenchOptions.parse(new String[] {"--accounts"}, 1))
                .hasMessage("option --accounts needs a value");
        assertThatThrownBy(() -> BenchOptions.parse(new String[] {"--accounts", "0"}, 1))
                .hasMessage("option --accounts: must be at least 1 (got 0)");
        assertThatThrownBy(() -> BenchOptions.parse(new String[] {"--concurrency", "x"}, 1))
                .hasMessage("option --concurrency: not a whole number: 'x'");
        assertThatThrownBy(() -> BenchOptions.parse(new String[] {"--scale", "10,,20"}, 1))
                .hasMessage("option --scale: empty size in '10,,20'");
        assertThatThrownBy(() -> BenchOptions.parse(new String[] {"--batch-size", "31"}, 1))
                .hasMessage("option --batch-size: between 32 and 10000 (got 31)");
        assertThatThrownBy(() -> BenchOptions.parse(new String[] {"--heap", "lots"}, 1))
                .hasMessageContaining("--heap");
        assertThatThrownBy(() -> BenchOptions.parse(new String[] {"--memory", "--scale", "1,2"}, 1))
                .hasMessageContaining("separate runs");
        assertThatThrownBy(() -> BenchOptions.parse(new String[] {"--password", "x"}, 1))
                .isInstanceOf(BenchOptions.UsageException.class).hasMessage("unknown option '--password'");
    }
}
