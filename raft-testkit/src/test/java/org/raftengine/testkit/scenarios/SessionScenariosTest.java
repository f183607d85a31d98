package org.raftengine.testkit.scenarios;

import static org.assertj.core.api.Assertions.assertThat;
import static org.raftengine.testkit.scenarios.Scenarios.bytes;
import static org.raftengine.testkit.scenarios.Scenarios.seconds;
import static org.raftengine.testkit.scenarios.Scenarios.settings;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.raftengine.core.CommandResult;
import org.raftengine.core.spi.LogEntry;
import org.raftengine.testkit.lin.CheckResult;
import org.raftengine.testkit.nemesis.LogLinearizability;
import org.raftengine.testkit.sim.AppliedEntry;
import org.raftengine.testkit.sim.ClientOperation;
import org.raftengine.testkit.sim.EntryCommands;
import org.raftengine.testkit.sim.NetworkFaults;
import org.raftengine.testkit.sim.SimCluster;
import org.raftengine.testkit.sim.SimStateMachine;

/**
 * RELIABILITY 27 with client sessions: a command re-submitted, or a forward re-sent, is applied once and
 * answered with the original outcome; a lost forward costs a re-send, not the command time-out.
 */
class SessionScenariosTest {

    /** How many times {@code id}'s state machine applied {@code command} (a duplicate is recorded, not applied). */
    private static int timesApplied(SimCluster c, String id, byte[] command) {
        int n = 0;
        for (AppliedEntry e : c.stateMachine(id).appliedEntries()) {
            if (e.command() != null && Arrays.equals(e.command(), command)) {
                n++;
            }
        }
        return n;
    }

    /** Log entries of {@code id} carrying {@code command}, plain or in a session entry. */
    private static List<LogEntry> copiesInLog(SimCluster c, String id, byte[] command) {
        List<LogEntry> out = new ArrayList<>();
        for (LogEntry e : c.logEntries(id)) {
            if (Arrays.equals(EntryCommands.commandOf(e), command)) {
                out.add(e);
            }
        }
        return out;
    }

    private static void assertLinearizable(SimCluster c) {
        CheckResult r = LogLinearizability.check(c.history(), 5_000_000);
        assertThat(r.isLinearizable()).as("%s", r).isTrue();
    }

    @Test
    @DisplayName("27: a command retried across a leader change is applied exactly once and answered with the original result")
    void aCommandRetriedAcrossALeaderChangeIsAppliedOnce() {
        SimCluster c = SimCluster.builder().seed(2701).nodeCount(3).settings(settings(true, true)).build();
        c.start();
        String leader = Scenarios.awaitSettledLeader(c, seconds(10));
        List<String> followers = Scenarios.others(c, leader);
        byte[] command = bytes("pay-42");
        ClientOperation op = c.submitSession(leader, "client-1", 1, command, null);
        // The leader crashes once both followers hold the entry, before it hears they do: the client gets no
        // answer, and the entry commits under the next leader.
        assertThat(c.runUntil(() -> followers.stream().allMatch(f -> !copiesInLog(c, f, command).isEmpty()),
                seconds(2))).isTrue();
        c.crash(leader);
        assertThat(op.isComplete()).isFalse();
        String next = c.awaitLeader(seconds(10));
        assertThat(next).isNotNull().isNotEqualTo(leader);
        long original = copiesInLog(c, next, command).get(0).index();
        assertThat(c.runUntil(() -> c.stateMachine(next).lastApplied() >= original, seconds(5))).isTrue();

        // The client re-submits the same sequence, through the other follower (a forward) this time.
        String via = followers.get(0).equals(next) ? followers.get(1) : followers.get(0);
        c.submitSession(via, "client-1", 1, command, op);
        assertThat(c.runUntil(op::isComplete, seconds(5))).isTrue();

        assertThat(op.attempts()).isEqualTo(2);
        assertThat(op.result()).isInstanceOfSatisfying(CommandResult.Ok.class, ok -> {
            assertThat(ok.index()).as("the original index").isEqualTo(original);
            assertThat(ok.result()).as("the original result").isEqualTo(SimStateMachine.resultFor(1, command));
        });
        assertThat(copiesInLog(c, next, command)).as("re-submitted: in the log twice").hasSize(2);
        c.restart(leader);
        c.runFor(seconds(2));
        for (String id : c.nodeIds()) {
            assertThat(timesApplied(c, id, command)).as("%s applied it", id).isEqualTo(1);
        }
        assertThat(c.history().size()).as("one operation in the history").isEqualTo(1);
        assertLinearizable(c);
    }

    @Test
    @DisplayName("27: a duplicate forward delivered after a leader restart is applied once")
    void aDuplicateForwardAfterALeaderRestartIsAppliedOnce() {
        SimCluster c = SimCluster.builder().seed(2702).nodeCount(3).settings(settings(true, true)).build();
        c.start();
        String leader = Scenarios.awaitSettledLeader(c, seconds(10));
        String follower = Scenarios.others(c, leader).get(0);
        byte[] command = bytes("plain-7");
        // A plain submit on a follower: forwarded as a command of the follower's own session.
        CompletableFuture<CommandResult> f = c.submit(follower, command).toCompletableFuture();
        // The leader's answer is lost: the leader appends, commits and applies it, then restarts.
        c.network().cutOneWay(leader, follower);
        assertThat(c.runUntil(() -> c.stateMachine(leader).commandsApplied() > 0
                && timesApplied(c, leader, command) == 1, seconds(2))).isTrue();
        long original = copiesInLog(c, leader, command).get(0).index();
        c.crash(leader);
        c.restart(leader);
        c.network().heal();
        assertThat(c.runUntil(f::isDone, seconds(5))).isTrue();

        // A node that applied it live answers with the original outcome; the restarted leader, whose state
        // machine kept its applied index, knows it was applied (its table was rebuilt from the log) but not
        // its result: a final refusal naming the index, never Retry and never a second apply.
        CommandResult r = f.join();
        if (r instanceof CommandResult.Ok ok) {
            assertThat(ok.index()).isEqualTo(original);
            assertThat(ok.result()).isEqualTo(SimStateMachine.resultFor(1, command));
        } else {
            assertThat(r).isInstanceOfSatisfying(CommandResult.Refused.class, refused -> assertThat(refused.reason())
                    .contains("exactly once, at index " + original).contains("not known"));
        }
        c.runFor(seconds(1));
        String now = c.leader();
        assertThat(copiesInLog(c, now, command)).as("the re-sent forward was appended again").hasSizeGreaterThan(1);
        for (String id : c.nodeIds()) {
            assertThat(timesApplied(c, id, command)).as("%s applied it", id).isEqualTo(1);
        }
        assertLinearizable(c);
    }

    @Test
    @DisplayName("27: after the whole cluster restarts, state machines that keep outcomes give a re-sent command its original answer")
    void keptOutcomesAnswerADuplicateAfterTheWholeClusterRestarts() {
        SimCluster c = SimCluster.builder().seed(2704).nodeCount(3).settings(settings(true, true))
                .stateMachinesKeepOutcomes(true).build();
        c.start();
        String leader = Scenarios.awaitSettledLeader(c, seconds(10));
        byte[] pay = bytes("pay-9");
        byte[] overdraft = bytes("X-overdraft"); // rejected by the state machine
        // The leader's disk is slow: the followers apply both commands before it does, and the cluster loses power
        // the moment the leader's state machine applied them, before the leader answers the client.
        c.setStorageDelay(leader, Duration.ofMillis(300), Duration.ofMillis(300));
        ClientOperation paid = c.submitSession(leader, "client-9", 1, pay, null);
        ClientOperation refused = c.submitSession(leader, "client-9", 2, overdraft, null);
        assertThat(c.runUntil(() -> c.nodeIds().stream().allMatch(id -> timesApplied(c, id, pay) == 1
                && timesApplied(c, id, overdraft) == 1), seconds(5))).isTrue();
        assertThat(paid.isComplete()).as("answered before the crash").isFalse();
        assertThat(refused.isComplete()).as("answered before the crash").isFalse();
        long payIndex = copiesInLog(c, leader, pay).get(0).index();
        long overdraftIndex = copiesInLog(c, leader, overdraft).get(0).index();
        for (String id : c.nodeIds()) {
            c.crash(id);
        }
        c.setStorageDelay(leader, Duration.ZERO, Duration.ZERO);
        c.start();
        String next = c.awaitLeader(seconds(10));
        assertThat(next).isNotNull();
        for (String id : c.nodeIds()) {
            assertThat(c.appliedAtRestart(id)).as("%s resumed past both commands", id).isGreaterThanOrEqualTo(
                    Math.max(payIndex, overdraftIndex));
            // Its session table, lost in the crash, was rebuilt from the log with the outcomes its state machine kept.
            assertThat(c.stateMachine(id).outcomesAsked()).as("%s asked", id).contains(payIndex, overdraftIndex);
        }

        // The client, which heard nothing, re-sends both under their sequences.
        c.submitSession(next, "client-9", 1, pay, paid);
        c.submitSession(next, "client-9", 2, overdraft, refused);
        assertThat(c.runUntil(() -> paid.isComplete() && refused.isComplete(), seconds(5))).isTrue();

        assertThat(paid.result()).isInstanceOfSatisfying(CommandResult.Ok.class, ok -> {
            assertThat(ok.index()).as("the original index").isEqualTo(payIndex);
            assertThat(ok.result()).as("the original result").isEqualTo(SimStateMachine.resultFor(1, pay));
        });
        assertThat(refused.result()).as("the original rejection").isEqualTo(
                new CommandResult.ApplicationError(overdraftIndex, "rejected 'X-overdraft'"));
        assertThat(copiesInLog(c, next, pay)).as("re-sent: in the log twice").hasSize(2);
        c.runFor(seconds(1));
        for (String id : c.nodeIds()) {
            assertThat(timesApplied(c, id, pay)).as("%s applied it", id).isEqualTo(1);
            assertThat(timesApplied(c, id, overdraft)).as("%s rejected it", id).isEqualTo(1);
        }
        assertThat(c.history().size()).as("two operations in the history").isEqualTo(2);
        assertLinearizable(c);
    }

    @Test
    @DisplayName("27: with 5% message loss and forwarding, no command waits the command time-out for a lost forward")
    void lostForwardsCostAReSendNotTheTimeout() {
        Duration timeout = Duration.ofSeconds(10);
        SimCluster c = SimCluster.builder().seed(2703).nodeCount(3).settings(settings(true, true))
                .configure(cfg -> cfg.withCommandTimeout(timeout)).build();
        c.start();
        String leader = Scenarios.awaitSettledLeader(c, seconds(10));
        c.network().setFaults(new NetworkFaults(0.05, 0.0, Duration.ofMillis(1), Duration.ofMillis(10)));
        List<String> followers = Scenarios.others(c, leader);
        List<ClientOperation> before = c.history().operations();
        for (int i = 0; i < 300; i++) {
            c.submit(followers.get(i % 2), bytes("lossy-" + i));
            c.runFor(Duration.ofMillis(10));
        }
        c.runFor(seconds(3));
        long maxMillis = 0;
        int count = 0;
        for (ClientOperation op : c.history().operations()) {
            if (before.stream().anyMatch(b -> b.id() == op.id())) {
                continue;
            }
            count++;
            assertThat(op.isComplete()).as("%s", op).isTrue();
            assertThat(op.result()).as("%s", op).isInstanceOf(CommandResult.Ok.class);
            maxMillis = Math.max(maxMillis, (op.responseNanos() - op.invokeNanos()) / 1_000_000);
        }
        assertThat(count).isEqualTo(300);
        assertThat(c.network().stats().dropped("loss")).as("messages were lost").isPositive();
        // Two heartbeats (100 ms) per lost message, doubling: far below the 10 s time-out.
        assertThat(maxMillis).as("slowest command, ms").isLessThan(1_500);
        for (String id : c.nodeIds()) {
            for (int i = 0; i < 300; i++) {
                assertThat(timesApplied(c, id, bytes("lossy-" + i))).isLessThanOrEqualTo(1);
            }
        }
        assertLinearizable(c);
    }
}
