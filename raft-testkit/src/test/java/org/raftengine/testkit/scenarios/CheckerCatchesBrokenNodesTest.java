package org.raftengine.testkit.scenarios;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.raftengine.core.message.VoteResponse;
import org.raftengine.testkit.sim.NetworkFaults;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.raftengine.core.spi.HardState;
import org.raftengine.testkit.sim.InvariantViolation;
import org.raftengine.testkit.sim.SimCluster;

/**
 * Crash and storage 14: the checker must catch a node whose storage forgets its vote on restart. The
 * same runs with honest storage are violation-free (the control), so the catch is the vote's doing.
 */
class CheckerCatchesBrokenNodesTest {

    /**
     * Runs step by step; right after a node grants a vote it crashes and restarts at once (its storage
     * erasing the vote if {@code forgetVotes}), while requests of rival candidates in the same term are
     * still on their way (and held for it while it is down).
     */
    private static String run(long seed, boolean forgetVotes) {
        SimCluster c = SimCluster.builder().seed(seed).nodeCount(5).holdForDownNodes(true)
                .settings(Scenarios.settings(false, false).withTimeouts(50, 150, 160))
                .networkFaults(NetworkFaults.NONE.withDelay(Duration.ofMillis(1), Duration.ofMillis(8)))
                .build();
        List<String> voters = new ArrayList<>();
        c.network().addSendListener(m -> {
            if (m instanceof VoteResponse v && v.granted() && !v.preVote()) {
                voters.add(v.from());
            }
        });
        c.start();
        Scenarios.awaitSettledLeader(c, Duration.ofSeconds(10)); // every node knows the configuration
        voters.clear();
        try {
            long end = c.now() + Duration.ofSeconds(20).toNanos();
            while (c.now() < end && c.simulation().step()) {
                for (String victim : List.copyOf(voters)) {
                    c.crash(victim);
                    if (forgetVotes) {
                        HardState hard = c.log(victim).hardState();
                        c.log(victim).saveHardState(new HardState(hard.term(), null));
                    }
                    c.restart(victim);
                }
                voters.clear();
                String leader = c.leader();
                if (leader != null) { // keep elections coming
                    c.crash(leader);
                    c.restart(leader);
                }
            }
            return null;
        } catch (InvariantViolation v) {
            return v.invariant();
        }
    }

    @Test
    @DisplayName("14: a node that forgets its vote on restart is caught by the checker (ONE-VOTE)")
    void aNodeThatForgetsItsVoteOnRestartIsCaughtByOneVote() {
        int caught = 0;
        for (long seed = 1; seed <= 30; seed++) {
            String violated = run(seed, true);
            if (violated != null) {
                assertThat(violated).as("seed %d", seed).isIn("ONE-VOTE", "ONE-LEADER");
                caught++;
            }
        }
        assertThat(caught).as("runs where the forgotten vote was caught").isPositive();
    }

    @Test
    void theSameRunsWithHonestStorageViolateNothing() {
        for (long seed = 1; seed <= 30; seed++) {
            assertThat(run(seed, false)).as("seed %d", seed).isNull();
        }
    }

    /**
     * Crash and storage 16: power loss on all nodes whose disks only pretended to be durable. The
     * acknowledged commands are gone from every log, and the checker flags it (DURABLE); with honest
     * disks the same power loss loses nothing.
     */
    @Test
    @DisplayName("16: power loss on disks that fake durability is flagged (DURABLE); honest disks lose nothing")
    void powerLossOnDisksThatFakeDurabilityIsFlagged() {
        assertThatThrownBy(() -> powerLoss(true)).isInstanceOf(InvariantViolation.class)
                .satisfies(e -> assertThat(((InvariantViolation) e).invariant()).isEqualTo("DURABLE"));
        powerLoss(false);
    }

    private static void powerLoss(boolean fakeDurability) {
        SimCluster c = SimCluster.builder().seed(16).nodeCount(3).settings(Scenarios.settings(true, true)).build();
        c.start();
        String leader = Scenarios.awaitSettledLeader(c, Duration.ofSeconds(10));
        if (fakeDurability) {
            for (String id : c.nodeIds()) {
                c.log(id).fakeDurability();
            }
        }
        for (int i = 0; i < 5; i++) {
            c.submit(leader, Scenarios.bytes("cached-" + i));
        }
        c.runFor(Duration.ofSeconds(1));
        assertThat(c.history().acknowledgedCount()).isEqualTo(5);
        for (String id : c.nodeIds()) {
            c.crash(id);
        }
        c.invariants().checkLogs();
    }
}
