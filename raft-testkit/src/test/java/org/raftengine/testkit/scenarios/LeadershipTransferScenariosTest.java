package org.raftengine.testkit.scenarios;

import static org.assertj.core.api.Assertions.assertThat;
import static org.raftengine.testkit.scenarios.Scenarios.bytes;
import static org.raftengine.testkit.scenarios.Scenarios.seconds;
import static org.raftengine.testkit.scenarios.Scenarios.settings;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.raftengine.core.CommandResult;
import org.raftengine.core.RaftListener;
import org.raftengine.core.TransferResult;
import org.raftengine.core.message.RaftMessage;
import org.raftengine.core.message.TimeoutNow;
import org.raftengine.core.message.VoteRequest;
import org.raftengine.testkit.lin.CheckResult;
import org.raftengine.testkit.nemesis.LogLinearizability;
import org.raftengine.testkit.sim.ClientOperation;
import org.raftengine.testkit.sim.NetworkFaults;
import org.raftengine.testkit.sim.SimCluster;

/**
 * Leadership transfer (Raft thesis 3.10; issue 10 item 3), on the simulator with the invariants checked after
 * every step: the leader stops taking commands, brings the target up to date, sends TimeoutNow, and the
 * target's election skips PreVote and overrides leader stickiness; a transfer that cannot finish gives up after
 * an election timeout and the leader takes commands again. RELIABILITY 26 (a transfer during in-flight writes)
 * is at the end, with the linearizability checker over a history of writes and reads.
 */
class LeadershipTransferScenariosTest {

    private static SimCluster cluster(long seed, int nodes) {
        return SimCluster.builder().seed(seed).nodeCount(nodes).settings(settings(true, true)).build();
    }

    private static <T> T await(SimCluster c, java.util.concurrent.CompletionStage<T> stage, Duration max) {
        CompletableFuture<T> f = stage.toCompletableFuture();
        assertThat(c.runUntil(f::isDone, max)).as("answered within %s", max).isTrue();
        return f.join();
    }

    @Test
    @DisplayName("a transfer to a named follower: with PreVote and CheckQuorum on, it leads well within an election timeout")
    void transferToNamedFollower() {
        SimCluster c = cluster(31, 3);
        c.start();
        String leader = Scenarios.awaitSettledLeader(c, seconds(10));
        String target = Scenarios.others(c, leader).get(1);
        long term = c.status(leader).term();
        List<VoteRequest> votes = new ArrayList<>();
        c.network().addSendListener(m -> {
            if (m instanceof VoteRequest v) {
                votes.add(v);
            }
        });
        long start = c.now();
        TransferResult r = await(c, c.transferLeadership(leader, target), seconds(5));
        long tookMillis = (c.now() - start) / 1_000_000;

        assertThat(r).isEqualTo(new TransferResult.Done(target, term + 1));
        assertThat(c.leader()).isEqualTo(target);
        // The target campaigned at once, without PreVote, and the voters set their stickiness aside: all of
        // it before any election timer could have fired (the minimum is 300 ms).
        assertThat(tookMillis).isLessThan(c.settings().electionTimeoutMinMillis());
        assertThat(votes).isNotEmpty().allSatisfy(v -> {
            assertThat(v.from()).isEqualTo(target);
            assertThat(v.preVote()).isFalse();
            assertThat(v.transfer()).isTrue();
        });
        assertThat(c.node(leader).transfersDone()).isEqualTo(1);
        // The new leader takes commands.
        assertThat(await(c, c.submit(target, bytes("after")), seconds(5))).isInstanceOf(CommandResult.Ok.class);
    }

    @Test
    @DisplayName("without a target named, leadership goes to the most up-to-date voter, not to one that lags")
    void transferToTheMostUpToDateVoter() {
        SimCluster c = cluster(32, 5);
        c.start();
        String leader = Scenarios.awaitSettledLeader(c, seconds(10));
        List<String> others = Scenarios.others(c, leader);
        // Three followers fall behind (their links from the leader cut), one keeps up.
        String upToDate = others.get(2);
        for (String f : others) {
            if (!f.equals(upToDate)) {
                c.network().cutOneWay(leader, f);
            }
        }
        for (int i = 0; i < 5; i++) {
            c.submit(leader, bytes("w" + i));
        }
        c.runFor(Duration.ofMillis(200));
        for (String f : others) {
            c.network().heal(leader, f);
        }
        TransferResult r = await(c, c.transferLeadership(leader, null), seconds(5));
        assertThat(r).isInstanceOf(TransferResult.Done.class);
        assertThat(((TransferResult.Done) r).leaderId()).isEqualTo(upToDate);
    }

    @Test
    @DisplayName("a target that lags is brought up to date before TimeoutNow, so no committed entry is lost")
    void laggingTargetCatchesUpFirst() {
        SimCluster c = cluster(33, 3);
        c.start();
        String leader = Scenarios.awaitSettledLeader(c, seconds(10));
        String target = Scenarios.others(c, leader).get(0);
        c.network().cutOneWay(leader, target);
        List<CompletableFuture<CommandResult>> writes = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            writes.add(c.submit(leader, bytes("lag" + i)).toCompletableFuture());
        }
        c.runFor(Duration.ofMillis(200));
        assertThat(writes).allMatch(f -> f.isDone() && f.join().isOk());
        long leaderLast = c.status(leader).lastIndex();
        assertThat(c.status(target).lastIndex()).isLessThan(leaderLast);
        List<RaftMessage> timeoutNows = new ArrayList<>();
        c.network().addSendListener(m -> {
            if (m instanceof TimeoutNow t) {
                timeoutNows.add(t);
                // Sent only once the target holds every entry of the leader.
                assertThat(c.status(target).lastIndex()).as("target's log when TimeoutNow left")
                        .isGreaterThanOrEqualTo(leaderLast);
            }
        });
        c.network().heal(leader, target);
        TransferResult r = await(c, c.transferLeadership(leader, target), seconds(5));
        assertThat(r).isInstanceOf(TransferResult.Done.class);
        assertThat(timeoutNows).hasSize(1);
        assertThat(c.leader()).isEqualTo(target);
    }

    @Test
    @DisplayName("new commands are answered Retry while the transfer runs; after an election timeout it gives up and takes them again")
    void commandsRetryDuringTransferThenTimeout() {
        SimCluster c = cluster(34, 3);
        c.start();
        String leader = Scenarios.awaitSettledLeader(c, seconds(10));
        String target = Scenarios.others(c, leader).get(0);
        String other = Scenarios.others(c, leader).get(1);
        List<String> told = new ArrayList<>();
        c.node(leader).addListener(new RaftListener() {
            @Override
            public void onTransferStarted(String targetId, long term) {
                told.add("started " + targetId);
            }

            @Override
            public void onTransferEnded(TransferResult result) {
                told.add("ended " + result.getClass().getSimpleName());
            }
        });
        // The target never hears the leader: it cannot catch up, nor get TimeoutNow.
        c.network().cutOneWay(leader, target);
        c.submit(leader, bytes("before"));
        c.runFor(Duration.ofMillis(100));
        CompletableFuture<TransferResult> transfer = c.transferLeadership(leader, target).toCompletableFuture();
        c.runFor(Duration.ofMillis(10));
        assertThat(c.status(leader).transferTarget()).isEqualTo(target);
        CommandResult onLeader = await(c, c.submit(leader, bytes("during-1")), seconds(1));
        CommandResult viaFollower = await(c, c.submit(other, bytes("during-2")), seconds(1));
        assertThat(onLeader).isInstanceOf(CommandResult.Retry.class);
        assertThat(((CommandResult.Retry) onLeader).reason()).contains("leadership is being handed to " + target);
        assertThat(viaFollower).isInstanceOf(CommandResult.Retry.class);

        TransferResult r = await(c, transfer, seconds(2));
        assertThat(r).isInstanceOf(TransferResult.TimedOut.class);
        assertThat(c.leader()).isEqualTo(leader);
        assertThat(c.status(leader).transferTarget()).isNull();
        assertThat(await(c, c.submit(leader, bytes("after")), seconds(2))).isInstanceOf(CommandResult.Ok.class);
        assertThat(told).containsExactly("started " + target, "ended TimedOut");
        // Retry promised "certainly not in the log".
        for (String id : c.nodeIds()) {
            assertThat(Scenarios.occurrences(c, id, bytes("during-1"))).isZero();
            assertThat(Scenarios.occurrences(c, id, bytes("during-2"))).isZero();
        }
    }

    @Test
    @DisplayName("bad requests get typed answers: unknown target, a follower asked, the leader itself, a one-node cluster, a second target")
    void typedRefusals() {
        SimCluster c = cluster(35, 3);
        c.start();
        String leader = Scenarios.awaitSettledLeader(c, seconds(10));
        List<String> others = Scenarios.others(c, leader);
        assertThat(await(c, c.transferLeadership(leader, "n9"), seconds(1)))
                .isInstanceOf(TransferResult.InvalidTarget.class);
        assertThat(await(c, c.transferLeadership(others.get(0), others.get(1)), seconds(1)))
                .isEqualTo(new TransferResult.NotLeader(leader));
        assertThat(await(c, c.transferLeadership(leader, leader), seconds(1)))
                .isEqualTo(new TransferResult.Done(leader, c.status(leader).term()));
        // One transfer at a time: a second target is refused, the same one joins the first.
        c.network().cutOneWay(leader, others.get(0)); // keeps the first one running a while
        c.submit(leader, bytes("x"));
        c.runFor(Duration.ofMillis(100));
        CompletableFuture<TransferResult> first = c.transferLeadership(leader, others.get(0)).toCompletableFuture();
        CompletableFuture<TransferResult> same = c.transferLeadership(leader, others.get(0)).toCompletableFuture();
        assertThat(await(c, c.transferLeadership(leader, others.get(1)), seconds(1)))
                .isEqualTo(new TransferResult.Busy(others.get(0)));
        c.network().heal();
        TransferResult r = await(c, first, seconds(3));
        assertThat(r).isInstanceOf(TransferResult.Done.class);
        assertThat(await(c, same, seconds(1))).isEqualTo(r);

        SimCluster single = cluster(36, 1);
        single.start();
        String only = single.awaitLeader(seconds(5));
        assertThat(await(single, single.transferLeadership(only, null), seconds(1)))
                .isInstanceOf(TransferResult.InvalidTarget.class);
    }

    @Test
    @DisplayName("a late copy of TimeoutNow, delivered after the transfer, starts no second election")
    void lateTimeoutNowIsIgnored() {
        SimCluster c = cluster(37, 3);
        c.start();
        String leader = Scenarios.awaitSettledLeader(c, seconds(10));
        String target = Scenarios.others(c, leader).get(0);
        List<TimeoutNow> sent = new ArrayList<>();
        c.network().addSendListener(m -> {
            if (m instanceof TimeoutNow t) {
                sent.add(t);
            }
        });
        assertThat(await(c, c.transferLeadership(leader, target), seconds(5))).isInstanceOf(TransferResult.Done.class);
        // And back: the first target follows again, in a newer term than its TimeoutNow's.
        assertThat(await(c, c.transferLeadership(target, leader), seconds(5))).isInstanceOf(TransferResult.Done.class);
        c.runFor(Duration.ofMillis(200));
        long term = c.status(target).term();
        c.network().redeliver(sent.get(0));
        c.network().redeliver(sent.get(0));
        c.runFor(Duration.ofSeconds(2));
        assertThat(c.leader()).isEqualTo(leader);
        assertThat(c.node(target).timeoutNowIgnored()).as("late copies counted").isEqualTo(2);
        for (String id : c.nodeIds()) {
            assertThat(c.status(id).term()).as("term of %s", id).isEqualTo(term);
        }
    }

    @Test
    @DisplayName("26: leadership transfer during in-flight writes and reads: one leader per term, a linearizable history")
    void transferDuringInFlightWrites() {
        for (long seed = 260; seed < 266; seed++) {
            SimCluster c = SimCluster.builder().seed(seed).nodeCount(seed % 2 == 0 ? 3 : 5)
                    .settings(settings(seed % 3 != 0, true))
                    .networkFaults(NetworkFaults.NONE.withDelay(Duration.ofMillis(1), Duration.ofMillis(15)))
                    .build();
            c.start();
            Scenarios.awaitSettledLeader(c, seconds(10));
            List<CompletableFuture<TransferResult>> transfers = new ArrayList<>();
            int w = 0;
            long end = c.now() + seconds(4).toNanos();
            while (c.now() < end) {
                String leader = c.leader();
                for (String id : c.nodeIds()) {
                    c.submit(id, bytes("s" + seed + "-" + w++));
                    if (w % 3 == 0) {
                        c.read(id);
                    }
                }
                if (leader != null && w % 40 == 0) {
                    // To a named follower, or to the best one, in the middle of the traffic.
                    String target = w % 80 == 0 ? null : Scenarios.others(c, leader).get(w % (c.nodeIds().size() - 1));
                    transfers.add(c.transferLeadership(leader, target).toCompletableFuture());
                }
                c.runFor(Duration.ofMillis(10));
            }
            c.runFor(seconds(3));
            long done = transfers.stream().filter(f -> f.isDone() && f.join().isDone()).count();
            assertThat(done).as("seed %d: transfers done of %d", seed, transfers.size()).isGreaterThanOrEqualTo(3);
            assertThat(c.readViolations()).isEmpty();
            long reads = c.readsServed();
            assertThat(reads).as("seed %d: linearizable reads served", seed).isGreaterThan(20);
            long retried = c.history().operations().stream().filter(o -> !o.isLinearizableRead())
                    .filter(o -> o.result() instanceof CommandResult.Retry).count();
            assertThat(retried).as("seed %d: commands refused during transfers", seed).isPositive();
            CheckResult result = LogLinearizability.check(c.history(), 5_000_000);
            assertThat(result).as("seed %d: %s", seed, result).isInstanceOf(CheckResult.Linearizable.class);
            for (ClientOperation op : c.history().operations()) {
                if (op.result() instanceof CommandResult.Retry) {
                    for (String id : c.nodeIds()) {
                        assertThat(Scenarios.occurrences(c, id, op.command())).as("%s in %s", op, id).isZero();
                    }
                }
            }
        }
    }
}
