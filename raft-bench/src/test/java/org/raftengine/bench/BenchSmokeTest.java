package org.raftengine.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Each system runs a short trial through the real harness and commits commands. */
class BenchSmokeTest {

    @ParameterizedTest
    @ValueSource(strings = {"raftengine", "raftengine-codec", "raftengine-threads", "microraft", "jgroups-raft", "ratis"})
    @Timeout(60)
    void eachSystemCommitsUnderTheHarness(String name) throws Exception {
        TrialResult r = Trial.run(BenchSystems.create(name), 4, 64, 1, Duration.ofMillis(300), Duration.ofSeconds(1));

        assertThat(r.system()).isEqualTo(name);
        assertThat(r.commits()).isPositive();
        assertThat(r.throughput()).isPositive();
        assertThat(r.p50Nanos()).isPositive().isLessThanOrEqualTo(r.p99Nanos());
        assertThat(r.p99Nanos()).isLessThanOrEqualTo(r.maxNanos());
        assertThat(r.allocPerCommit()).isPositive();
        assertThat(r.peakHeapBytes()).isPositive();
        assertThat(r.diagnostics()).doesNotContain("undrained");
    }

    @Test
    @Timeout(90)
    void aTrialRunsInAJvmOfItsOwnAndReportsBack() throws Exception {
        BenchOptions options = BenchOptions.parse("--heap", "512m", "--measure-seconds", "1");

        TrialResult r = TrialProcess.run(options, "raftengine", 4, 2, Duration.ofMillis(300));

        assertThat(r.system()).isEqualTo("raftengine");
        assertThat(r.clients()).isEqualTo(4);
        assertThat(r.round()).isEqualTo(2);
        assertThat(r.commits()).isPositive();
        assertThat(r.p50Nanos()).isPositive().isLessThanOrEqualTo(r.p99Nanos());
        assertThat(r.longestPauseMillis()).isLessThanOrEqualTo(r.gcMillis());
        // The trial's own JVM: its heap is bounded by --heap, not by this JVM's.
        assertThat(r.peakHeapBytes()).isPositive().isLessThanOrEqualTo(512L << 20);
    }
}
