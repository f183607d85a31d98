package org.raftengine.testkit.scenarios;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.raftengine.testkit.nemesis.Nemesis;
import org.raftengine.testkit.nemesis.SeedResult;

/**
 * The randomized fault sweep, as a test: {@link Nemesis} over a range of seeds (1, 3 and 5 nodes,
 * crashes, partitions of every shape, loss, duplication, reordering, slow and failing storage, clock
 * skew, client traffic; then LIVE, RETRY-SAFE, LINEARIZABLE and the rest after the heal).
 *
 * <p>A failure names its seeds and the command that replays each; the traces are under
 * {@code target/sim-failures/seed-<seed>.txt} and {@code .puml}. System properties:
 * {@code -Dsim.seeds=N} (default {@value #DEFAULT_SEEDS}), {@code -Dsim.firstSeed=S} (default 1),
 * {@code -Dsim.nodes=K} (force the cluster size), {@code -Dsim.mix=v1|v2|v3|v4|v5|v6|v7}, {@code -Dsim.maxFailures=K}
 * (default 5: stop after K failing seeds). Replay one seed with {@code -Dsim.firstSeed=S -Dsim.seeds=1},
 * or run {@code bin/simulate --from S --seeds 1}; a longer sweep is {@code bin/simulate --seeds 100000}.
 */
class RandomizedFaultsTest {

    /**
     * Seeds run by default: 11 s of wall time on a quiet 2-core machine (about 90 seeds/s) with mix V6, 36 s on one
     * with a load average of 8; mix V7 (membership changes, up to two more nodes) takes about a fifth more.
     */
    private static final int DEFAULT_SEEDS = 1000;

    /**
     * Seeds of the batching sweep by default: state machines applying each batch in one atomic step, with
     * failing commits and rejected commands (see {@link Nemesis.Options#batchingStateMachines()}).
     */
    private static final int DEFAULT_BATCHING_SEEDS = 300;

    @Test
    void randomFaultSchedulesKeepSafetyLivenessAndLinearizability() {
        Nemesis.Options options = Nemesis.Options.DEFAULTS
                .withNodes(Integer.getInteger("sim.nodes", 0))
                .withMix(Nemesis.Mix.parse(System.getProperty("sim.mix", Nemesis.Mix.LATEST.flag())));
        sweep("RandomizedFaultsTest", options, "sim.seeds", DEFAULT_SEEDS);
    }

    /**
     * The same sweep with state machines that apply in batches: every batch one atomic step, aborted and
     * applied again one entry per step after a rejection or a failure (applies and commits fail now and then),
     * with every invariant and the linearizability check on. {@code -Dsim.batchingSeeds=N} (default
     * {@value #DEFAULT_BATCHING_SEEDS}); {@code bin/simulate --batching} runs more.
     */
    @Test
    void randomFaultSchedulesWithStateMachinesApplyingInBatches() {
        Nemesis.Options options = Nemesis.Options.DEFAULTS
                .withNodes(Integer.getInteger("sim.nodes", 0))
                .withMix(Nemesis.Mix.parse(System.getProperty("sim.mix", Nemesis.Mix.LATEST.flag())))
                .withBatchingStateMachines(true);
        List<SeedResult> results = sweep("RandomizedFaultsTest, batching", options, "sim.batchingSeeds",
                DEFAULT_BATCHING_SEEDS);
        long committed = 0;
        long discarded = 0;
        long largest = 0;
        for (SeedResult r : results) {
            committed += r.steps().committed();
            discarded += r.steps().discarded();
            largest = Math.max(largest, r.steps().largest());
        }
        System.out.printf(Locale.ROOT, "[RandomizedFaultsTest, batching] %d steps committed (the largest of %d"
                + " entries), %d aborted, failed at their commit or lost%n", committed, largest, discarded);
        assertThat(committed).as("steps committed").isPositive();
        assertThat(largest).as("batches of more than one entry").isGreaterThan(1);
        assertThat(discarded).as("steps aborted (rejections, failures) and applied again").isPositive();
    }

    /**
     * Runs {@code -D<countProperty>} seeds (default {@code defaultCount}) from {@code -Dsim.firstSeed} (default
     * 1); fails naming the failing ones.
     */
    private static List<SeedResult> sweep(String name, Nemesis.Options options, String countProperty,
                                          int defaultCount) {
        int count = Integer.getInteger(countProperty, defaultCount);
        long first = Long.getLong("sim.firstSeed", 1L);
        int maxFailures = Integer.getInteger("sim.maxFailures", 5);
        List<SeedResult> results = new ArrayList<>();
        List<SeedResult> failures = new ArrayList<>();
        long started = System.nanoTime();
        long committed = 0;
        long elections = 0;
        long skipped = 0;
        int ran = 0;
        for (long seed = first; seed < first + count && failures.size() < maxFailures; seed++) {
            ran++;
            SeedResult r = Nemesis.run(seed, options);
            results.add(r);
            committed += r.commandsCommitted();
            elections += r.elections();
            if (r.linearizability() == SeedResult.Linearizability.SKIPPED_BUDGET) {
                skipped++;
            }
            if (!r.passed()) {
                System.out.println("[" + name + "] FAILED seed " + seed + ": " + r.headline());
                failures.add(r);
            }
        }
        double secs = (System.nanoTime() - started) / 1e9;
        System.out.printf(Locale.ROOT, "[%s] %d seeds (%d..%d) in %.1f s: %.1f seeds/s; %d commands"
                + " committed, %d elections, linearizability skipped on %d; %d failed%n", name, ran, first,
                first + ran - 1, secs, ran / secs, committed, elections, skipped, failures.size());
        if (!failures.isEmpty()) {
            StringBuilder sb = new StringBuilder(failures.size() + " of " + ran + " seeds failed:");
            for (SeedResult f : failures) {
                sb.append("\n  seed ").append(f.seed()).append(": ").append(f.invariant()).append(" (replay: ")
                        .append(f.replayCommand()).append(", or -Dsim.firstSeed=").append(f.seed())
                        .append(" -D").append(countProperty).append("=1)");
            }
            sb.append("\n\nFirst failure:\n").append(failures.get(0).violation().getMessage());
            throw new AssertionError(sb.toString(), failures.get(0).violation());
        }
        return results;
    }
}
