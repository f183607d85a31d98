package org.raftengine.testkit.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.raftengine.core.Cancellable;

class SimRuntimeTest {

    @Test
    void aCrashedRuntimesPendingStorageEventsNeverRun() {
        Simulation sim = new Simulation(3);
        SimRuntime n1 = new SimRuntime(sim, "n1", 1);
        SimRuntime n2 = new SimRuntime(sim, "n2", 1);
        n1.setStorageDelay(Duration.ofMillis(10), Duration.ofMillis(10));
        n2.setStorageDelay(Duration.ofMillis(10), Duration.ofMillis(10));
        List<String> ran = new ArrayList<>();
        n1.storageExecutor().execute(() -> ran.add("n1 write"));
        n1.applyExecutor().execute(() -> ran.add("n1 apply"));
        n1.schedule(20_000_000, () -> ran.add("n1 timer"));
        n2.storageExecutor().execute(() -> ran.add("n2 write"));

        sim.runFor(Duration.ofMillis(5));
        assertThat(ran).containsExactly("n1 apply");
        n1.shutdown();
        n1.storageExecutor().execute(() -> ran.add("n1 late write"));
        n1.protocolExecutor().execute(() -> ran.add("n1 late task"));
        n1.schedule(1, () -> ran.add("n1 late timer"));
        sim.runFor(Duration.ofSeconds(1));

        assertThat(ran).containsExactly("n1 apply", "n2 write");
        assertThat(n1.isShutdown()).isTrue();
        assertThat(n1.droppedTasks()).isEqualTo(3);
        assertThat(sim.trace()).anySatisfy(r -> assertThat(r.label()).contains("runtime #1 shut down, 2 pending"));
    }

    @Test
    void aShutdownFromInsideItsOwnTaskDropsTheRest() {
        Simulation sim = new Simulation(3);
        SimRuntime rt = new SimRuntime(sim, "n1", 1);
        List<String> ran = new ArrayList<>();
        rt.protocolExecutor().execute(() -> {
            ran.add("first");
            rt.shutdown();
        });
        rt.protocolExecutor().execute(() -> ran.add("second"));
        sim.runFor(Duration.ofMillis(1));
        assertThat(ran).containsExactly("first");
    }

    @Test
    void eachExecutorStaysFifoEvenWithRandomStorageDelays() {
        Simulation sim = new Simulation(11);
        SimRuntime rt = new SimRuntime(sim, "n1", 1);
        rt.setStorageDelay(Duration.ZERO, Duration.ofMillis(20));
        List<Integer> storageOrder = new ArrayList<>();
        List<Long> storageTimes = new ArrayList<>();
        List<Integer> protocolOrder = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            int k = i;
            // Submissions spread over time, from inside events, as the engine would make them.
            sim.schedule(Duration.ofMillis(i / 5), "n1", EventKind.ACTION, "submit", () -> {
                rt.storageExecutor().execute(() -> {
                    storageOrder.add(k);
                    storageTimes.add(sim.now());
                });
                rt.protocolExecutor().execute(() -> protocolOrder.add(k));
            });
        }
        sim.runFor(Duration.ofSeconds(1));
        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            expected.add(i);
        }
        assertThat(storageOrder).isEqualTo(expected);
        assertThat(protocolOrder).isEqualTo(expected);
        assertThat(storageTimes).isSorted();
        // The delays really apply: the storage lane ends well after the last submission at 9 ms.
        assertThat(storageTimes.get(49)).isGreaterThan(9_000_000L);
    }

    @Test
    void protocolTasksAreNotDelayedByASlowDisk() {
        Simulation sim = new Simulation(11);
        SimRuntime rt = new SimRuntime(sim, "n1", 1);
        rt.setStorageDelay(Duration.ofMillis(50), Duration.ofMillis(50));
        List<String> ran = new ArrayList<>();
        rt.storageExecutor().execute(() -> ran.add("write@" + sim.now() / 1_000_000));
        rt.protocolExecutor().execute(() -> ran.add("task@" + sim.now() / 1_000_000));
        sim.runFor(Duration.ofMillis(100));
        assertThat(ran).containsExactly("task@0", "write@50");
    }

    @Test
    void timersFireAtTheirTimeAndCanBeCancelled() {
        Simulation sim = new Simulation(1);
        SimRuntime rt = new SimRuntime(sim, "n1", 1);
        List<String> ran = new ArrayList<>();
        rt.schedule(30_000_000, () -> ran.add("t30@" + sim.now()));
        Cancellable c = rt.schedule(10_000_000, () -> ran.add("t10"));
        rt.schedule(20_000_000, () -> ran.add("t20@" + sim.now()));
        c.cancel();
        sim.runFor(Duration.ofMillis(50));
        assertThat(ran).containsExactly("t20@20000000", "t30@30000000");
        assertThat(sim.trace()).allSatisfy(r -> assertThat(r.kind()).isEqualTo(EventKind.TIMER));
    }

    @Test
    void aFastClockSeesMoreTimeAndFiresTimersEarlier() {
        Simulation sim = new Simulation(1);
        SimRuntime rt = new SimRuntime(sim, "n1", 1);
        sim.runFor(Duration.ofMillis(10));
        rt.setClockRate(2.0);
        assertThat(rt.nanoTime()).isEqualTo(10_000_000L);
        sim.runFor(Duration.ofMillis(10));
        assertThat(rt.nanoTime()).isEqualTo(30_000_000L);
        long[] firedAt = {-1};
        rt.schedule(100_000_000, () -> firedAt[0] = sim.now());
        sim.runFor(Duration.ofMillis(100));
        assertThat(firedAt[0]).isEqualTo(70_000_000L);
    }

    @Test
    void randomnessDependsOnSeedNodeAndIncarnation() {
        Simulation sim = new Simulation(9);
        long a1 = new SimRuntime(sim, "n1", 1).random().nextLong();
        assertThat(new SimRuntime(new Simulation(9), "n1", 1).random().nextLong()).isEqualTo(a1);
        assertThat(new SimRuntime(sim, "n1", 2).random().nextLong()).isNotEqualTo(a1);
        assertThat(new SimRuntime(sim, "n2", 1).random().nextLong()).isNotEqualTo(a1);
        assertThat(new SimRuntime(new Simulation(10), "n1", 1).random().nextLong()).isNotEqualTo(a1);
    }
}
