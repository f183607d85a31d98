package org.raftengine.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FollowerDownTest {

    private static final long MB = 1L << 20;

    @Test
    void defaultsAndOverrides() {
        assertThat(FollowerDownOptions.requested("--clients", "4", "--follower-down")).isTrue();
        assertThat(FollowerDownOptions.requested("--quick")).isFalse();

        FollowerDownOptions d = FollowerDownOptions.parse("--follower-down");
        assertThat(d.duration()).isEqualTo(Duration.ofMinutes(3));
        assertThat(d.sampleEvery()).isEqualTo(Duration.ofSeconds(5));
        assertThat(d.clients()).isEqualTo(64);
        assertThat(d.rate()).isEqualTo(50_000);

        FollowerDownOptions o = FollowerDownOptions.parse("--follower-down", "--minutes", "0.5", "--sample-seconds=2",
                "--clients", "8", "--rate", "0", "--command-bytes", "128");
        assertThat(o).isEqualTo(new FollowerDownOptions(Duration.ofSeconds(30), Duration.ofSeconds(2), 8, 0, 128));
    }

    @Test
    void badOptionsAreRefused() {
        assertThatThrownBy(() -> FollowerDownOptions.parse("--follower-down", "--rounds", "3"))
                .hasMessageContaining("unknown option --rounds");
        assertThatThrownBy(() -> FollowerDownOptions.parse("--minutes", "0")).hasMessageContaining("positive");
        assertThatThrownBy(() -> FollowerDownOptions.parse("--rate", "-1")).hasMessageContaining("negative");
        assertThatThrownBy(() -> FollowerDownOptions.parse("--clients", "x")).hasMessageContaining("whole number");
        assertThatThrownBy(() -> FollowerDownOptions.parse("--minutes")).hasMessageContaining("needs a value");
        assertThatThrownBy(() -> FollowerDownOptions.parse("--help")).hasMessage("usage");
    }

    /** Samples whose logs grow 10 MB each, and whose heap beside the logs is {@code others[i]} MB. */
    private static List<FollowerDownReport.Sample> samples(long... others) {
        List<FollowerDownReport.Sample> list = new ArrayList<>();
        for (int i = 0; i < others.length; i++) {
            long log = 10 * MB * i;
            list.add(new FollowerDownReport.Sample(5.0 * i, 100_000L * i, log + others[i] * MB, log, 3, 0));
        }
        return list;
    }

    @Test
    void flatHeapBesideGrowingLogsIsBounded() {
        FollowerDownReport.Verdict v = FollowerDownReport.verdict(samples(300, 80, 95, 85, 90, 100, 88), 32 * MB);

        assertThat(v.bounded()).isTrue();
        // The first sample (JIT, first pages) does not count toward the baseline.
        assertThat(v.baselineBytes()).isEqualTo(95 * MB);
        assertThat(v.peakBytes()).isEqualTo(100 * MB);
        assertThat(v.text()).startsWith("BOUNDED").contains("logs grew 10.0 -> 60.0 MB").contains("105 B per command");
    }

    @Test
    void heapThatKeepsGrowingBesideTheLogsIsFlagged() {
        FollowerDownReport.Verdict v = FollowerDownReport.verdict(samples(80, 80, 100, 120, 140, 160, 180), 32 * MB);

        assertThat(v.bounded()).isFalse();
        assertThat(v.text()).startsWith("GROWING");
    }

    @Test
    void tooFewSamplesAreNotCalledBounded() {
        assertThat(FollowerDownReport.verdict(samples(80, 80), 32 * MB).bounded()).isFalse();
    }

    @Test
    void sampleLineShowsTheHeapBesideTheLogs() {
        String line = samples(300, 80).get(1).line();
        assertThat(line).contains("heap=   90.0 MB").contains("logs=   10.0 MB").contains("heap-logs=  80.0 MB")
                .contains("uncommitted=3 entries");
    }
}
