package org.raftengine.testkit.scenarios;

import static org.assertj.core.api.Assertions.assertThat;
import static org.raftengine.testkit.scenarios.Scenarios.bytes;
import static org.raftengine.testkit.scenarios.Scenarios.lastIndex;
import static org.raftengine.testkit.scenarios.Scenarios.seconds;
import static org.raftengine.testkit.scenarios.Scenarios.settings;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.raftengine.core.CommandResult;
import org.raftengine.core.RaftNodeConfig;
import org.raftengine.core.internal.RuleBreach;
import org.raftengine.testkit.sim.ClientOperation;
import org.raftengine.testkit.sim.NetworkFaults;
import org.raftengine.testkit.sim.SimCluster;

/** Replication, commit and durability, each a script on the simulator. */
class ReplicationScenariosTest {

    /**
     * The Raft paper's Figure 8, on five nodes with one entry per AppendEntries so the steps can be
     * held apart. X, appended by leader L in term t1, ends up on a majority (L, B, C) while L leads a
     * later term; L must not count it committed, since D can still be elected and overwrite it. If L
     * did, SAME-APPLY or COMPLETE fails when D overwrites X.
     */
    @Test
    @DisplayName("23: Figure 8, a new leader never commits an entry of an older term by counting")
    void figure8AnEntryOfAnOlderTermIsNeverCommittedByCounting() {
        figure8(Set.of());
    }

    /**
     * The Figure 8 script, on nodes that break {@code breaches}; with none, it asserts along the way that
     * X is never committed and never applied. {@link CheckersCatchBrokenEnginesTest} runs it on leaders
     * that commit by counting.
     */
    static void figure8(Set<RuleBreach> breaches) {
        boolean honest = breaches.isEmpty();
        SimCluster c = SimCluster.builder().seed(8).nodeCount(5)
                .settings(settings(false, false).withBatching(1, 1 << 20, 16))
                .breakingRules(breaches).build();
        c.start();
        String l = Scenarios.awaitSettledLeader(c, seconds(10));
        List<String> rest = Scenarios.others(c, l);
        String a = rest.get(0);
        String b = rest.get(1);
        String cc = rest.get(2);
        String d = rest.get(3);
        // (a) L and A apart from B, C, D; X reaches A only.
        c.network().partition(List.of(l, a), List.of(b, cc, d));
        long k = lastIndex(c, l) + 1;
        CompletionStage<CommandResult> x = c.submit(l, bytes("cmd-x"));
        assertThat(c.runUntil(() -> lastIndex(c, a) >= k, seconds(1))).isTrue();
        c.crash(l);
        c.crash(a);
        // (b) D is elected by B, C, D and appends its term-start entry at index k, which nobody receives.
        assertThat(c.runUntil(() -> c.leader() != null, seconds(10))).isTrue();
        String elected = c.leader();
        c.network().isolate(elected);
        String winner = elected;
        assertThat(c.runUntil(() -> c.log(winner).lastIndex() >= k, seconds(1))).isTrue();
        c.crash(elected);
        if (!elected.equals(d)) { // name the overwriting node D whichever of the three won
            String swap = d;
            d = elected;
            if (b.equals(elected)) {
                b = swap;
            } else {
                cc = swap;
            }
        }
        assertThat(c.logEntries(d)).anySatisfy(e -> assertThat(e.index()).isEqualTo(k));
        // (c) L comes back and is elected by L, B, C; it gives X (index k) to B and C, and then nothing more.
        c.network().heal();
        c.network().isolate(d);
        c.restart(l);
        String bb = b;
        String cx = cc;
        assertThat(c.runUntil(() -> l.equals(c.leader()), seconds(20))).isTrue();
        boolean cutB = false;
        boolean cutC = false;
        while (!(cutB && cutC)) {
            assertThat(c.simulation().step()).isTrue();
            if (!cutB && lastIndex(c, bb) >= k) {
                c.network().cutOneWay(l, bb);
                cutB = true;
            }
            if (!cutC && lastIndex(c, cx) >= k) {
                c.network().cutOneWay(l, cx);
                cutC = true;
            }
        }
        c.runFor(seconds(1));
        if (honest) {
            assertThat(c.status(l).commitIndex()).as("X is on a majority but of an older term: not committed")
                    .isLessThan(k);
        }
        // (d) L crashes; D is elected by B and C and overwrites X.
        c.crash(l);
        c.network().heal();
        c.restart(d);
        String dd = d;
        assertThat(c.runUntil(() -> dd.equals(c.leader()) && c.status(bb).appliedIndex() >= k, seconds(30))).isTrue();
        CommandResult outcome = x.toCompletableFuture().getNow(null); // L crashed: its client saw no answer
        assertThat(outcome == null || !outcome.isOk()).isTrue();
        assertThat(Scenarios.occurrences(c, bb, bytes("cmd-x"))).isZero();
    }

    /**
     * Network 8: with every message possibly duplicated and heavily reordered, no committed entry is
     * truncated, and commit and applied indexes never move back (MONOTONIC and LOG-MATCH are checked
     * by the simulator after every step); every command still commits exactly once.
     */
    @ParameterizedTest(name = "{0} nodes")
    @ValueSource(ints = {3, 5})
    @DisplayName("8: loss, duplication and reordering never truncate matching entries nor move indexes back")
    void duplicatedAndReorderedMessagesNeverUndoProgress(int nodes) {
        for (long seed = 1; seed <= 10; seed++) {
            SimCluster c = SimCluster.builder().seed(seed).nodeCount(nodes).settings(settings(true, true))
                    .networkFaults(new NetworkFaults(0.0, 0.5, Duration.ofMillis(1), Duration.ofMillis(60)))
                    .build();
            c.start();
            String leader = Scenarios.awaitSettledLeader(c, seconds(20));
            assertThat(leader).isNotNull();
            for (int i = 0; i < 100; i++) {
                c.submit(c.nodeIds().get(i % nodes), bytes("s" + seed + "-" + i));
                c.runFor(Duration.ofMillis(5));
            }
            c.runFor(seconds(5));
            for (ClientOperation op : c.history().operations()) {
                if (op.isOk()) {
                    assertThat(Scenarios.occurrences(c, c.leader(), op.command())).isEqualTo(1);
                }
            }
            assertThat(c.history().acknowledgedCount()).as("seed %d", seed).isGreaterThan(90);
        }
    }

    /**
     * Crash and storage 13: followers whose disk is slow have the entry in memory but not durable; a
     * crash loses it there. The leader must not have counted them, so nothing acknowledged is lost.
     */
    @Test
    @DisplayName("13: a crash between append and acknowledgement loses nothing acknowledged")
    void aCrashBetweenAppendAndAcknowledgementLosesNothingAcknowledged() {
        SimCluster c = SimCluster.builder().seed(13).nodeCount(3).settings(settings(true, true)).build();
        c.start();
        String leader = Scenarios.awaitSettledLeader(c, seconds(10));
        for (String f : Scenarios.others(c, leader)) {
            c.setStorageDelay(f, Duration.ofMillis(200), Duration.ofMillis(200));
        }
        long k = lastIndex(c, leader) + 1;
        CompletionStage<CommandResult> x = c.submit(leader, bytes("cmd-x"));
        assertThat(c.runUntil(() -> Scenarios.others(c, leader).stream().allMatch(f -> lastIndex(c, f) >= k),
                seconds(1))).isTrue();
        assertThat(c.status(leader).commitIndex()).as("appended in memory is not acknowledged").isLessThan(k);
        for (String f : Scenarios.others(c, leader)) {
            c.crash(f);
            assertThat(c.log(f).lastIndex()).as("%s never made X durable", f).isLessThan(k);
            c.setStorageDelay(f, Duration.ZERO, Duration.ZERO);
            c.restart(f);
        }
        c.runFor(seconds(3));
        assertThat(x.toCompletableFuture().getNow(null)).isInstanceOf(CommandResult.Ok.class);
        for (String id : c.nodeIds()) {
            assertThat(Scenarios.occurrences(c, id, bytes("cmd-x"))).isEqualTo(1);
        }
    }

    /**
     * Crash and storage 15: a single node is its own majority, so it must count itself only once its
     * storage holds the entry. Its disk is slow; after every step its reported commit index, and every
     * answer Ok given in that step, are checked against storage, and crashes in the middle of the load
     * lose nothing answered Ok.
     */
    @Test
    @DisplayName("15: a single-node cluster reports nothing committed before it is durable; crashes lose nothing acknowledged")
    void aSingleNodeAcknowledgesOnlyWhatIsDurable() {
        SimCluster c = SimCluster.builder().seed(15).nodeCount(1).settings(settings(true, true)).build();
        c.start();
        String n = Scenarios.awaitSettledLeader(c, seconds(5));
        c.setStorageDelay(n, Duration.ofMillis(30), Duration.ofMillis(120));
        int checked = 0;
        for (int round = 0; round < 5; round++) {
            for (int i = 0; i < 20; i++) {
                c.submit(n, bytes("single-" + round + "-" + i));
                long end = c.now() + Duration.ofMillis(9).toNanos();
                while (c.now() < end && c.simulation().step()) {
                    if (c.isUp(n)) {
                        assertThat(c.status(n).commitIndex()).as("commit index reported at %d ns", c.now())
                                .isLessThanOrEqualTo(c.log(n).lastIndex());
                    }
                    for (; checked < c.history().acknowledgedCount(); checked++) {
                        ClientOperation op = c.history().acknowledgedAt(checked);
                        long index = ((CommandResult.Ok) op.result()).index();
                        assertThat(c.log(n).lastIndex()).as("storage when %s was answered", op)
                                .isGreaterThanOrEqualTo(index);
                        assertThat(c.log(n).read(index, index, 1 << 20).get(0).data()).isEqualTo(op.command());
                    }
                }
            }
            c.crash(n);
            c.restart(n);
            assertThat(c.awaitLeader(seconds(5))).isEqualTo(n);
        }
        c.runFor(seconds(1));
        assertThat(checked).as("answers checked").isGreaterThan(50);
        for (ClientOperation op : c.history().acknowledged()) {
            assertThat(Scenarios.occurrences(c, n, op.command())).isEqualTo(1);
        }
    }

    /** Crash and storage 13/16: a majority, leader included, crashes and restarts; no acknowledged command is lost. */
    @Test
    @DisplayName("13 and 16: a majority, leader included, crashes and restarts: no acknowledged command is lost")
    void aCrashRestartOfAMajorityLosesNoAcknowledgedCommand() {
        SimCluster c = SimCluster.builder().seed(16).nodeCount(5).settings(settings(true, true)).build();
        c.start();
        String leader = Scenarios.awaitSettledLeader(c, seconds(10));
        for (int round = 0; round < 5; round++) {
            for (int i = 0; i < 20; i++) {
                c.submit(c.nodeIds().get(i % 5), bytes("r" + round + "-" + i));
            }
            c.runFor(Duration.ofMillis(30)); // some acknowledged, some in flight
            List<String> victims = new ArrayList<>(List.of(leader));
            victims.addAll(Scenarios.others(c, leader).subList(0, 2));
            for (String v : victims) {
                c.crash(v);
            }
            c.runFor(Duration.ofMillis(100));
            for (String v : victims) {
                c.restart(v);
            }
            leader = Scenarios.awaitSettledLeader(c, seconds(20));
            assertThat(leader).isNotNull();
        }
        c.runFor(seconds(3));
        assertThat(c.history().acknowledgedCount()).isPositive();
        for (ClientOperation op : c.history().acknowledged()) {
            for (String id : c.nodeIds()) {
                assertThat(Scenarios.occurrences(c, id, op.command())).as("%s holds %s", id, op).isEqualTo(1);
            }
        }
    }

    /**
     * Clients 27: a forwarded command that the transport duplicates (here: every message, twice) is
     * appended once.
     */
    @Test
    void aForwardedCommandDeliveredTwiceIsAppendedOnce() {
        SimCluster c = SimCluster.builder().seed(27).nodeCount(3).settings(settings(true, true))
                .networkFaults(new NetworkFaults(0.0, 1.0, Duration.ofMillis(1), Duration.ofMillis(10)))
                .build();
        c.start();
        String leader = Scenarios.awaitSettledLeader(c, seconds(10));
        String follower = Scenarios.others(c, leader).get(0);
        for (int i = 0; i < 30; i++) {
            c.submit(follower, bytes("fwd-" + i));
        }
        c.runFor(seconds(3));
        assertThat(c.network().stats().duplicated()).isPositive();
        for (int i = 0; i < 30; i++) {
            assertThat(Scenarios.occurrences(c, leader, bytes("fwd-" + i))).as("fwd-%d", i).isEqualTo(1);
        }
        assertThat(c.history().acknowledgedCount()).isEqualTo(30);
    }

    /** With forwarding off, a follower answers with the leader's id instead. */
    @Test
    void aFollowerThatDoesNotForwardRedirectsToTheLeader() {
        SimCluster c = SimCluster.builder().seed(3).nodeCount(3)
                .configure(cfg -> cfg.withForwardToLeader(false)).build();
        c.start();
        String leader = Scenarios.awaitSettledLeader(c, seconds(10));
        CompletionStage<CommandResult> r = c.submit(Scenarios.others(c, leader).get(0), bytes("x"));
        c.runFor(Duration.ofMillis(100));
        assertThat(r.toCompletableFuture().getNow(null)).isEqualTo(new CommandResult.Redirect(leader));
    }

    /**
     * Network 10: with a follower down and clients pushing, the leader refuses new commands with Retry
     * once the uncommitted bytes reach the bound, instead of growing memory.
     */
    @Test
    @DisplayName("10: with a follower down, back-pressure refuses commands rather than exhausting memory")
    void backPressureRefusesCommandsPastTheUncommittedBound() {
        SimCluster c = SimCluster.builder().seed(10).nodeCount(3)
                .settings(settings(true, true).withLimits(10_000, 100_000)).build();
        c.start();
        String leader = Scenarios.awaitSettledLeader(c, seconds(10));
        for (String f : Scenarios.others(c, leader)) {
            c.crash(f); // nothing can commit
        }
        List<CompletionStage<CommandResult>> results = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            results.add(c.submit(leader, new byte[500]));
        }
        c.runFor(Duration.ofMillis(200));
        long retries = results.stream().map(f -> f.toCompletableFuture().getNow(null))
                .filter(r -> r instanceof CommandResult.Retry).count();
        assertThat(retries).as("about 10 KB of 500-byte commands fit").isBetween(75L, 85L);
        RaftNodeConfig unused = null; // keeps the import honest when configs are not customised
        assertThat(unused).isNull();
    }

    /**
     * A command larger than the leader could ever hold uncommitted is refused for good, naming the limit,
     * both on the leader and through a forwarding follower; a Retry would be retried forever.
     */
    @Test
    void aCommandLargerThanTheUncommittedBoundIsRefusedNamingTheLimit() {
        SimCluster c = SimCluster.builder().seed(11).nodeCount(3)
                .settings(settings(true, true).withLimits(10_000, 100_000)).build();
        c.start();
        String leader = Scenarios.awaitSettledLeader(c, seconds(10));
        CompletionStage<CommandResult> direct = c.submit(leader, new byte[10_001]);
        CompletionStage<CommandResult> forwarded = c.submit(Scenarios.others(c, leader).get(0), new byte[20_000]);
        CompletionStage<CommandResult> fits = c.submit(leader, new byte[9_000]);
        c.runFor(Duration.ofMillis(300));
        for (CompletionStage<CommandResult> r : List.of(direct, forwarded)) {
            assertThat(r.toCompletableFuture().getNow(null)).isInstanceOfSatisfying(CommandResult.Refused.class,
                    refused -> assertThat(refused.reason()).contains("maxUncommittedBytes 10000"));
        }
        assertThat(fits.toCompletableFuture().getNow(null)).isInstanceOf(CommandResult.Ok.class);
    }
}
