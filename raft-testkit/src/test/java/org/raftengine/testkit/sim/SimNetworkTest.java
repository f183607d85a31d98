package org.raftengine.testkit.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.raftengine.core.message.RaftMessage;
import org.raftengine.core.message.VoteRequest;
import org.raftengine.core.spi.Transport;

class SimNetworkTest {

    private Simulation sim;
    private SimNetwork net;
    private final Map<String, Transport> transports = new LinkedHashMap<>();
    private final List<String> inbox = new ArrayList<>();
    private long counter;

    @BeforeEach
    void setUp() {
        sim = new Simulation(7);
        net = new SimNetwork(sim);
        for (String id : List.of("a", "b", "c")) {
            startNode(id);
        }
    }

    private void startNode(String id) {
        Transport t = net.transport(id);
        t.start(m -> inbox.add(m.from() + "->" + m.to() + ":" + m.term()));
        transports.put(id, t);
    }

    private void send(String from, String to) {
        transports.get(from).send(msg(from, to, ++counter));
    }

    private static RaftMessage msg(String from, String to, long term) {
        return new VoteRequest(from, to, 1, term, 0, 0, false, false);
    }

    /** Sends one message on every directed link and returns the links that delivered. */
    private List<String> probe() {
        inbox.clear();
        List<String> links = List.of("a->b", "b->a", "a->c", "c->a", "b->c", "c->b");
        for (String l : links) {
            send(l.substring(0, 1), l.substring(3));
        }
        sim.runFor(Duration.ofMillis(10));
        List<String> got = new ArrayList<>();
        for (String m : inbox) {
            got.add(m.substring(0, m.indexOf(':')));
        }
        return got;
    }

    @Test
    void aReliableNetworkDeliversEverythingInOrder() {
        for (int i = 0; i < 5; i++) {
            send("a", "b");
        }
        sim.runFor(Duration.ofMillis(10));
        assertThat(inbox).containsExactly("a->b:1", "a->b:2", "a->b:3", "a->b:4", "a->b:5");
        assertThat(net.stats().delivered()).isEqualTo(5);
        assertThat(net.stats().dropped()).isZero();
    }

    @Test
    void aCutDropsBothDirectionsOfThatLinkOnly() {
        net.cut("a", "b");
        assertThat(probe()).containsExactlyInAnyOrder("a->c", "c->a", "b->c", "c->b");
        assertThat(net.stats().dropped("cut")).isEqualTo(2);
        net.heal("a", "b");
        assertThat(probe()).hasSize(6);
    }

    @Test
    void aOneWayCutDropsOneDirectionOnly() {
        net.cutOneWay("a", "b");
        assertThat(probe()).containsExactlyInAnyOrder("b->a", "a->c", "c->a", "b->c", "c->b");
        assertThat(net.stats().dropped("cut")).isEqualTo(1);
    }

    @Test
    void isolationCutsANodeFromEveryoneUntilReconnected() {
        net.isolate("c");
        assertThat(probe()).containsExactlyInAnyOrder("a->b", "b->a");
        net.heal("a", "c");
        assertThat(probe()).containsExactlyInAnyOrder("a->b", "b->a");
        net.reconnect("c");
        assertThat(probe()).hasSize(6);
    }

    @Test
    void partitionCutsAcrossGroupsAndHealEndsEverything() {
        net.partition(Set.of("a"), Set.of("b", "c"));
        assertThat(probe()).containsExactlyInAnyOrder("b->c", "c->b");
        net.heal();
        assertThat(probe()).hasSize(6);
    }

    @Test
    void messagesInFlightWhenALinkIsCutAreDropped() {
        net.setFaults(NetworkFaults.NONE.withDelay(Duration.ofMillis(5), Duration.ofMillis(5)));
        send("a", "b");
        sim.runFor(Duration.ofMillis(2));
        net.cut("a", "b");
        sim.runFor(Duration.ofMillis(10));
        assertThat(inbox).isEmpty();
        assertThat(net.stats().dropped("cut")).isEqualTo(1);
    }

    @Test
    void messagesForADownNodeAreDroppedOrHeldUntilItsRestart() {
        transports.get("b").stop();
        send("a", "b");
        sim.runFor(Duration.ofMillis(10));
        assertThat(net.stats().dropped("down")).isEqualTo(1);

        net.setHoldForDownNodes(true);
        send("a", "b");
        send("c", "b");
        sim.runFor(Duration.ofMillis(10));
        assertThat(inbox).isEmpty();
        assertThat(net.stats().held()).isEqualTo(2);

        startNode("b");
        sim.runFor(Duration.ofMillis(1));
        assertThat(inbox).containsExactly("a->b:2", "c->b:3");
        assertThat(net.stats().held()).isZero();
    }

    @Test
    void aStoppedTransportSendsNothing() {
        transports.get("a").stop();
        send("a", "b");
        sim.runFor(Duration.ofMillis(10));
        assertThat(inbox).isEmpty();
        assertThat(net.stats().dropped("sender-stopped")).isEqualTo(1);
    }

    @Test
    void lossDuplicationAndDelayFollowTheFaults() {
        net.setFaults(NetworkFaults.NONE.withLoss(0.3, 0.3).withDelay(Duration.ofMillis(1), Duration.ofMillis(50)));
        for (int i = 0; i < 2000; i++) {
            send("a", "b");
        }
        sim.runFor(Duration.ofSeconds(1));
        NetworkStats s = net.stats();
        assertThat(s.sent()).isEqualTo(2000);
        assertThat(s.dropped("loss")).isBetween(500L, 700L);
        assertThat(s.duplicated()).isBetween(330L, 510L);
        assertThat(s.delivered()).isEqualTo(s.sent() - s.dropped() + s.duplicated());
        List<Long> terms = new ArrayList<>();
        for (String m : inbox) {
            terms.add(Long.parseLong(m.substring(m.indexOf(':') + 1)));
        }
        assertThat(terms).isNotEqualTo(terms.stream().sorted().toList()); // reordered
    }

    @Test
    void traceRowsNameMessagesAndDrops() {
        net.cutOneWay("a", "c");
        sim.schedule(Duration.ZERO, "a", EventKind.ACTION, "send", () -> {
            send("a", "b");
            send("a", "c");
        });
        sim.runFor(Duration.ofMillis(5));
        List<TraceRow> trace = sim.trace();
        TraceRow sendRow = trace.stream().filter(r -> r.label().equals("send")).findFirst().orElseThrow();
        assertThat(sendRow.notes()).anySatisfy(n -> assertThat(n).startsWith("send Vote a->b t1"))
                .anySatisfy(n -> assertThat(n).startsWith("drop(cut) Vote a->c t2"));
        assertThat(trace).anySatisfy(r -> {
            assertThat(r.kind()).isEqualTo(EventKind.DELIVER);
            assertThat(r.nodeId()).isEqualTo("b");
            assertThat(r.label()).startsWith("Vote a->b t1 last=0/0");
        });
    }
}
