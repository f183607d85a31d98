package org.raftengine.testkit.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.raftengine.core.CommandResult;

/** The simulator around the real engine. */
class SimClusterSmokeTest {

    private static SimCluster started(long seed) {
        SimCluster c = SimCluster.builder().seed(seed).nodeCount(3).build();
        c.start();
        return c;
    }

    @Test
    void electsALeaderAndCommitsCommands() {
        SimCluster c = started(1);
        String leader = c.awaitLeader(Duration.ofSeconds(10));
        assertThat(leader).isNotNull();
        for (int i = 0; i < 10; i++) {
            c.submit(leader, ("cmd" + i).getBytes(StandardCharsets.UTF_8));
        }
        c.runFor(Duration.ofSeconds(2));
        assertThat(c.history().operations()).allSatisfy(op -> assertThat(op.result()).isInstanceOf(CommandResult.Ok.class));
        for (String id : c.nodeIds()) {
            assertThat(c.stateMachine(id).commandsApplied()).isEqualTo(10);
        }
    }

    @Test
    void survivesALeaderCrashAndReplaysExactly() {
        String first = crashRun(5);
        assertThat(crashRun(5)).isEqualTo(first);
    }

    private static String crashRun(long seed) {
        SimCluster c = started(seed);
        String leader = c.awaitLeader(Duration.ofSeconds(10));
        assertThat(leader).isNotNull();
        c.submit(leader, "a".getBytes(StandardCharsets.UTF_8));
        c.runFor(Duration.ofMillis(500));
        c.crash(leader);
        String next = c.awaitLeader(Duration.ofSeconds(10));
        assertThat(next).isNotNull().isNotEqualTo(leader);
        c.submit(next, "b".getBytes(StandardCharsets.UTF_8));
        c.restart(leader);
        c.runFor(Duration.ofSeconds(2));
        return TraceTable.render(c.simulation().trace());
    }
}
