package org.raftengine.testkit.scenarios;

import static org.assertj.core.api.Assertions.assertThat;
import static org.raftengine.testkit.scenarios.Scenarios.bytes;
import static org.raftengine.testkit.scenarios.Scenarios.seconds;
import static org.raftengine.testkit.scenarios.Scenarios.settings;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.raftengine.core.CommandResult;
import org.raftengine.core.message.AppendEntriesResponse;
import org.raftengine.testkit.lin.CheckResult;
import org.raftengine.testkit.nemesis.LogLinearizability;
import org.raftengine.testkit.sim.SimStateMachine;
import org.raftengine.testkit.sim.NetworkFaults;
import org.raftengine.testkit.sim.SimCluster;

/**
 * Scenarios of ../shared/RELIABILITY.md that have no test of their own elsewhere, each named by its
 * number. (1, 2, 8, 10, 11, 12, 13, 14, 15/16, 18, 19, 21, 23 and 27 are in the Election, Replication,
 * ApplyAndStorage and CheckerCatchesBrokenNodes tests; 20, 23 and 24 for linearizable reads in
 * LinearizableReadScenariosTest, 26 in LeadershipTransferScenariosTest; RandomizedFaultsTest mixes them all.)
 * Reads here go through the log ({@link SimStateMachine#READ_MARKER}).
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

    // ---- histories with reads (through the log: the engine has no read path of its own yet) ----

    private static byte[] read(String tag) {
        return bytes("?" + tag);
    }

    private static void assertLinearizable(SimCluster c) {
        assertThat(LogLinearizability.check(c.history(), 2_000_000)).as("the client history, reads included")
                .isInstanceOf(CheckResult.Linearizable.class);
    }

    /** The list a read answered Ok saw, or null if it was not answered Ok. */
    private static List<String> seen(CompletionStage<CommandResult> read) {
        CommandResult r = read.toCompletableFuture().getNow(null);
        return r instanceof CommandResult.Ok ok ? SimStateMachine.parseReadResult(ok.result()) : null;
    }

    @Test
    @DisplayName("7: majority/minority, bridge and ring partitions under load: reads and writes stay linearizable")
    void partitionShapesUnderLoad() {
        SimCluster c = SimCluster.builder().seed(7).nodeCount(5).settings(settings(true, true))
                .networkFaults(NetworkFaults.NONE.withDelay(Duration.ofMillis(1), Duration.ofMillis(10))).build();
        c.start();
        Scenarios.awaitSettledLeader(c, seconds(10));
        List<String> ids = c.nodeIds();
        List<Runnable> shapes = List.of(
                () -> c.network().partition(ids.subList(0, 2), ids.subList(2, 5)),
                () -> c.network().bridge(ids.subList(0, 2), ids.get(2), ids.subList(3, 5)),
                () -> c.network().ring(ids),
                () -> c.network().partition(ids.subList(0, 3), ids.subList(3, 5)),
                () -> c.network().isolate(c.leader() == null ? ids.get(0) : c.leader()));
        Random clients = new Random(7);
        int op = 0;
        for (int round = 0; round < 3; round++) {
            for (Runnable shape : shapes) {
                c.network().heal();
                shape.run();
                long end = c.now() + seconds(1.5).toNanos();
                while (c.now() < end) {
                    String node = ids.get(clients.nextInt(ids.size()));
                    c.submit(node, clients.nextInt(3) == 0 ? read("r7-" + op++) : bytes("w7-" + op++));
                    c.runFor(Duration.ofMillis(15));
                }
            }
        }
        c.network().heal();
        c.runFor(seconds(5));
        long okReads = c.history().operations().stream()
                .filter(o -> o.isOk() && SimStateMachine.isRead(o.command())).count();
        assertThat(okReads).as("reads answered Ok").isGreaterThan(50);
        assertThat(c.history().acknowledgedCount() - okReads).as("writes acknowledged").isGreaterThan(100);
        String leader = c.leader();
        for (String id : ids) {
            assertThat(c.stateMachine(id).appliedEntries()).as(id)
                    .isEqualTo(c.stateMachine(leader).appliedEntries());
        }
        assertLinearizable(c);
    }

    @Test
    @DisplayName("20: all nodes killed and restarted, then a majority killed: reads after each restart see every acknowledged write")
    void readsAfterRestartsAreNeitherEmptyNorStale() {
        SimCluster c = SimCluster.builder().seed(20).nodeCount(3).settings(settings(true, true)).build();
        c.start();
        Scenarios.awaitSettledLeader(c, seconds(10));
        assertThat(commitsDuring(c, seconds(1), "w")).isPositive();
        List<String> acknowledged = c.history().acknowledged().stream()
                .map(o -> new String(o.command(), java.nio.charset.StandardCharsets.UTF_8)).toList();
        for (String id : c.nodeIds()) {
            c.crash(id);
        }
        for (String id : c.nodeIds()) {
            c.restart(id);
        }
        // Asked at once, before any leader re-established the commit index: never answered from scratch.
        CompletionStage<CommandResult> early = c.submit(c.nodeIds().get(1), read("early"));
        String leader = Scenarios.awaitSettledLeader(c, seconds(10));
        c.runUntil(() -> early.toCompletableFuture().isDone(), seconds(10));
        List<String> earlySeen = seen(early);
        if (earlySeen != null) {
            assertThat(earlySeen).containsExactlyElementsOf(acknowledged);
        }
        List<String> others = Scenarios.others(c, leader);
        c.crash(leader);
        c.crash(others.get(0));
        CompletionStage<CommandResult> minority = c.submit(others.get(1), read("minority"));
        c.runFor(seconds(2));
        assertThat(seen(minority)).as("a minority answers no read").isNull();
        c.restart(leader);
        c.restart(others.get(0));
        Scenarios.awaitSettledLeader(c, seconds(10));
        CompletionStage<CommandResult> late = c.submit(c.leader(), read("late"));
        c.runUntil(() -> late.toCompletableFuture().isDone(), seconds(10));
        assertThat(seen(late)).containsExactlyElementsOf(acknowledged);
        assertLinearizable(c);
    }

    @ParameterizedTest(name = "checkQuorum={0}")
    @ValueSource(booleans = {false, true})
    @DisplayName("24: a read sent to a deposed leader after the new leader wrote is never answered stale")
    void readFromADeposedLeader(boolean checkQuorum) {
        SimCluster c = SimCluster.builder().seed(24).nodeCount(5).settings(settings(false, checkQuorum)).build();
        c.start();
        String old = Scenarios.awaitSettledLeader(c, seconds(10));
        List<String> rest = Scenarios.others(c, old);
        c.network().partition(List.of(old, rest.get(0)), rest.subList(1, 4));
        assertThat(c.runUntil(() -> rest.subList(1, 4).contains(c.leader()), seconds(10))).isTrue();
        String fresh = c.leader();
        CompletionStage<CommandResult> write = c.submit(fresh, bytes("written-by-the-new-leader"));
        assertThat(c.runUntil(() -> write.toCompletableFuture().isDone(), seconds(2))).isTrue();
        assertThat(write.toCompletableFuture().join().isOk()).isTrue();
        CompletionStage<CommandResult> stale = c.submit(old, read("at-the-deposed-leader"));
        c.runFor(seconds(2));
        assertThat(seen(stale)).as("the deposed leader cannot commit the read, so it answers nothing Ok").isNull();
        c.network().heal();
        c.runFor(seconds(12)); // past the command time-out: the read is settled one way or the other
        List<String> lateSeen = seen(stale);
        if (lateSeen != null) {
            assertThat(lateSeen).contains("written-by-the-new-leader");
        }
        CompletionStage<CommandResult> after = c.submit(old, read("after-the-heal"));
        c.runUntil(() -> after.toCompletableFuture().isDone(), seconds(5));
        assertThat(seen(after)).contains("written-by-the-new-leader");
        assertLinearizable(c);
    }

    @Test
    @DisplayName("22: an append completion from an older term, arriving after the log was rewritten, confirms nothing")
    void storageAbaRace() {
        SimCluster c = SimCluster.builder().seed(22).nodeCount(5).settings(settings(true, false)).build();
        c.start();
        String old = Scenarios.awaitSettledLeader(c, seconds(10));
        List<String> rest = Scenarios.others(c, old);
        String slow = rest.get(0);
        List<String> majority = rest.subList(1, 4);
        long oldTerm = c.status(old).term();
        long k = Scenarios.lastIndex(c, old) + 1;
        // Every success the slow follower sends must name entries its storage really holds, of that term.
        List<String> acksChecked = new ArrayList<>();
        c.network().addSendListener(m -> {
            if (m instanceof AppendEntriesResponse r && r.from().equals(slow) && r.success() && r.matchIndex() >= k) {
                assertThat(c.log(slow).lastIndex()).as("storage of %s when it acknowledged %s", slow, r)
                        .isGreaterThanOrEqualTo(r.matchIndex());
                assertThat(c.log(slow).termAt(r.matchIndex())).as("term in storage when %s was sent", r)
                        .isEqualTo(r.term());
                acksChecked.add(r.toString());
            }
        });
        c.setStorageDelay(slow, seconds(2), seconds(2));
        c.network().partition(List.of(old, slow), majority);
        for (int i = 0; i < 3; i++) {
            c.submit(old, bytes("old-term-" + i));
        }
        assertThat(c.runUntil(() -> Scenarios.lastIndex(c, slow) >= k + 2, seconds(1))).isTrue();
        assertThat(c.log(slow).lastIndex()).as("the old term's write is still in flight").isLessThan(k);
        // The slow follower joins the majority, which elects a leader that rewrites indexes k.. in a new term.
        c.network().heal();
        c.network().partition(List.of(old), rest);
        assertThat(c.runUntil(() -> majority.contains(c.leader()) && c.status(c.leader()).term() > oldTerm,
                seconds(10))).isTrue();
        String fresh = c.leader();
        for (int i = 0; i < 3; i++) {
            c.submit(fresh, bytes("new-term-" + i));
        }
        boolean[] abaWindow = {false};
        boolean done = c.runUntil(() -> {
            long inStorage = c.log(slow).lastIndex() >= k ? c.log(slow).termAt(k) : 0;
            if (inStorage == oldTerm && c.status(slow).lastTerm() > oldTerm) {
                abaWindow[0] = true; // the old write landed while the log in memory already holds the new term
            }
            return c.status(slow).durableIndex() >= k + 2 && c.log(slow).termAt(k) > oldTerm;
        }, seconds(10));
        assertThat(done).isTrue();
        assertThat(abaWindow[0]).as("the old term's completion arrived after the rewrite").isTrue();
        assertThat(acksChecked).as("acknowledgements of the rewritten entries, each checked").isNotEmpty();
        c.network().heal();
        c.runFor(seconds(3));
        assertThat(c.log(slow).termAt(k)).isEqualTo(c.log(fresh).termAt(k));
    }
}
