package org.raftengine.testkit.scenarios;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.raftengine.testkit.scenarios.Scenarios.bytes;
import static org.raftengine.testkit.scenarios.Scenarios.seconds;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.raftengine.core.CommandResult;
import org.raftengine.core.LogBrokenException;
import org.raftengine.core.Role;
import org.raftengine.core.RaftListener;
import org.raftengine.testkit.sim.SimCluster;
import org.raftengine.testkit.sim.SimStateMachine;

/** Apply failures, storage failures, restarts from the state machine's applied index, and listeners. */
class ApplyAndStorageScenariosTest {

    private static SimCluster started(long seed) {
        SimCluster c = SimCluster.builder().seed(seed).nodeCount(3).build();
        c.start();
        return c;
    }

    @Test
    void aRejectedCommandIsAnErrorOnEveryReplicaAndTheAppliedIndexMovesOn() {
        SimCluster c = started(41);
        String leader = Scenarios.awaitSettledLeader(c, seconds(10));
        CompletionStage<CommandResult> rejected = c.submit(leader, bytes("X refused"));
        CompletionStage<CommandResult> next = c.submit(leader, bytes("accepted"));
        c.runFor(seconds(1));
        CommandResult r = rejected.toCompletableFuture().getNow(null);
        assertThat(r).isInstanceOf(CommandResult.ApplicationError.class);
        assertThat(((CommandResult.ApplicationError) r).message()).contains("refused");
        assertThat(next.toCompletableFuture().getNow(null)).isInstanceOf(CommandResult.Ok.class);
        long index = ((CommandResult.ApplicationError) r).index();
        for (String id : c.nodeIds()) {
            assertThat(c.stateMachine(id).lastApplied()).isGreaterThan(index);
            assertThat(c.stateMachine(id).appliedEntries()).anySatisfy(e -> {
                assertThat(e.index()).isEqualTo(index);
                assertThat(e.rejected()).isTrue();
            });
        }
    }

    @Test
    void aTransientApplyFailureIsRetriedWithoutSkippingTheEntry() {
        SimCluster c = started(42);
        String leader = Scenarios.awaitSettledLeader(c, seconds(10));
        c.stateMachine(leader).failNextAppliesTransiently(4);
        CompletionStage<CommandResult> r = c.submit(leader, bytes("eventually"));
        c.runFor(seconds(5));
        assertThat(r.toCompletableFuture().getNow(null)).isInstanceOf(CommandResult.Ok.class);
        assertThat(c.stateMachine(leader).failuresLeft()).isZero();
        assertThat(c.stateMachine(leader).commandsApplied()).isEqualTo(1);
        assertThat(c.node(leader).applyFailures()).isEqualTo(4);
        assertThat(c.status(leader).role()).isEqualTo(Role.LEADER);
    }

    /** Any other exception, after bounded retries, marks the log broken and stops the node for good. */
    @Test
    void aRepeatedApplyBugMarksTheLogBrokenAndTheNodeRefusesToStart() {
        SimCluster c = started(43);
        String leader = Scenarios.awaitSettledLeader(c, seconds(10));
        String follower = Scenarios.others(c, leader).get(0);
        SimStateMachine sm = c.stateMachine(follower);
        sm.failNextAppliesWithBug(100);
        c.submit(leader, bytes("poison"));
        c.runFor(seconds(5));
        assertThat(c.log(follower).isBroken()).isTrue();
        assertThat(c.log(follower).brokenReason()).contains("failed");
        assertThat(c.status(follower).role()).isEqualTo(Role.STOPPED);
        assertThat(sm.commandsApplied()).isZero();
        c.crash(follower);
        assertThatThrownBy(() -> c.restart(follower)).isInstanceOf(LogBrokenException.class)
                .hasMessageContaining("broken");
        // The other two carry on.
        CompletionStage<CommandResult> after = c.submit(leader, bytes("after"));
        c.runFor(seconds(1));
        assertThat(after.toCompletableFuture().getNow(null)).isInstanceOf(CommandResult.Ok.class);
    }

    /** Crash and storage 18: while storage fails nothing is acknowledged; once it returns, all commits. */
    @Test
    @DisplayName("18: a storage error during append: nothing acknowledged, and the node recovers when storage returns")
    void aStorageOutageAcknowledgesNothingAndRecovers() {
        SimCluster c = started(44);
        String leader = Scenarios.awaitSettledLeader(c, seconds(10));
        for (String id : c.nodeIds()) {
            c.log(id).setWriteFailure(() -> new IllegalStateException("disk full"));
        }
        CompletionStage<CommandResult> r = c.submit(leader, bytes("while-down"));
        c.runFor(seconds(2));
        assertThat(r.toCompletableFuture().getNow(null)).as("not acknowledged while no write is durable").isNull();
        assertThat(c.node(leader).storageFailures()).as("failed writes are counted").isPositive();
        for (String id : c.nodeIds()) {
            c.log(id).setWriteFailure(null);
        }
        c.runFor(seconds(8));
        assertThat(r.toCompletableFuture().getNow(null)).isInstanceOf(CommandResult.Ok.class);
    }

    /** After a restart the node resumes from the state machine's applied index: nothing is applied twice. */
    @Test
    @DisplayName("19: a restart resumes from the state machine's applied index: nothing is applied twice")
    void aRestartedNodeResumesFromTheStateMachinesAppliedIndex() {
        SimCluster c = started(45);
        String leader = Scenarios.awaitSettledLeader(c, seconds(10));
        for (int i = 0; i < 10; i++) {
            c.submit(leader, bytes("c" + i));
        }
        c.runFor(seconds(1));
        String follower = Scenarios.others(c, leader).get(0);
        long applied = c.stateMachine(follower).lastApplied();
        c.crash(follower);
        c.restart(follower);
        c.runFor(Duration.ofMillis(500));
        assertThat(c.status(follower).appliedIndex()).isGreaterThanOrEqualTo(applied);
        assertThat(c.stateMachine(follower).commandsApplied()).isEqualTo(10);
        for (int i = 0; i < 5; i++) {
            c.submit(follower, bytes("d" + i));
        }
        c.runFor(seconds(1));
        assertThat(c.stateMachine(follower).commandsApplied()).isEqualTo(15);
    }

    @Test
    void listenersHearRoleTermAndLeaderChangesOffTheProtocolThread() {
        SimCluster c = SimCluster.builder().seed(46).nodeCount(3).build();
        c.start();
        List<String> events = new ArrayList<>();
        String watched = c.nodeIds().get(1);
        c.node(watched).addListener(new RaftListener() {
            @Override
            public void onTermChange(long term) {
                events.add("term " + term);
            }

            @Override
            public void onLeaderChange(String leaderId, long term) {
                events.add("leader " + leaderId);
            }
        });
        String leader = Scenarios.awaitSettledLeader(c, seconds(10));
        assertThat(events).contains("leader " + leader);
        assertThat(events).anyMatch(e -> e.startsWith("term "));
        assertThat(c.status(leader).matchIndex()).containsOnlyKeys(Scenarios.others(c, leader));
        assertThat(c.status(leader).matchIndex().values()).allMatch(m -> m == c.status(leader).lastIndex());
    }
}
