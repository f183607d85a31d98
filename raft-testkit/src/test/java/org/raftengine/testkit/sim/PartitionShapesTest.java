package org.raftengine.testkit.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The bridge and ring partitions of {@link SimNetwork}. */
class PartitionShapesTest {

    private final SimNetwork net = new SimNetwork(new Simulation(1));

    private boolean linked(String a, String b) {
        return !net.isBlocked(a, b) && !net.isBlocked(b, a);
    }

    @Test
    void bridgeNodeSeesBothHalvesWhichDoNotSeeEachOther() {
        net.bridge(List.of("a", "b"), "c", List.of("d", "e"));
        assertThat(linked("a", "b")).isTrue();
        assertThat(linked("d", "e")).isTrue();
        for (String x : List.of("a", "b", "d", "e")) {
            assertThat(linked("c", x)).as("bridge c - " + x).isTrue();
        }
        for (String x : List.of("a", "b")) {
            for (String y : List.of("d", "e")) {
                assertThat(net.isBlocked(x, y)).as(x + "->" + y).isTrue();
                assertThat(net.isBlocked(y, x)).as(y + "->" + x).isTrue();
            }
        }
        net.heal();
        assertThat(linked("a", "e")).isTrue();
    }

    @Test
    void ringOfFiveKeepsOnlyTheTwoNeighboursOfEachNode() {
        List<String> ring = List.of("n3", "n1", "n5", "n2", "n4");
        net.ring(ring);
        for (int i = 0; i < ring.size(); i++) {
            String me = ring.get(i);
            int open = 0;
            for (String other : ring) {
                if (!other.equals(me) && linked(me, other)) {
                    open++;
                }
            }
            assertThat(open).as(me + " sees").isEqualTo(2);
            assertThat(linked(me, ring.get((i + 1) % ring.size()))).isTrue();
        }
        assertThat(linked("n3", "n5")).isFalse();
        assertThat(linked("n4", "n3")).isTrue(); // the ring closes
    }

    @Test
    void ringOfThreeCutsNothing() {
        net.ring(List.of("a", "b", "c"));
        assertThat(linked("a", "b") && linked("b", "c") && linked("a", "c")).isTrue();
    }
}
