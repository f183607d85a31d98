package org.raftengine.testkit.scenarios;

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
 * {@code -Dsim.nodes=K} (force the cluster size), {@code -Dsim.mix=v1|v2|v3|v4}, {@code -Dsim.maxFailures=K}
 * (default 5: stop after K failing seeds). Replay one seed with {@code -Dsim.firstSeed=S -Dsim.seeds=1},
 * or run {@code bin/simulate --from S --seeds 1}; a longer sweep is {@code bin/simulate --seeds 100000}.
 */
class RandomizedFaultsTest {

    /**
     * Seeds run by default: 11 s of wall time on a quiet 2-core machine (about 90 seeds/s), 36 s on one
     * with a load average of 8.
     */
    private static final int DEFAULT_SEEDS = 1000;

    @Test
    void randomFaultSchedulesKeepSafetyLivenessAndLinearizability() {
        long first = Long.getLong("sim.firstSeed", 1L);
        int count = Integer.getInteger("sim.seeds", DEFAULT_SEEDS);
        int maxFailures = Integer.getInteger("sim.maxFailures", 5);
        Nemesis.Options options = Nemesis.Options.DEFAULTS
                .withNodes(Integer.getInteger("sim.nodes", 0))
                .withMix(Nemesis.Mix.parse(System.getProperty("sim.mix", Nemesis.Mix.LATEST.flag())));
        List<SeedResult> failures = new ArrayList<>();
        long started = System.nanoTime();
        long committed = 0;
        long elections = 0;
        long skipped = 0;
        int ran = 0;
        for (long seed = first; seed < first + count && failures.size() < maxFailures; seed++) {
            ran++;
            SeedResult r = Nemesis.run(seed, options);
            committed += r.commandsCommitted();
            elections += r.elections();
            if (r.linearizability() == SeedResult.Linearizability.SKIPPED_BUDGET) {
                skipped++;
            }
            if (!r.passed()) {
                System.out.println("[RandomizedFaultsTest] FAILED seed " + seed + ": " + r.headline());
                failures.add(r);
            }
        }
        double secs = (System.nanoTime() - started) / 1e9;
        System.out.printf(Locale.ROOT, "[RandomizedFaultsTest] %d seeds (%d..%d) in %.1f s: %.1f seeds/s; %d commands"
                + " committed, %d elections, linearizability skipped on %d; %d failed%n", ran, first, first + ran - 1,
                secs, ran / secs, committed, elections, skipped, failures.size());
        if (!failures.isEmpty()) {
            StringBuilder sb = new StringBuilder(failures.size() + " of " + ran + " seeds failed:");
            for (SeedResult f : failures) {
                sb.append("\n  seed ").append(f.seed()).append(": ").append(f.invariant()).append(" (replay: ")
                        .append(f.replayCommand()).append(", or -Dsim.firstSeed=").append(f.seed())
                        .append(" -Dsim.seeds=1)");
            }
            sb.append("\n\nFirst failure:\n").append(failures.get(0).violation().getMessage());
            throw new AssertionError(sb.toString(), failures.get(0).violation());
        }
    }
}
