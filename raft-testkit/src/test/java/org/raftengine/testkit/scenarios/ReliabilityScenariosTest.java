package org.raftengine.testkit.scenarios;

import static org.assertj.core.api.Assertions.assertThat;
import static org.raftengine.testkit.scenarios.Scenarios.bytes;
import static org.raftengine.testkit.scenarios.Scenarios.seconds;
import static org.raftengine.testkit.scenarios.Scenarios.settings;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.raftengine.testkit.sim.NetworkFaults;
import org.raftengine.testkit.sim.SimCluster;

/**
 * Scenarios of ../shared/RELIABILITY.md that have no test of their own elsewhere, each named by its
 * number. (1, 2, 8, 10, 11, 12, 13, 14, 15/16, 18, 19, 21, 22, 23 and 27 are in the Election,
 * Replication, ApplyAndStorage and CheckerCatchesBrokenNodes tests; 7 and the random mixes are in
 * RandomizedFaultsTest.)
 */
class ReliabilityScenariosTest {

    /** Commits made by the cluster during {@code d}: submits one command every 20 ms to the leader. */
    private static int commitsDuring(SimCluster c, Duration d, String tag) {
        int before = c.history().acknowledgedCount();
        long end = c.now() + d.toNanos();
        int i = 0;
        while (c.now() < end) {
            String leader = c.leader();
            if (leader != null) {
                c.submit(leader, bytes(tag + "-" + i++));
            }
            c.runFor(Duration.ofMillis(20));
        }
        c.runFor(Duration.ofMillis(500));
        return c.history().acknowledgedCount() - before;
    }

    @Test
    @DisplayName("3: triangle, link A-C cut and B sees both: elections stay bounded, commits continue")
    void triangle() {
        SimCluster c = SimCluster.builder().seed(3).nodeCount(3).settings(settings(true, true)).build();
        c.start();
        String leader = Scenarios.awaitSettledLeader(c, seconds(10));
        List<String> others = Scenarios.others(c, leader);
        // Cut the leader from one follower: the classic partial partition.
        c.network().cut(leader, others.get(0));
        long termBefore = c.status(leader).term();
        int commits = commitsDuring(c, seconds(20), "tri");
        assertThat(commits).as("commits continue through the partial partition").isGreaterThan(500);
        long termAfter = c.nodeIds().stream().mapToLong(id -> c.status(id).term()).max().orElseThrow();
        assertThat(termAfter - termBefore).as("elections stay bounded").isLessThanOrEqualTo(2);
    }

    @Test
    @DisplayName("4: five-node lock-up, leader D, E crashed, links A-D and C-D cut: D resigns, a new leader is elected")
    void fiveNodeLockUp() {
        SimCluster c = SimCluster.builder().seed(4).nodeCount(5).settings(settings(true, true)).build();
        c.start();
        String d = Scenarios.awaitSettledLeader(c, seconds(10));
        List<String> others = Scenarios.others(c, d);
        String a = others.get(0);
        String b = others.get(1);
        String cc = others.get(2);
        String e = others.get(3);
        c.crash(e);
        c.network().cut(a, d);
        c.network().cut(cc, d);
        // D hears only B: no quorum. CheckQuorum makes it resign; A, B, C elect a new leader.
        assertThat(c.runUntil(() -> c.leader() != null && !c.leader().equals(d), seconds(10))).isTrue();
        String next = c.leader();
        assertThat(List.of(a, b, cc)).contains(next);
        assertThat(commitsDuring(c, seconds(3), "lock")).isPositive();
    }

    @Test
    @DisplayName("5: one-way partitions in both directions keep one leader per term and stay live")
    void oneWayPartitions() {
        for (boolean inbound : new boolean[] {true, false}) {
            SimCluster c = SimCluster.builder().seed(5).nodeCount(3).settings(settings(true, true)).build();
            c.start();
            String leader = Scenarios.awaitSettledLeader(c, seconds(10));
            for (String f : Scenarios.others(c, leader)) {
                if (inbound) {
                    c.network().cutOneWay(f, leader); // the leader hears nobody
                } else {
                    c.network().cutOneWay(leader, f); // nobody hears the leader
                }
            }
            assertThat(c.runUntil(() -> c.leader() != null && !c.leader().equals(leader), seconds(10)))
                    .as("inbound=%s: a new leader among the followers", inbound).isTrue();
            assertThat(commitsDuring(c, seconds(2), "oneway")).isPositive();
            c.network().heal();
            assertThat(commitsDuring(c, seconds(2), "healed")).isPositive();
        }
    }

    @Test
    @DisplayName("9: messages from before a restart, delivered after it, cause no second vote or leader")
    void messagesFromBeforeARestart() {
        SimCluster c = SimCluster.builder().seed(9).nodeCount(3).holdForDownNodes(true)
                .settings(settings(false, false))
                .networkFaults(NetworkFaults.NONE.withDelay(Duration.ofMillis(1), Duration.ofMillis(40)))
                .build();
        c.start();
        for (int round = 0; round < 10; round++) {
            String leader = Scenarios.awaitSettledLeader(c, seconds(10));
            assertThat(leader).isNotNull();
            c.submit(leader, bytes("r" + round));
            for (String f : Scenarios.others(c, leader)) {
                c.crash(f); // messages to it wait, as in a broker queue, and arrive after the restart
            }
            c.runFor(Duration.ofMillis(300));
            for (String f : Scenarios.others(c, leader)) {
                c.restart(f);
            }
            c.crash(leader);
            c.runFor(Duration.ofMillis(200));
            c.restart(leader);
        }
        // ONE-VOTE and ONE-LEADER are checked on every step; the cluster also still works.
        String leader = Scenarios.awaitSettledLeader(c, seconds(10));
        assertThat(commitsDuring(c, seconds(1), "after")).isPositive();
        assertThat(leader).isNotNull();
    }

    @Test
    @DisplayName("10: delays longer than the election timeout: bounded leader churn, commits continue")
    void longDelays() {
        SimCluster c = SimCluster.builder().seed(10).nodeCount(3).settings(settings(true, true))
                .networkFaults(NetworkFaults.NONE.withDelay(Duration.ofMillis(1), Duration.ofMillis(700)))
                .build();
        c.start();
        c.runFor(seconds(30));
        c.network().setFaults(NetworkFaults.NONE);
        String leader = Scenarios.awaitSettledLeader(c, seconds(20));
        assertThat(leader).isNotNull();
        assertThat(commitsDuring(c, seconds(2), "calm")).isPositive();
    }

    @Test
    @DisplayName("20: all nodes killed and restarted, then a majority killed: nothing acknowledged is lost")
    void allKilledThenMajorityKilled() {
        SimCluster c = SimCluster.builder().seed(20).nodeCount(3).settings(settings(true, true)).build();
        c.start();
        Scenarios.awaitSettledLeader(c, seconds(10));
        assertThat(commitsDuring(c, seconds(1), "before")).isPositive();
        for (String id : c.nodeIds()) {
            c.crash(id);
        }
        for (String id : c.nodeIds()) {
            c.restart(id);
        }
        String leader = Scenarios.awaitSettledLeader(c, seconds(10));
        List<String> others = Scenarios.others(c, leader);
        c.crash(leader);
        c.crash(others.get(0));
        c.runFor(seconds(2));
        assertThat(c.leader()).as("a minority elects nobody").isNull();
        c.restart(leader);
        c.restart(others.get(0));
        assertThat(Scenarios.awaitSettledLeader(c, seconds(10))).isNotNull();
        for (var op : c.history().acknowledged()) {
            assertThat(Scenarios.occurrences(c, c.leader(), op.command())).isEqualTo(1);
        }
    }
}
