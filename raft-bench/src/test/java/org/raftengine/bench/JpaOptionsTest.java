package org.raftengine.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JpaOptionsTest {

    @Test
    void defaultsAndOverrides() {
        assertThat(JpaOptions.requested("--clients", "4", "--jpa")).isTrue();
        assertThat(JpaOptions.requested("--jms")).isFalse();

        JpaOptions d = JpaOptions.parse("--jpa");
        assertThat(d.databases()).isEqualTo(JpaDatabase.ALL);
        assertThat(d.batches()).containsExactly(1, 16, 256);
        assertThat(d.clients()).containsExactly(64);
        assertThat(d.statistics()).isFalse();

        JpaOptions o = JpaOptions.parse("--jpa", "--databases", "postgresql", "--batches=256", "--clients", "",
                "--warmup-seconds", "0.5", "--measure-seconds", "3", "--rounds", "2", "--pool-size", "4",
                "--command-bytes", "32", "--hibernate-statistics");
        assertThat(o).isEqualTo(new JpaOptions(List.of("postgresql"), List.of(256), List.of(), Duration.ofMillis(500),
                Duration.ofSeconds(3), 2, 4, 32, true));
    }

    @Test
    void badOptionsAreRefused() {
        assertThatThrownBy(() -> JpaOptions.parse("--jpa", "--databases", "oracle"))
                .hasMessageContaining("unknown database");
        assertThatThrownBy(() -> JpaOptions.parse("--jpa", "--media", "in-jvm"))
                .hasMessageContaining("unknown option --media");
        assertThatThrownBy(() -> JpaOptions.parse("--jpa", "--batches", "0")).hasMessageContaining("positive");
        assertThatThrownBy(() -> JpaOptions.parse("--jpa", "--batches", "", "--clients", ""))
                .hasMessageContaining("nothing to measure");
        assertThatThrownBy(() -> JpaOptions.parse("--jpa", "--help")).hasMessage("usage");
    }

    @Test
    void theReportGivesFiguresSkipsAndTheTarget() {
        JpaOptions options = new JpaOptions(List.of("h2", "postgresql"), List.of(256), List.of(64), Duration.ZERO,
                Duration.ofSeconds(5), 1, 16, 64, false);
        TrialResult r = new TrialResult("jpa:h2", 64, 1, 50_000, 5.0, 4_000_000, 9_000_000, 20_000_000, 4_100_000,
                100, 50_000, 0, 0, 0, 0, 0, 0, 0, 10, "");
        JpaRun.Appends a = new JpaRun.Appends(256, 1, 256_000, 1_000, 5.0, 4_000_000, 8_000_000, 9_000_000, 7_000,
                5_000, 4_000, "");
        List<String> lines = JpaRun.report(List.of(
                new JpaRun.Row("h2", "H2 2.5.252", Map.of(256, List.of(a)), Map.of(64, Summary.of(List.of(r))), null),
                new JpaRun.Row("postgresql", "", Map.of(), Map.of(), "PostgreSQL at x is not reachable")),
                options, "1.00 1.00 1.00", "2.00 1.00 1.00");
        assertThat(lines).contains("| h2 | 256 | 51,200 | 200 | 4.000 | 8.000 | 9.000 | 7.0 | 5.0 | 4,000 |",
                "| postgresql | skipped | | | | | | | | |", "| postgresql | skipped | | | | | | | |",
                "| h2 | 64 | 10,000 | 4.000 | 9.000 | 20.000 | 50.0 | 0 | 0 |");
        assertThat(lines).anyMatch(l -> l.startsWith("| postgresql | skipped: PostgreSQL at x is not reachable |"));
        assertThat(lines).anyMatch(l -> l.contains("load average (1/5/15 min) 1.00 1.00 1.00 at the start"));
        assertThat(lines).noneMatch(l -> l.startsWith("target:")); // no PostgreSQL figures, no verdict
    }
}
