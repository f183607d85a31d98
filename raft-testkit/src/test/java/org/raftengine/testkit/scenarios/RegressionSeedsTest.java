package org.raftengine.testkit.scenarios;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.raftengine.testkit.nemesis.Nemesis;
import org.raftengine.testkit.nemesis.Nemesis.Mix;
import org.raftengine.testkit.nemesis.SeedResult;

/**
 * Frozen seeds: {@link Nemesis} seeds that once failed, replayed with the mix that found them, each of
 * which must now pass. A seed found by {@code bin/simulate} goes here with its mix (the failure report
 * prints the replay command, whose {@code --mix} and {@code --nodes} flags, if any, belong here too).
 *
 * <p>What each one caught, as first seen:
 * <ul>
 *   <li>320, 371: a command answered Retry that was in the log after all (RETRY-SAFE);</li>
 *   <li>1223, 2245, 2435: failed while the first sweep was being written (no trace was kept);</li>
 *   <li>2178: no commit after the heal (LIVE);</li>
 *   <li>6696: RETRY-SAFE again, 5 nodes, tight back-pressure;</li>
 *   <li>11353, 19810: 5 nodes, a committed command some node never applies after the heal (LIVE).</li>
 *   <li>V2 2245, 5758, 6569: the same LIVE failure (one entry per AppendEntries, one in flight), V2
 *   11817: RETRY-SAFE; found by the first V2 sweep. These four, and 6696, 11353 and 19810, fail on
 *   the engine of 2118227 and pass since a3368cb (forwarded commands, re-sent slots).</li>
 *   <li>V4 (snapshots), found by its first sweeps: 287 and 295, a follower asked to compare an entry it had
 *   compacted away (an internal error); 366, a follower answered "installed" for committed entries that
 *   were not yet durable, then lost them in a crash, and the leader probed past its log forever (LIVE);
 *   1984, a node restarted with no configuration known at its applied index, where it then took a
 *   snapshot (an internal error).</li>
 *   <li>V7 (membership), found by its first sweeps: 23, DURABLE's majority check too strict (an entry committed by
 *   a majority of the configuration just appended, one voter more than the committed one); 516, RETRY-SAFE looking
 *   at the stale tail of a node outside the configuration; 1663, LIVE waiting on a command taken by a leader that
 *   then removed itself (the checkers, fixed); 4675 and 4807, no leader ever after a leader removed itself and
 *   restarted before the removal committed (LIVE; the engine, fixed: a voter whose removal is pending may campaign).</li>
 * </ul>
 */
class RegressionSeedsTest {

    static Stream<Arguments> frozenSeeds() {
        return Stream.of(
                frozen(Mix.V1, 320),
                frozen(Mix.V1, 371),
                frozen(Mix.V1, 1223),
                frozen(Mix.V1, 2178),
                frozen(Mix.V1, 2245),
                frozen(Mix.V1, 2435),
                frozen(Mix.V1, 6696),
                frozen(Mix.V1, 11353),
                frozen(Mix.V1, 19810),
                frozen(Mix.V2, 2245),
                frozen(Mix.V2, 5758),
                frozen(Mix.V2, 6569),
                frozen(Mix.V2, 11817),
                frozen(Mix.V4, 287),
                frozen(Mix.V4, 295),
                frozen(Mix.V4, 366),
                frozen(Mix.V4, 1984),
                frozen(Mix.V7, 23),
                frozen(Mix.V7, 516),
                frozen(Mix.V7, 1663),
                frozen(Mix.V7, 4675),
                frozen(Mix.V7, 4807));
    }

    private static Arguments frozen(Mix mix, long seed) {
        return Arguments.of(mix, seed);
    }

    @ParameterizedTest(name = "{0} seed {1}")
    @MethodSource("frozenSeeds")
    void frozenSeedPasses(Mix mix, long seed) {
        SeedResult r = Nemesis.run(seed, Nemesis.Options.DEFAULTS.withMix(mix));
        assertThat(r.violation())
                .withFailMessage(() -> "seed " + seed + " (" + r.setup() + ") failed again; replay: " + r.replayCommand()
                        + "\n" + r.violation().getMessage())
                .isNull();
    }
}
