package org.raftengine.testkit.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.raftengine.core.Cancellable;

class SimulationTest {

    @Test
    void eventsRunInTimeOrderAndSameTimeEventsFifo() {
        Simulation sim = new Simulation(1);
        List<String> order = new ArrayList<>();
        sim.schedule(Duration.ofMillis(5), null, EventKind.ACTION, "b", () -> order.add("b@5"));
        sim.schedule(Duration.ofMillis(1), null, EventKind.ACTION, "a", () -> order.add("a@1"));
        for (int i = 0; i < 5; i++) {
            int k = i;
            sim.schedule(Duration.ofMillis(3), null, EventKind.ACTION, "c" + k, () -> order.add("c" + k + "@3"));
        }
        sim.runFor(Duration.ofMillis(10));
        assertThat(order).containsExactly("a@1", "c0@3", "c1@3", "c2@3", "c3@3", "c4@3", "b@5");
        assertThat(sim.now()).isEqualTo(10_000_000L);
    }

    @Test
    void runForStopsAtItsEndAndLeavesLaterEvents() {
        Simulation sim = new Simulation(1);
        List<String> ran = new ArrayList<>();
        sim.schedule(Duration.ofMillis(10), null, EventKind.ACTION, "x", () -> ran.add("x"));
        sim.schedule(Duration.ofMillis(11), null, EventKind.ACTION, "y", () -> ran.add("y"));
        sim.runFor(Duration.ofMillis(10));
        assertThat(ran).containsExactly("x");
        assertThat(sim.pendingEvents()).isEqualTo(1);
        sim.runFor(Duration.ofMillis(1));
        assertThat(ran).containsExactly("x", "y");
    }

    @Test
    void runUntilStopsAsSoonAsTheConditionHolds() {
        Simulation sim = new Simulation(1);
        int[] counter = {0};
        for (int i = 1; i <= 10; i++) {
            sim.schedule(Duration.ofMillis(i), null, EventKind.ACTION, "tick", () -> counter[0]++);
        }
        assertThat(sim.runUntil(() -> counter[0] == 3, Duration.ofSeconds(1))).isTrue();
        assertThat(sim.now()).isEqualTo(3_000_000L);
        assertThat(sim.runUntil(() -> counter[0] == 99, Duration.ofMillis(100))).isFalse();
        assertThat(sim.now()).isEqualTo(103_000_000L);
        assertThat(counter[0]).isEqualTo(10);
    }

    @Test
    void cancelledEventsNeverRunNorShowInTheTrace() {
        Simulation sim = new Simulation(1);
        List<String> ran = new ArrayList<>();
        Cancellable c = sim.schedule(Duration.ofMillis(1), "n1", EventKind.ACTION, "cancelled", () -> ran.add("no"));
        sim.schedule(Duration.ofMillis(2), "n1", EventKind.ACTION, "kept", () -> ran.add("yes"));
        c.cancel();
        sim.runFor(Duration.ofMillis(5));
        assertThat(ran).containsExactly("yes");
        assertThat(sim.trace()).extracting(TraceRow::label).containsExactly("kept");
    }

    @Test
    void notesAttachToTheRunningStepAndActionsOutsideStepsGetTheirOwnRow() {
        Simulation sim = new Simulation(1);
        sim.record("n1", EventKind.FAULT, "crash n1");
        sim.schedule(Duration.ofMillis(1), "n2", EventKind.ACTION, "work", () -> sim.note("did something"));
        sim.runFor(Duration.ofMillis(2));
        List<TraceRow> trace = sim.trace();
        assertThat(trace).hasSize(2);
        assertThat(trace.get(0).kind()).isEqualTo(EventKind.FAULT);
        assertThat(trace.get(0).label()).isEqualTo("crash n1");
        assertThat(trace.get(1).notes()).containsExactly("did something");
        assertThat(trace.get(1).step()).isEqualTo(2);
    }

    @Test
    void theTraceIsABoundedRingBuffer() {
        Simulation sim = new Simulation(1, 10);
        for (int i = 0; i < 25; i++) {
            sim.schedule(Duration.ofMillis(i), null, EventKind.ACTION, "e" + i, () -> { });
        }
        sim.runFor(Duration.ofSeconds(1));
        assertThat(sim.trace()).hasSize(10);
        assertThat(sim.trace().get(0).label()).isEqualTo("e15");
        assertThat(sim.traceTail(3)).extracting(TraceRow::label).containsExactly("e22", "e23", "e24");
    }

    @Test
    void stepListenersRunAfterEveryStepWithItsRow() {
        Simulation sim = new Simulation(1);
        List<Long> seen = new ArrayList<>();
        sim.addStepListener(row -> seen.add(row.step()));
        for (int i = 0; i < 3; i++) {
            sim.schedule(Duration.ofMillis(i), null, EventKind.ACTION, "e", () -> { });
        }
        sim.runFor(Duration.ofMillis(10));
        assertThat(seen).containsExactly(1L, 2L, 3L);
    }

    @Test
    void aTaskThatThrowsStopsTheRunWithSeedAndTrace() throws Exception {
        Simulation sim = new Simulation(777_001);
        sim.schedule(Duration.ofMillis(1), "n1", EventKind.ACTION, "fine", () -> { });
        sim.schedule(Duration.ofMillis(2), "n1", EventKind.ACTION, "boom", () -> {
            throw new IllegalStateException("engine bug");
        });
        assertThatThrownBy(() -> sim.runFor(Duration.ofMillis(5)))
                .isInstanceOfSatisfying(InvariantViolation.class, v -> {
                    assertThat(v.invariant()).isEqualTo("NO-EXCEPTION");
                    assertThat(v.seed()).isEqualTo(777_001);
                    assertThat(v.getMessage()).contains("seed 777001", "engine bug", "boom", "fine");
                    assertThat(v.getCause()).isInstanceOf(IllegalStateException.class);
                    assertThat(v.traceFile()).isNotNull();
                });
        String file = Files.readString(java.nio.file.Path.of("target", "sim-failures", "seed-777001.txt"));
        assertThat(file).contains("NO-EXCEPTION", "boom", "THREW");
    }

    @Test
    void derivedRandomStreamsAreReproducibleAndIndependent() {
        Simulation a = new Simulation(5);
        Simulation b = new Simulation(5);
        assertThat(a.random("x", 1).nextLong()).isEqualTo(b.random("x", 1).nextLong());
        assertThat(a.random("x", 1).nextLong()).isNotEqualTo(a.random("x", 2).nextLong());
        assertThat(a.random("x").nextLong()).isNotEqualTo(new Simulation(6).random("x").nextLong());
    }
}
