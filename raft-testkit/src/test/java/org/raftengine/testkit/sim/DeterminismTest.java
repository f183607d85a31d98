package org.raftengine.testkit.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class DeterminismTest {

    private record Run(String trace, NetworkStats stats, List<String> receivedByA, long steps) {
    }

    private static Run pingPong(long seed) {
        Simulation sim = new Simulation(seed);
        SimNetwork net = new SimNetwork(sim, NetworkFaults.NONE.withLoss(0.2, 0.2)
                .withDelay(Duration.ofMillis(1), Duration.ofMillis(30)));
        FakeNode a = new FakeNode(sim, net, "a", "b");
        FakeNode b = new FakeNode(sim, net, "b", "a");
        a.runtime.setStorageDelay(Duration.ZERO, Duration.ofMillis(4));
        sim.setNodeStateSource(() -> List.of(a.state(), b.state()));
        a.start();
        b.start();
        a.ping(1);
        sim.runFor(Duration.ofSeconds(2));
        return new Run(TraceTable.render(sim.trace()), net.stats(), a.received, sim.stepCount());
    }

    @Test
    void theSameSeedReplaysTheSameRun() {
        Run first = pingPong(42);
        Run second = pingPong(42);
        assertThat(first.steps()).isGreaterThan(200);
        assertThat(first.stats().dropped()).isPositive();
        assertThat(first.stats().duplicated()).isPositive();
        assertThat(second.trace()).isEqualTo(first.trace());
        assertThat(second.stats()).isEqualTo(first.stats());
        assertThat(second.receivedByA()).isEqualTo(first.receivedByA());
    }

    @Test
    void anotherSeedGivesAnotherRun() {
        assertThat(pingPong(43).trace()).isNotEqualTo(pingPong(42).trace());
    }
}
