package org.raftengine.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The read workloads ({@code bin/bench --reads}) run a short trial through the real harness: the clients' reads
 * are served by the leader, by ReadIndex without the lease, and on the lease when lease reads are on.
 */
class ReadsBenchTest {

    private static TrialResult shortTrial(String system) throws Exception {
        return Trial.run(BenchSystems.create(system), 8, 64, 1, Duration.ofMillis(500), Duration.ofSeconds(1));
    }

    private static void assertServedReads(TrialResult r, String system) {
        assertThat(r.system()).isEqualTo(system);
        assertThat(r.readWorkload()).isTrue();
        assertThat(r.commits()).as("reads the clients saw served").isPositive();
        assertThat(r.reads()).as("reads the nodes served, RaftNode.readsServed()").isPositive();
        assertThat(r.p50Nanos()).isPositive().isLessThanOrEqualTo(r.p99Nanos());
        assertThat(r.p99Nanos()).isLessThanOrEqualTo(r.maxNanos());
        assertThat(r.failures()).isZero();
        assertThat(r.diagnostics()).doesNotContain("stale").doesNotContain("undrained");
    }

    @Test
    @Timeout(60)
    void readIndexReadsAreServedWithoutTheLease() throws Exception {
        TrialResult r = shortTrial("raftengine-read-index");

        assertServedReads(r, "raftengine-read-index");
        assertThat(r.leaseReads()).isZero();
        assertThat(r.leaseFraction()).isZero();
    }

    @Test
    @Timeout(60)
    void leaseReadsAreServedOnTheLease() throws Exception {
        TrialResult r = shortTrial("raftengine-lease-read");

        assertServedReads(r, "raftengine-lease-read");
        assertThat(r.leaseReads()).isPositive().isLessThanOrEqualTo(r.reads());
        // Heartbeats every 100 ms renew a lease of half the minimum election timeout (500 ms): nearly every read
        // of the window takes it; only a stall of the leader longer than that falls back to ReadIndex.
        assertThat(r.leaseFraction()).isGreaterThan(0.5);
    }

    @Test
    @Timeout(60)
    void writersReportNoReads() throws Exception {
        TrialResult r = Trial.run(BenchSystems.create("raftengine"), 4, 64, 1, Duration.ofMillis(300),
                Duration.ofMillis(500));

        assertThat(r.commits()).isPositive();
        assertThat(r.readWorkload()).isFalse();
        assertThat(r.reads()).isEqualTo(-1);
        assertThat(r.leaseFraction()).isEqualTo(-1);
    }

    @Test
    @Timeout(90)
    void aReadTrialInAJvmOfItsOwnReportsItsLeaseReads() throws Exception {
        BenchOptions options = BenchOptions.parse("--reads", "--heap", "512m", "--measure-seconds", "1");

        TrialResult r = TrialProcess.run(options, "raftengine-lease-read", 4, 1, Duration.ofMillis(500));

        assertServedReads(r, "raftengine-lease-read");
        assertThat(r.leaseReads()).isPositive();
    }

    @Test
    void readsPresetRunsWritesBesideBothReadVariantsAtC64() {
        BenchOptions o = BenchOptions.parse("--reads");
        assertThat(o.reads()).isTrue();
        assertThat(o.quick()).isFalse();
        assertThat(o.systems()).containsExactly("raftengine", "raftengine-read-index", "raftengine-lease-read");
        assertThat(o.clients()).containsExactly(64);
        assertThat(o.rounds()).isEqualTo(3);
        assertThat(o.out().toString().replace('\\', '/')).endsWith("target/bench/reads");

        BenchOptions quick = BenchOptions.parse("--reads", "--quick", "--clients", "16,64", "--rounds", "1");
        assertThat(quick.quick()).isTrue();
        assertThat(quick.systems()).isEqualTo(BenchOptions.READS_SYSTEMS);
        assertThat(quick.clients()).containsExactly(16, 64);
        assertThat(quick.rounds()).isEqualTo(1);
        assertThat(quick.measure()).isEqualTo(BenchOptions.quickRun().measure());

        assertThat(BenchOptions.parse("--reads", "--systems", "raftengine-lease-read").systems())
                .containsExactly("raftengine-lease-read");
    }

    @Test
    void aReadResultCrossesFromItsJvmIntact() {
        TrialResult r = new TrialResult("raftengine-lease-read", 64, 2, 1_000_000, 10.0, 20_000, 90_000, 3_000_000,
                25_000, 120, 900, 1L << 28, 1L << 20, 7, 40, 9, 0, 0, 600, "", 1_000_050, 999_990);
        TrialResult back = TrialResult.parse(r.toLine());
        assertThat(back).isEqualTo(r);
        assertThat(back.leaseFraction()).isCloseTo(0.99994, org.assertj.core.data.Offset.offset(1e-5));
    }

    @Test
    void readLinesGiveReadsOverWritesAndTheLeaseShare() {
        List<Summary> summaries = List.of(
                summary("raftengine", 64, 400_000, -1, -1),
                summary("raftengine-read-index", 64, 600_000, 6_000_000, 0),
                summary("raftengine-lease-read", 64, 1_000_000, 10_000_000, 9_999_000));

        assertThat(BenchMain.readLines(summaries)).containsExactly(
                "reads raftengine-read-index/raftengine c=64: 1.50",
                "reads raftengine-lease-read/raftengine c=64: 2.50",
                "lease raftengine-read-index c=64: 0.00% of 6,000,000 reads served on the lease",
                "lease raftengine-lease-read c=64: 99.99% of 10,000,000 reads served on the lease");
        assertThat(BenchMain.ratioLines(summaries)).isEmpty();
        assertThat(summaries.get(2).line()).contains("lease=99.99% (9999000 of 10000000 reads served in the windows)");
        assertThat(summaries.get(0).line()).doesNotContain("lease=");

        String md = BenchReport.markdown(summaries, BenchOptions.parse("--reads"));
        assertThat(md).contains("## Linearizable reads beside writes")
                .contains("| raftengine | 64 | 400,000 |")
                .contains("| raftengine-lease-read | 64 | 1,000,000 |")
                .contains("| 99.99% | 2.50 |")
                .contains("| 0.00% | 1.50 |")
                .doesNotContain("## Throughput ratio");
    }

    private static Summary summary(String system, int clients, long opsPerSecond, long reads, long leaseReads) {
        TrialResult r = new TrialResult(system, clients, 1, opsPerSecond, 1.0, 1, 2, 3, 1.5, 100, 1000, 1, 1,
                0, 0, 0, 0, 0, 10, "", reads, leaseReads);
        return Summary.of(List.of(r));
    }
}
