package org.raftengine.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class BenchOptionsTest {

    @Test
    void quickIsC64WithRaftengineAndMicroraft() {
        BenchOptions o = BenchOptions.parse("--quick");
        assertThat(o.quick()).isTrue();
        assertThat(o.clients()).containsExactly(64);
        assertThat(o.systems()).containsExactly("raftengine", "microraft");
        // Budget: 2 systems x 3 rounds, each a fresh JVM with the JIT's warm-up, the warm-up and the measure,
        // leaving some 20 s of the 90 for starting JVMs and clusters.
        long seconds = 2L * o.rounds() * o.warmup().plus(o.jitWarmup()).plus(o.measure()).toSeconds();
        assertThat(seconds).isLessThanOrEqualTo(66);
        assertThat(o.sameJvm()).isFalse();
        assertThat(o.heap()).isEqualTo("2g");
    }

    @Test
    void everyTrialGetsAJvmOfItsOwnWithTheSameFlags() {
        BenchOptions o = BenchOptions.parse();
        assertThat(o.sameJvm()).isFalse();
        assertThat(o.preTouch()).isFalse();
        assertThat(TrialProcess.jvmFlags(o)).startsWith("-Xmx2g").doesNotContain("-XX:+AlwaysPreTouch");
        BenchOptions touched = BenchOptions.parse("--heap", "4g", "--pre-touch", "--same-jvm");
        assertThat(touched.sameJvm()).isTrue();
        assertThat(TrialProcess.jvmFlags(touched)).startsWith("-Xmx4g", "-Xms4g", "-XX:+AlwaysPreTouch");
        assertThatThrownBy(() -> BenchOptions.parse("--heap", "lots")).hasMessageContaining("--heap");
    }

    @Test
    void aTrialResultCrossesFromItsJvmIntact() {
        TrialResult r = new TrialResult("microraft", 64, 2, 123_456, 10.001, 1_000, 2_000, 3_000, 1_234.5, 456.7,
                8_900.1, 1L << 30, 1L << 20, 17, 250, 31, 4, 5, 812, "leader=n2\tterm=3");
        TrialResult back = TrialResult.parse(r.toLine());
        assertThat(back).usingRecursiveComparison().ignoringFields("diagnostics").isEqualTo(r);
        assertThat(back.diagnostics()).isEqualTo("leader=n2 term=3");
        assertThat(back.gcPercent()).isCloseTo(2.5, org.assertj.core.data.Offset.offset(0.01));
        assertThatThrownBy(() -> TrialResult.parse("raftengine\t64")).hasMessageContaining("not a trial result");
    }

    @Test
    void optionsOverrideTheDefaults() {
        BenchOptions o = BenchOptions.parse("--clients", "1,16", "--systems=raftengine,raftengine-codec",
                "--warmup-seconds", "2.5", "--measure-seconds", "7", "--rounds", "5");
        assertThat(o.quick()).isFalse();
        assertThat(o.clients()).containsExactly(1, 16);
        assertThat(o.systems()).containsExactly("raftengine", "raftengine-codec");
        assertThat(o.warmup()).isEqualTo(Duration.ofMillis(2500));
        assertThat(o.measure()).isEqualTo(Duration.ofSeconds(7));
        assertThat(o.rounds()).isEqualTo(5);
        assertThat(BenchOptions.parse().clients()).isEqualTo(List.of(1, 16, 64, 256));
    }

    @Test
    void badOptionsAreRefused() {
        assertThatThrownBy(() -> BenchOptions.parse("--systems", "etcd")).hasMessageContaining("unknown system");
        assertThatThrownBy(() -> BenchOptions.parse("--clients", "0")).hasMessageContaining("positive");
        assertThatThrownBy(() -> BenchOptions.parse("--frobnicate", "1")).hasMessageContaining("unknown option");
        assertThatThrownBy(() -> BenchOptions.parse("--rounds")).hasMessageContaining("needs a value");
    }

    @Test
    void ratioLinesComeLastAndDivideMedianThroughputs() {
        List<Summary> summaries = List.of(
                summary("raftengine", 64, 300), summary("raftengine-codec", 64, 240), summary("microraft", 64, 200));
        assertThat(BenchMain.ratioLines(summaries)).containsExactly(
                "codec raftengine-codec/raftengine c=64: 0.80",
                "ratio raftengine/microraft c=64: 1.50");
    }

    @Test
    void ratioLinesCoverEveryPeerWithC64Last() {
        List<Summary> summaries = List.of(
                summary("raftengine", 16, 300), summary("microraft", 16, 150), summary("jgroups-raft", 16, 100),
                summary("raftengine", 64, 400), summary("microraft", 64, 200), summary("jgroups-raft", 64, 100),
                summary("raftengine", 256, 500), summary("microraft", 256, 500), summary("jgroups-raft", 256, 250));
        assertThat(BenchMain.ratioLines(summaries)).containsExactly(
                "ratio raftengine/microraft c=16: 2.00",
                "ratio raftengine/jgroups-raft c=16: 3.00",
                "ratio raftengine/microraft c=256: 1.00",
                "ratio raftengine/jgroups-raft c=256: 2.00",
                "ratio raftengine/microraft c=64: 2.00",
                "ratio raftengine/jgroups-raft c=64: 4.00");
    }

    @Test
    void outDefaultsToTheModulesTargetAndCanBeSet() {
        assertThat(BenchOptions.parse().out().toString().replace('\\', '/')).endsWith("target/bench");
        assertThat(BenchOptions.parse("--out", "/tmp/somewhere").out()).isEqualTo(Path.of("/tmp/somewhere"));
        assertThat(BenchOptions.parse("--out=rel/dir").out()).isEqualTo(Path.of("rel/dir"));
    }

    private static Summary summary(String system, int clients, long commitsPerSecond) {
        TrialResult r = new TrialResult(system, clients, 1, commitsPerSecond, 1.0, 1, 2, 3, 1.5, 100, 1000, 1, 1,
                0, 0, 0, 0, 0, 10, "");
        return Summary.of(List.of(r));
    }
}
