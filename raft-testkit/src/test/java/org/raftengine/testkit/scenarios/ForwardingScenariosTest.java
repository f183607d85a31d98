package org.raftengine.testkit.scenarios;

import static org.assertj.core.api.Assertions.assertThat;
import static org.raftengine.testkit.scenarios.Scenarios.bytes;
import static org.raftengine.testkit.scenarios.Scenarios.seconds;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.raftengine.core.CommandResult;
import org.raftengine.testkit.sim.SimCluster;

/** Commands a follower forwarded, when the leader they went to is lost. */
class ForwardingScenariosTest {

    /**
     * Both followers forward a command, and the leader crashes before it answers: one of the followers becomes the
     * leader, and nothing re-sends its forward any more (it would send it to itself). Its client is answered within
     * an election timeout or so of the new leader taking office, not at the command time-out (10 s): Indeterminate,
     * as a copy may be in the log, or the outcome, if the old leader's answer still comes.
     */
    @Test
    void aForwardToALostLeaderIsAnsweredSoonOnceItsForwarderLeads() {
        SimCluster c = SimCluster.builder().seed(91).nodeCount(3).build();
        c.start();
        String leader = Scenarios.awaitSettledLeader(c, seconds(10));
        List<String> followers = Scenarios.others(c, leader);
        CompletableFuture<CommandResult> a = c.submit(followers.get(0), bytes("via-a")).toCompletableFuture();
        CompletableFuture<CommandResult> b = c.submit(followers.get(1), bytes("via-b")).toCompletableFuture();
        c.crash(leader);
        assertThat(c.runUntil(() -> c.leader() != null, seconds(5))).as("a new leader").isTrue();
        String now = c.leader();
        CompletableFuture<CommandResult> viaNewLeader = now.equals(followers.get(0)) ? a : b;
        long elected = c.now();

        assertThat(c.runUntil(viaNewLeader::isDone, seconds(2))).as("answered within 2 s of the election, not at the"
                + " 10 s command time-out").isTrue();
        assertThat(c.now() - elected).isLessThan(seconds(2).toNanos());
        assertThat(viaNewLeader.join()).isInstanceOfAny(CommandResult.Indeterminate.class, CommandResult.Ok.class);
        assertThat(c.runUntil(() -> a.isDone() && b.isDone(), seconds(12))).isTrue();
    }
}
