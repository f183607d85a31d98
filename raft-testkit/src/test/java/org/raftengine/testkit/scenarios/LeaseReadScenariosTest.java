package org.raftengine.testkit.scenarios;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.raftengine.testkit.scenarios.Scenarios.bytes;
import static org.raftengine.testkit.scenarios.Scenarios.seconds;
import static org.raftengine.testkit.scenarios.Scenarios.settings;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.raftengine.core.ClusterSettings;
import org.raftengine.core.CommandResult;
import org.raftengine.core.ReadResult;
import org.raftengine.core.internal.RuleBreach;
import org.raftengine.core.message.AppendEntries;
import org.raftengine.core.message.TimeoutNow;
import org.raftengine.testkit.lin.CheckResult;
import org.raftengine.testkit.nemesis.LogLinearizability;
import org.raftengine.testkit.sim.ClientOperation;
import org.raftengine.testkit.sim.SimCluster;
import org.raftengine.testkit.sim.SimStateMachine;

/**
 * Lease reads (opt-in, {@code RaftNodeConfig.withLeaseReads}; issue 10 item 4): only with CheckQuorum, from
 * when the confirming round was sent, on the monotonic clock, with half the minimum election timeout as the
 * margin for drift, ended by TimeoutNow, and resting on the voters' stickiness, which a restart must not wipe.
 * RELIABILITY 25 by name; the linearizability checker judges every history.
 */
class LeaseReadScenariosTest {

    private static <T> T await(SimCluster c, CompletionStage<T> stage, Duration max) {
        CompletableFuture<T> f = stage.toCompletableFuture();
        assertThat(c.runUntil(f::isDone, max)).as("answered within %s", max).isTrue();
        return f.join();
    }

    private static SimCluster cluster(long seed, int nodes, ClusterSettings settings, Set<RuleBreach> breaches) {
        return SimCluster.builder().seed(seed).nodeCount(nodes).settings(settings)
                .configure(n -> n.withCommandTimeout(Duration.ofMillis(500)))
                .breakingRules(breaches).build();
    }

    private static CheckResult check(SimCluster c) {
        return LogLinearizability.check(c.history(), 1_000_000);
    }

    private static long okReadsOn(SimCluster c, String node, int fromOp) {
        return c.history().operations().subList(fromOp, c.history().size()).stream()
                .filter(o -> o.isLinearizableRead() && o.node().equals(node) && o.isOk()).count();
    }

    @Test
    @DisplayName("on a lease the leader reads without a heartbeat round; leases only with CheckQuorum; off, ReadIndex")
    void leaseReadsNeedNoRoundAndOnlyWithCheckQuorum() {
        assertThatThrownBy(() -> settings(true, false).withLeaseReads(true))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("checkQuorum");
        assertThat(settings(true, true).withLeaseReads(true).withCheckQuorum(false).leaseReads()).isFalse();
        for (boolean lease : new boolean[] {true, false}) {
            SimCluster c = cluster(51, 3, settings(true, true).withLeaseReads(lease), Set.of());
            c.start();
            String leader = Scenarios.awaitSettledLeader(c, seconds(10));
            await(c, c.submit(leader, bytes("x")), seconds(2));
            c.runFor(Duration.ofMillis(60)); // a tick's round confirmed
            Set<Long> rounds = new HashSet<>();
            c.network().addSendListener(m -> {
                if (m instanceof AppendEntries a && a.from().equals(leader)) {
                    rounds.add(a.round());
                }
            });
            ReadResult<SimStateMachine.QueryView> r = await(c, c.read(leader), seconds(1));
            assertThat(r).isInstanceOf(ReadResult.Ok.class);
            if (lease) {
                assertThat(c.node(leader).leaseReads()).isEqualTo(1);
                assertThat(rounds).as("rounds sent for a lease read").isEmpty();
            } else {
                assertThat(c.node(leader).leaseReads()).isZero();
                assertThat(rounds).isNotEmpty();
            }
        }
    }

    /**
     * RELIABILITY 25. Five nodes: the leader L's clock runs slow (0.7), A's and B's fast (1.3); C and D lost L
     * long ago and campaign again and again (PreVote off), held off only by A's and B's stickiness. Right after
     * a heartbeat round L is cut off while its clients keep reading from it; as soon as A's stickiness ends (by
     * its fast clock), C can win with A's vote and write. L serves lease reads for a while after the cut, never
     * after the majority may have moved on: the lease runs half the minimum election timeout, on L's slow clock,
     * from when the confirmed round was sent.
     */
    private static SimCluster skewedLeaderCutOff(long seed, Set<RuleBreach> breaches) {
        SimCluster c = cluster(seed, 5, settings(false, true).withTimeouts(50, 300, 320).withLeaseReads(true),
                breaches);
        c.start();
        String old = Scenarios.awaitSettledLeader(c, seconds(10));
        List<String> others = Scenarios.others(c, old);
        c.setClockRate(old, 0.7);
        c.setClockRate(others.get(0), 1.3);
        c.setClockRate(others.get(1), 1.3);
        await(c, c.submit(old, bytes("before")), seconds(2));
        c.network().cut(old, others.get(2));
        c.network().cut(old, others.get(3));
        c.runFor(Duration.ofMillis(700));
        long sinceTick = (c.now() / 1_000_000) % 50;
        c.runFor(Duration.ofMillis(50 - sinceTick + 3)); // just after a heartbeat round
        c.network().isolate(old);
        int w = 0;
        long end = c.now() + seconds(2).toNanos();
        while (c.now() < end) {
            c.read(old);
            String leader = c.leader();
            if (leader != null && !leader.equals(old)) {
                c.submit(leader, bytes("after-" + w++));
            }
            c.runFor(Duration.ofMillis(3));
        }
        c.runFor(seconds(1));
        return c;
    }

    @Test
    @DisplayName("25: lease reads under clock-rate skew on a leader cut off: served only while no one else can lead")
    void leaseUnderClockSkew() {
        for (long seed = 250; seed < 270; seed++) {
            SimCluster c = skewedLeaderCutOff(seed, Set.of());
            String old = c.history().operations().stream().filter(ClientOperation::isLinearizableRead)
                    .findFirst().orElseThrow().node();
            assertThat(c.node(old).leaseReads()).as("seed %d: lease reads on the old leader", seed).isPositive();
            assertThat(c.readViolations()).isEmpty();
            assertThat(check(c)).as("seed %d", seed).isInstanceOf(CheckResult.Linearizable.class);
        }
    }

    @Test
    @DisplayName("25, rule broken: a lease timed from the answer, with no margin, serves stale reads under skew")
    void leaseWithoutMarginIsCaught() {
        int caught = 0;
        for (long seed = 250; seed < 270; seed++) {
            if (check(skewedLeaderCutOff(seed, Set.of(RuleBreach.LEASE_FROM_CONFIRMATION)))
                    instanceof CheckResult.NotLinearizable) {
                caught++;
            }
        }
        assertThat(caught).as("seeds where the stale lease read was caught").isPositive();
    }

    @Test
    @DisplayName("25: no lease reads once the leader has sent TimeoutNow in its term")
    void timeoutNowEndsTheLease() {
        SimCluster c = cluster(55, 3, settings(true, true).withLeaseReads(true), Set.of());
        c.start();
        String old = Scenarios.awaitSettledLeader(c, seconds(10));
        String target = Scenarios.others(c, old).get(0);
        String other = Scenarios.others(c, old).get(1);
        await(c, c.submit(old, bytes("before")), seconds(2));
        c.runFor(Duration.ofMillis(60));
        // The moment TimeoutNow leaves, the old leader stops hearing anyone: it never learns it was deposed.
        c.network().addSendListener(m -> {
            if (m instanceof TimeoutNow) {
                c.network().cutOneWay(target, old);
                c.network().cutOneWay(other, old);
            }
        });
        c.transferLeadership(old, target);
        assertThat(c.runUntil(() -> target.equals(c.leader()), seconds(2))).isTrue();
        await(c, c.submit(target, bytes("x")), seconds(2));
        c.runFor(Duration.ofMillis(5));
        int from = c.history().size();
        ReadResult<SimStateMachine.QueryView> r = await(c, c.read(old), seconds(2));
        assertThat(r).as("a read on the leader that handed over").isInstanceOf(ReadResult.Retry.class);
        assertThat(okReadsOn(c, old, from)).isZero();
        assertThat(check(c)).isInstanceOf(CheckResult.Linearizable.class);
    }

    /**
     * The lease rests on every voter of the confirming majority refusing other candidates for the minimum
     * election timeout: a voter that crashes and restarts at once has forgotten whom it heard from, so for that
     * long after starting it refuses them too. Five nodes: C and D stopped hearing the leader L long ago (and
     * would elect C with one more vote); L's lease rests on A and B. L is cut off and A restarts: without the
     * restart rule, A votes for C at once, C writes, and L's lease read is stale.
     */
    @Test
    @DisplayName("a voter that restarts keeps the leader's lease: it votes for no one for the minimum election timeout")
    void restartedVoterKeepsTheLease() {
        // C campaigns at a random moment of its election timeout: over these seeds, some time within L's lease.
        for (long seed = 560; seed < 572; seed++) {
            restartedVoter(seed);
        }
    }

    private static void restartedVoter(long seed) {
        SimCluster c = cluster(seed, 5, settings(false, true).withTimeouts(50, 600, 900).withLeaseReads(true), Set.of());
        c.start();
        String l = Scenarios.awaitSettledLeader(c, seconds(10));
        List<String> others = Scenarios.others(c, l);
        String a = others.get(0);
        String cc = others.get(2);
        String d = others.get(3);
        await(c, c.submit(l, bytes("before")), seconds(2));
        // C and D lose the leader; they keep each other, and everyone else.
        c.network().cut(l, cc);
        c.network().cut(l, d);
        c.runFor(Duration.ofMillis(1000));
        assertThat(c.leader()).as("A and B keep C and D from electing anyone").isEqualTo(l);
        c.runFor(Duration.ofMillis(45)); // just after a tick: L's lease is fresh
        c.network().isolate(l);
        c.crash(a);
        c.restart(a);
        int from = c.history().size();
        long end = c.now() + seconds(2).toNanos();
        while (c.now() < end) {
            c.read(l);
            String leader = c.leader();
            if (leader != null && !leader.equals(l)) {
                c.submit(leader, bytes("new-" + c.now()));
            }
            c.runFor(Duration.ofMillis(5));
        }
        c.runFor(seconds(1));
        assertThat(c.history().operations().subList(from, c.history().size()).stream()
                .anyMatch(o -> !o.isLinearizableRead() && o.result() instanceof CommandResult.Ok))
                .as("seed %d: the others elected a leader and wrote", seed).isTrue();
        assertThat(check(c)).as("seed %d", seed).isInstanceOf(CheckResult.Linearizable.class);
    }
}
