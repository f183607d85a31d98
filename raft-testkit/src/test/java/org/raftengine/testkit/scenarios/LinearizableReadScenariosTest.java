package org.raftengine.testkit.scenarios;

import static org.assertj.core.api.Assertions.assertThat;
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
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.raftengine.core.CommandResult;
import org.raftengine.core.ReadResult;
import org.raftengine.core.internal.RuleBreach;
import org.raftengine.core.message.AppendEntries;
import org.raftengine.core.message.AppendEntriesResponse;
import org.raftengine.core.message.ReadIndexResponse;
import org.raftengine.testkit.lin.CheckResult;
import org.raftengine.testkit.nemesis.LogLinearizability;
import org.raftengine.testkit.sim.SimCluster;
import org.raftengine.testkit.sim.SimStateMachine;

/**
 * Linearizable reads by ReadIndex (Raft thesis 6.4; issue 10 item 4), on the simulator with the invariants
 * checked after every step and the client history (writes and reads) checked by the linearizability checker.
 * RELIABILITY 23 (no read before the new leader's own entry commits) and 24 (a deposed leader, and a late
 * heartbeat answer of an earlier round) by name; each also runs against an engine that breaks the rule
 * ({@link RuleBreach}), to show the scenario catches it.
 */
class LinearizableReadScenariosTest {

    private static <T> T await(SimCluster c, CompletionStage<T> stage, Duration max) {
        CompletableFuture<T> f = stage.toCompletableFuture();
        assertThat(c.runUntil(f::isDone, max)).as("answered within %s", max).isTrue();
        return f.join();
    }

    private static CommandResult.Ok write(SimCluster c, String node, String command) {
        CommandResult r = await(c, c.submit(node, bytes(command)), seconds(5));
        assertThat(r).as("write %s through %s", command, node).isInstanceOf(CommandResult.Ok.class);
        return (CommandResult.Ok) r;
    }

    private static List<String> readOk(SimCluster c, String node) {
        ReadResult<SimStateMachine.QueryView> r = await(c, c.read(node), seconds(5));
        assertThat(r).as("read on %s", node).isInstanceOf(ReadResult.Ok.class);
        return ((ReadResult.Ok<SimStateMachine.QueryView>) r).value().values();
    }

    private static CheckResult check(SimCluster c) {
        return LogLinearizability.check(c.history(), 1_000_000);
    }

    @Test
    @DisplayName("a read on the leader or on any follower sees every write acknowledged before it")
    void readsSeeAcknowledgedWrites() {
        SimCluster c = SimCluster.builder().seed(41).nodeCount(3).settings(settings(true, true)).build();
        c.start();
        String leader = Scenarios.awaitSettledLeader(c, seconds(10));
        for (int i = 0; i < 5; i++) {
            String w = "w" + i;
            long index = write(c, c.nodeIds().get(i % 3), w).index();
            for (String id : c.nodeIds()) {
                ReadResult<SimStateMachine.QueryView> r = await(c, c.read(id), seconds(5));
                assertThat(r).isInstanceOf(ReadResult.Ok.class);
                ReadResult.Ok<SimStateMachine.QueryView> ok = (ReadResult.Ok<SimStateMachine.QueryView>) r;
                assertThat(ok.readIndex()).as("read index on %s", id).isGreaterThanOrEqualTo(index);
                assertThat(ok.value().values()).as("read on %s after %s", id, w).contains(w);
            }
        }
        assertThat(c.node(leader).readsServed()).isGreaterThanOrEqualTo(5);
        assertThat(c.readViolations()).isEmpty();
        assertThat(check(c)).isInstanceOf(CheckResult.Linearizable.class);
        // Nothing went into the logs for them.
        assertThat(c.status(leader).lastIndex()).isLessThan(20);
    }

    @Test
    @DisplayName("a one-node cluster serves reads at once; a query that throws is answered QueryFailed")
    void singleNodeAndFailingQuery() {
        SimCluster c = SimCluster.builder().seed(42).nodeCount(1).build();
        c.start();
        String only = c.awaitLeader(seconds(5));
        write(c, only, "solo");
        c.runFor(Duration.ofMillis(10));
        assertThat(readOk(c, only)).containsExactly("solo");
        ReadResult<Object> failed = await(c, c.node(only).read(sm -> {
            throw new IllegalStateException("no such key");
        }), seconds(1));
        assertThat(failed).isInstanceOf(ReadResult.QueryFailed.class);
        assertThat(((ReadResult.QueryFailed<Object>) failed).error()).hasMessage("no such key");
    }

    @Test
    @DisplayName("a follower whose state machine lags waits until it has applied up to the read index")
    void followerReadWaitsForItsApply() {
        SimCluster c = SimCluster.builder().seed(43).nodeCount(3).settings(settings(true, true)).build();
        c.start();
        String leader = Scenarios.awaitSettledLeader(c, seconds(10));
        String slow = Scenarios.others(c, leader).get(0);
        c.setStorageDelay(slow, Duration.ofMillis(300), Duration.ofMillis(300));
        write(c, leader, "x");
        // The write committed on the leader and the other follower; the slow one has not applied it yet.
        assertThat(c.stateMachine(slow).values()).doesNotContain("x");
        long start = c.now();
        assertThat(readOk(c, slow)).contains("x");
        assertThat(c.now() - start).as("waited for its own apply").isGreaterThan(Duration.ofMillis(100).toNanos());
        assertThat(c.readViolations()).isEmpty();
        assertThat(check(c)).isInstanceOf(CheckResult.Linearizable.class);
    }

    @Test
    @DisplayName("reads that arrive together, or while a round is in flight, share one confirmation round")
    void readsShareRounds() {
        SimCluster c = SimCluster.builder().seed(44).nodeCount(3).settings(settings(true, true))
                .networkFaults(org.raftengine.testkit.sim.NetworkFaults.NONE.withDelay(Duration.ofMillis(8),
                        Duration.ofMillis(8)))
                .build();
        c.start();
        String leader = Scenarios.awaitSettledLeader(c, seconds(10));
        write(c, leader, "x");
        Set<Long> rounds = new HashSet<>();
        c.network().addSendListener(m -> {
            if (m instanceof AppendEntries a && a.from().equals(leader)) {
                rounds.add(a.round());
            }
        });
        List<CompletableFuture<ReadResult<SimStateMachine.QueryView>>> reads = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            reads.add(c.read(leader).toCompletableFuture());
        }
        assertThat(c.runUntil(() -> reads.stream().allMatch(CompletableFuture::isDone), seconds(1))).isTrue();
        assertThat(reads).allMatch(f -> f.join().isOk());
        assertThat(rounds).as("rounds sent for 100 reads").hasSizeLessThanOrEqualTo(2);
        // One read every 2 ms while the round trip takes 16: those that come while a round is in flight wait
        // for it to end and then share the next round: about one round per round trip (4 here, 10 if each
        // read had a round of its own).
        rounds.clear();
        reads.clear();
        for (int i = 0; i < 10; i++) {
            reads.add(c.read(leader).toCompletableFuture());
            c.runFor(Duration.ofMillis(2));
        }
        assertThat(c.runUntil(() -> reads.stream().allMatch(CompletableFuture::isDone), seconds(1))).isTrue();
        assertThat(reads).allMatch(f -> f.join().isOk());
        assertThat(rounds).as("rounds sent for 10 reads spread over 20 ms").hasSizeLessThanOrEqualTo(5);
    }

    @Test
    @DisplayName("a follower's late ReadIndex answer, delivered again, serves no newer read")
    void lateReadIndexAnswerServesNoNewerRead() {
        SimCluster c = SimCluster.builder().seed(45).nodeCount(3).settings(settings(true, true)).build();
        c.start();
        String leader = Scenarios.awaitSettledLeader(c, seconds(10));
        String follower = Scenarios.others(c, leader).get(0);
        AtomicReference<ReadIndexResponse> answer = new AtomicReference<>();
        c.network().addSendListener(m -> {
            if (m instanceof ReadIndexResponse r && r.granted()) {
                answer.set(r);
            }
        });
        readOk(c, follower);
        write(c, leader, "after-first-read");
        // The next read's request and answer are lost while the old answer comes again.
        c.network().cut(leader, follower);
        CompletableFuture<ReadResult<SimStateMachine.QueryView>> second = c.read(follower).toCompletableFuture();
        c.runFor(Duration.ofMillis(20));
        c.network().redeliver(answer.get());
        c.runFor(Duration.ofMillis(50));
        assertThat(second).isNotDone();
        c.network().heal();
        ReadResult<SimStateMachine.QueryView> r = await(c, second, seconds(5));
        assertThat(r).isInstanceOf(ReadResult.Ok.class);
        assertThat(((ReadResult.Ok<SimStateMachine.QueryView>) r).value().values()).contains("after-first-read");
        assertThat(check(c)).isInstanceOf(CheckResult.Linearizable.class);
    }

    /**
     * RELIABILITY 23. The old leader commits x and answers its client, but dies before the followers learn the
     * commit; the new leader's commit index is behind x until its own term-start entry commits (its storage is
     * slow, so that takes a while), while heartbeat rounds are confirmed at once. A read then must wait for
     * that entry: served at the old commit index it would miss x, acknowledged before the read began.
     */
    private static SimCluster newLeaderWithUncommittedTail(long seed, boolean breakRule) {
        SimCluster c = SimCluster.builder().seed(seed).nodeCount(3).settings(settings(true, false))
                .breakingRules(breakRule ? Set.of(RuleBreach.READ_BEFORE_TERM_COMMIT) : Set.of())
                .build();
        c.start();
        String old = Scenarios.awaitSettledLeader(c, seconds(10));
        write(c, old, "w0");
        List<String> followers = Scenarios.others(c, old);
        for (String f : followers) {
            c.setStorageDelay(f, Duration.ofMillis(20), Duration.ofMillis(20));
        }
        CompletableFuture<CommandResult> x = c.submit(old, bytes("x")).toCompletableFuture();
        c.runFor(Duration.ofMillis(5)); // x reached the followers, which are writing it
        for (String f : followers) {
            c.network().cutOneWay(old, f); // their acknowledgements reach the leader, its commit index does not
        }
        assertThat(c.runUntil(x::isDone, seconds(2))).isTrue();
        assertThat(x.join()).isInstanceOf(CommandResult.Ok.class);
        c.crash(old);
        for (String f : followers) {
            assertThat(c.status(f).commitIndex()).as("commit index of %s", f)
                    .isLessThan(((CommandResult.Ok) x.join()).index());
            c.setStorageDelay(f, Duration.ofMillis(200), Duration.ofMillis(200));
        }
        assertThat(c.runUntil(() -> c.leader() != null, seconds(5))).isTrue();
        String next = c.leader();
        CompletableFuture<ReadResult<SimStateMachine.QueryView>> read = c.read(next).toCompletableFuture();
        c.runUntil(read::isDone, seconds(5));
        return c;
    }

    @Test
    @DisplayName("23: a new leader serves no read before its own term-start entry commits")
    void noReadBeforeTermStartCommits() {
        SimCluster c = newLeaderWithUncommittedTail(23, false);
        List<String> seen = c.history().operations().stream().filter(o -> o.isLinearizableRead())
                .map(o -> SimStateMachine.parseReadResult(((CommandResult.Ok) o.result()).result()))
                .findFirst().orElseThrow();
        assertThat(seen).contains("w0", "x");
        assertThat(check(c)).isInstanceOf(CheckResult.Linearizable.class);
    }

    @Test
    @DisplayName("23, rule broken: a leader that reads before its term-start entry commits serves a stale read")
    void readBeforeTermStartCommitsIsCaught() {
        SimCluster c = newLeaderWithUncommittedTail(23, true);
        assertThat(check(c)).isInstanceOf(CheckResult.NotLinearizable.class);
    }

    /**
     * RELIABILITY 24. The leader is cut off (CheckQuorum off, so it keeps leading its old term); the majority
     * elects a new leader, which writes x. A read on the deposed leader must not be served: its heartbeats
     * reach nobody, and the one answer that does come, a late copy of an answer from before the partition,
     * names an earlier round.
     */
    private static SimCluster deposedLeaderRead(long seed, boolean breakRule) {
        SimCluster c = SimCluster.builder().seed(seed).nodeCount(3).settings(settings(true, false))
                .configure(n -> n.withCommandTimeout(Duration.ofSeconds(1)))
                .breakingRules(breakRule ? Set.of(RuleBreach.READ_CONFIRMED_BY_ANY_ROUND) : Set.of())
                .build();
        c.start();
        String old = Scenarios.awaitSettledLeader(c, seconds(10));
        List<String> majority = Scenarios.others(c, old);
        AtomicReference<AppendEntriesResponse> lateAnswer = new AtomicReference<>();
        c.network().addSendListener(m -> {
            if (m instanceof AppendEntriesResponse r && r.to().equals(old) && r.from().equals(majority.get(0))
                    && r.term() == c.status(old).term()) {
                lateAnswer.set(r);
            }
        });
        write(c, old, "w0");
        assertThat(readOk(c, old)).contains("w0");
        c.network().partition(List.of(old), majority);
        assertThat(c.runUntil(() -> majority.contains(c.leader()), seconds(5))).isTrue();
        write(c, c.leader(), "x");
        assertThat(c.status(old).role()).as("the deposed leader still thinks it leads")
                .isEqualTo(org.raftengine.core.Role.LEADER);
        c.runFor(Duration.ofMillis(5)); // the read begins strictly after x was acknowledged
        CompletableFuture<ReadResult<SimStateMachine.QueryView>> read = c.read(old).toCompletableFuture();
        for (int i = 0; i < 5; i++) { // copies keep coming, after the read's round began too
            c.runFor(Duration.ofMillis(40));
            c.network().redeliver(lateAnswer.get());
        }
        c.runUntil(read::isDone, seconds(3));
        assertThat(read).isDone();
        return c;
    }

    @Test
    @DisplayName("24: a deposed leader serves no read after the new leader wrote, late heartbeat answers notwithstanding")
    void deposedLeaderServesNoRead() {
        SimCluster c = deposedLeaderRead(24, false);
        ReadResult<?> last = null;
        for (var op : c.history().operations()) {
            if (op.isLinearizableRead()) {
                last = op.result() instanceof CommandResult.Retry r ? new ReadResult.Retry<>(r.reason()) : null;
            }
        }
        assertThat(last).as("the read on the deposed leader").isInstanceOf(ReadResult.Retry.class);
        assertThat(check(c)).isInstanceOf(CheckResult.Linearizable.class);
    }

    @Test
    @DisplayName("24, rule broken: a leader that takes a late answer of an earlier round as confirmation serves a stale read")
    void lateAnswerOfAnEarlierRoundIsCaught() {
        SimCluster c = deposedLeaderRead(24, true);
        assertThat(check(c)).as("%s", c.history().operations()).isInstanceOf(CheckResult.NotLinearizable.class);
    }

    /**
     * RELIABILITY 20. Every node is killed and restarted: until a leader has committed an entry of its term,
     * nobody knows how far the log is committed (the restarted nodes' commit indexes start at what their state
     * machines applied), so no read may be served before that; then a majority is killed and the survivor,
     * leading or not, serves none at all.
     */
    private static SimCluster allRestartedThenMajorityKilled(long seed, boolean breakRule) {
        SimCluster c = SimCluster.builder().seed(seed).nodeCount(3).settings(settings(true, true))
                .configure(n -> n.withCommandTimeout(Duration.ofMillis(500)))
                .breakingRules(breakRule ? Set.of(RuleBreach.READ_BEFORE_TERM_COMMIT) : Set.of())
                .build();
        c.start();
        String leader = Scenarios.awaitSettledLeader(c, seconds(10));
        for (String f : Scenarios.others(c, leader)) {
            c.setStorageDelay(f, Duration.ofMillis(30), Duration.ofMillis(30)); // followers apply late
        }
        List<CompletableFuture<CommandResult>> writes = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            writes.add(c.submit(leader, bytes("w" + i)).toCompletableFuture());
            c.runFor(Duration.ofMillis(7));
        }
        c.runUntil(() -> writes.stream().allMatch(CompletableFuture::isDone), seconds(2));
        for (String id : c.nodeIds()) {
            c.crash(id); // at once: followers have not learned (or applied) the latest commits
        }
        for (String id : c.nodeIds()) {
            // Slow disks now: the new leader's term-start entry takes a while to commit, heartbeats do not.
            c.setStorageDelay(id, Duration.ofMillis(100), Duration.ofMillis(100));
            c.restart(id);
        }
        long end = c.now() + seconds(2).toNanos();
        while (c.now() < end) {
            for (String id : c.nodeIds()) {
                c.read(id);
            }
            c.runFor(Duration.ofMillis(3));
        }
        String survivor = c.leader() == null ? c.nodeIds().get(0) : c.leader();
        for (String id : Scenarios.others(c, survivor)) {
            c.crash(id);
        }
        int before = c.history().size();
        end = c.now() + seconds(2).toNanos();
        while (c.now() < end) {
            c.read(survivor);
            c.runFor(Duration.ofMillis(50));
        }
        c.runFor(seconds(1));
        for (var op : c.history().operations().subList(before, c.history().size())) {
            assertThat(op.isOk()).as("%s, with no majority", op).isFalse();
        }
        return c;
    }

    @Test
    @DisplayName("20: all nodes restarted, then a majority killed: no empty or stale reads")
    void noStaleReadsAfterAFullRestart() {
        for (long seed = 200; seed < 205; seed++) {
            SimCluster c = allRestartedThenMajorityKilled(seed, false);
            assertThat(c.readsServed()).as("seed %d: reads served after the restart", seed).isPositive();
            assertThat(c.readViolations()).isEmpty();
            assertThat(check(c)).as("seed %d", seed).isInstanceOf(CheckResult.Linearizable.class);
        }
    }

    @Test
    @DisplayName("20, rule broken: reads served before the restarted leader commits in its term are stale")
    void fullRestartWithReadsBeforeTermCommitIsCaught() {
        int caught = 0;
        for (long seed = 200; seed < 205; seed++) {
            if (check(allRestartedThenMajorityKilled(seed, true)) instanceof CheckResult.NotLinearizable) {
                caught++;
            }
        }
        assertThat(caught).as("seeds where the stale read was caught").isPositive();
    }

    @Test
    @DisplayName("a follower read after the leader changed (crash, then a transfer) sees every acknowledged write")
    void followerReadAfterLeaderChanged() {
        SimCluster c = SimCluster.builder().seed(46).nodeCount(5).settings(settings(true, true)).build();
        c.start();
        String first = Scenarios.awaitSettledLeader(c, seconds(10));
        write(c, first, "a");
        c.crash(first);
        assertThat(c.runUntil(() -> c.leader() != null, seconds(5))).isTrue();
        String second = c.leader();
        write(c, second, "b");
        for (String id : c.nodeIds()) {
            if (c.isUp(id)) {
                assertThat(readOk(c, id)).as("read on %s", id).contains("a", "b");
            }
        }
        String third = Scenarios.others(c, second).stream().filter(c::isUp).findFirst().orElseThrow();
        await(c, c.transferLeadership(second, third), seconds(5));
        write(c, third, "c");
        c.restart(first);
        // Until it hears from the leader it knows none, and answers Retry at once, like a submit.
        assertThat(c.runUntil(() -> c.status(first).leaderId() != null, seconds(5))).isTrue();
        assertThat(readOk(c, first)).contains("a", "b", "c");
        assertThat(readOk(c, second)).contains("a", "b", "c");
        assertThat(check(c)).isInstanceOf(CheckResult.Linearizable.class);
    }
}
