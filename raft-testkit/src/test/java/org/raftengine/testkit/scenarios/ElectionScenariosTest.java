package org.raftengine.testkit.scenarios;

import static org.assertj.core.api.Assertions.assertThat;
import static org.raftengine.testkit.scenarios.Scenarios.bytes;
import static org.raftengine.testkit.scenarios.Scenarios.seconds;
import static org.raftengine.testkit.scenarios.Scenarios.settings;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.raftengine.core.CommandResult;
import org.raftengine.core.Role;
import org.raftengine.testkit.sim.NetworkFaults;
import org.raftengine.testkit.sim.SimCluster;

/** Elections: one leader per term, PreVote, CheckQuorum, bootstrap-once. Each is a script on the simulator. */
class ElectionScenariosTest {

    /**
     * Split votes: election timeouts in a 20 ms window and network delays of the same size make
     * candidates collide. ONE-LEADER is checked after every step by the simulator; here we also check
     * that collisions really happened (terms without a leader) and that a leader always emerges.
     */
    @ParameterizedTest(name = "{0} nodes")
    @ValueSource(ints = {3, 5})
    @DisplayName("11: many simultaneous candidates (split votes): one leader per term, and a leader within a bound")
    void oneLeaderPerTermUnderSplitVotes(int nodes) {
        int termsWithoutLeader = 0;
        for (long seed = 1; seed <= 40; seed++) {
            SimCluster c = SimCluster.builder().seed(seed).nodeCount(nodes)
                    .settings(settings(false, false).withTimeouts(50, 300, 320))
                    .networkFaults(NetworkFaults.NONE.withDelay(Duration.ofMillis(1), Duration.ofMillis(20)))
                    .build();
            c.start();
            String leader = Scenarios.awaitSettledLeader(c, seconds(30));
            assertThat(leader).as("seed %d elects a leader", seed).isNotNull();
            // Crash the leader twice to force more contested elections.
            for (int round = 0; round < 2; round++) {
                c.crash(leader);
                String next = c.awaitLeader(seconds(30));
                assertThat(next).as("seed %d round %d re-elects", seed, round).isNotNull();
                c.restart(leader);
                leader = next;
            }
            long maxTerm = c.status(leader).term();
            termsWithoutLeader += (int) (maxTerm - 1 - c.invariants().leaders().size());
        }
        assertThat(termsWithoutLeader).as("split votes happened, so the test exercised them").isPositive();
    }

    /** Network 2 / 12: with PreVote, a follower cut off and healed neither raises the term nor deposes the leader. */
    @Test
    @DisplayName("2 and 12: a follower cut off then healed, PreVote on: no new term, the leader stays")
    void preVoteKeepsAnIsolatedFollowerFromDisruptingTheLeader() {
        SimCluster c = SimCluster.builder().seed(11).nodeCount(3).settings(settings(true, false)).build();
        c.start();
        String leader = Scenarios.awaitSettledLeader(c, seconds(10));
        long term = c.status(leader).term();
        String follower = Scenarios.others(c, leader).get(0);
        c.network().isolate(follower);
        c.runFor(seconds(10)); // many election timeouts
        assertThat(c.status(follower).term()).as("pre-votes fail, so the term stays").isEqualTo(term);
        c.network().reconnect(follower);
        c.runFor(seconds(3));
        assertThat(c.leader()).isEqualTo(leader);
        for (String id : c.nodeIds()) {
            assertThat(c.status(id).term()).isEqualTo(term);
        }
    }

    /** The control for the test above: without PreVote the same isolation raises the term and deposes the leader. */
    @Test
    void withoutPreVoteTheIsolatedFollowerRaisesTheTerm() {
        SimCluster c = SimCluster.builder().seed(11).nodeCount(3).settings(settings(false, false)).build();
        c.start();
        String leader = Scenarios.awaitSettledLeader(c, seconds(10));
        long term = c.status(leader).term();
        String follower = Scenarios.others(c, leader).get(0);
        c.network().isolate(follower);
        c.runFor(seconds(10));
        assertThat(c.status(follower).term()).isGreaterThan(term);
        c.network().reconnect(follower);
        c.runFor(seconds(3));
        assertThat(c.status(leader).term()).as("the old leader saw the higher term").isGreaterThan(term);
    }

    /**
     * Network 1: a leader cut off in a minority steps down within the CheckQuorum window, and its
     * uncommitted tail is replaced after the partition heals.
     */
    @ParameterizedTest(name = "{0} nodes")
    @ValueSource(ints = {3, 5})
    @DisplayName("1: a leader cut off in a minority steps down within the CheckQuorum window; its uncommitted tail is replaced")
    void isolatedLeaderStepsDownUnderCheckQuorumAndItsTailIsReplaced(int nodes) {
        SimCluster c = SimCluster.builder().seed(21).nodeCount(nodes).settings(settings(true, true)).build();
        c.start();
        String leader = Scenarios.awaitSettledLeader(c, seconds(10));
        c.submit(leader, bytes("before"));
        c.runFor(seconds(1));
        c.network().isolate(leader);
        Set<CompletionStage<CommandResult>> stranded = new HashSet<>();
        for (int i = 0; i < 3; i++) {
            stranded.add(c.submit(leader, bytes("stranded-" + i)));
        }
        long electionMin = c.settings().electionTimeoutMinMillis();
        boolean steppedDown = c.runUntil(() -> c.status(leader).role() != Role.LEADER,
                Duration.ofMillis(electionMin * 2 + c.settings().heartbeatMillis() * 2));
        assertThat(steppedDown).as("stepped down within two CheckQuorum windows").isTrue();
        String newLeader = c.awaitLeader(seconds(10));
        assertThat(newLeader).isNotEqualTo(leader);
        c.submit(newLeader, bytes("after"));
        c.runFor(seconds(1));
        c.network().reconnect(leader);
        c.runFor(seconds(3));
        for (String id : c.nodeIds()) {
            for (int i = 0; i < 3; i++) {
                assertThat(Scenarios.occurrences(c, id, bytes("stranded-" + i))).as("%s lost the stale tail", id)
                        .isZero();
            }
            assertThat(Scenarios.occurrences(c, id, bytes("after"))).isEqualTo(1);
        }
        for (CompletionStage<CommandResult> f : stranded) {
            CommandResult r = f.toCompletableFuture().getNow(null);
            assertThat(r).as("a deposed leader's overwritten command never reports success")
                    .isNotNull().isNotInstanceOf(CommandResult.Ok.class);
        }
    }

    /**
     * Crash and storage 21: two nodes of three come back with wiped storage. They never campaign (no
     * configuration), and the survivor refuses their votes (their storage ids changed), so no leader
     * is ever elected that could lose the committed entries.
     */
    @Test
    @DisplayName("21: two wiped nodes of three never elect each other and are refused under their new storage ids")
    void twoWipedNodesNeverElectEachOtherAndAreRefused() {
        SimCluster c = SimCluster.builder().seed(31).nodeCount(3).settings(settings(true, true)).build();
        c.invariants().setMajorityCheck(false); // the wiped logs hold nothing, by design
        c.start();
        String leader = Scenarios.awaitSettledLeader(c, seconds(10));
        for (int i = 0; i < 5; i++) {
            c.submit(leader, bytes("kept-" + i));
        }
        c.runFor(seconds(2)); // long enough for the storage ids to be recorded in the configuration
        assertThat(c.history().acknowledgedCount()).isEqualTo(5);
        String survivor = c.nodeIds().get(0);
        for (String id : c.nodeIds()) {
            if (!id.equals(survivor)) {
                c.wipe(id);
                c.restart(id);
            }
        }
        c.crash(survivor);
        c.runFor(seconds(10));
        assertThat(c.leader()).as("two wiped nodes elect nobody").isNull();
        c.restart(survivor);
        c.runFor(seconds(10));
        assertThat(c.leader()).as("the survivor cannot win with refused votes").isNull();
        assertThat(c.node(survivor).refusedMessages()).isPositive();
        for (int i = 0; i < 5; i++) {
            assertThat(Scenarios.occurrences(c, survivor, bytes("kept-" + i))).isEqualTo(1);
        }
    }

    /**
     * Leader stickiness (with CheckQuorum, as in etcd): F loses its link to the leader but still sees G.
     * G hears from the live leader, so it ignores F's vote requests: the leader and G's term stay.
     */
    @Test
    void withCheckQuorumFollowersIgnoreVotesWhileTheyHearFromALiveLeader() {
        assertThat(partialPartitionOutcome(true)).as("sticky: leader kept").isTrue();
    }

    /** The control: without CheckQuorum (and PreVote), the same cut lets F take over with G's vote. */
    @Test
    void withoutCheckQuorumTheSameCutDeposesTheLeader() {
        assertThat(partialPartitionOutcome(false)).as("not sticky: leader deposed").isFalse();
    }

    private static boolean partialPartitionOutcome(boolean checkQuorum) {
        SimCluster c = SimCluster.builder().seed(51).nodeCount(3).settings(settings(false, checkQuorum)).build();
        c.start();
        String leader = Scenarios.awaitSettledLeader(c, seconds(10));
        long term = c.status(leader).term();
        String f = Scenarios.others(c, leader).get(0);
        String g = Scenarios.others(c, leader).get(1);
        c.network().cut(leader, f);
        c.runFor(seconds(5));
        assertThat(c.status(f).term()).as("F campaigned").isGreaterThan(term);
        return leader.equals(c.leader()) && c.status(g).term() == term;
    }
}
