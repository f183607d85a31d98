package org.raftengine.testkit.sim;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.raftengine.core.message.RaftMessage;
import org.raftengine.core.spi.MessageSink;
import org.raftengine.core.spi.Transport;

/**
 * The simulated network between the nodes of one {@link Simulation}.
 *
 * <p>{@link #transport(String)} makes a node's {@link Transport}. A sent message is checked against
 * the partitions and the {@link NetworkFaults} (loss, duplication, a random delay per copy), then
 * delivered by an event at the time it arrives, to whatever sink the target has then. Partitions are
 * checked both when a message is sent and when it arrives, so nothing crosses a cut link while it is
 * cut. A message whose target is down on arrival is dropped, or, with {@link #setHoldForDownNodes},
 * kept and delivered when the target's transport starts again (a broker queue that outlived a restart).
 *
 * <p>All decisions come from one random stream of the simulation's seed, drawn in send order.
 */
public final class SimNetwork {

    /** A directed link, for cuts. */
    private record Link(String from, String to) {
    }

    private final Simulation sim;
    private final SplittableRandom random;
    private NetworkFaults faults;
    private boolean holdForDownNodes;

    private final Map<String, Endpoint> current = new HashMap<>();
    private final Map<String, ArrayDeque<RaftMessage>> held = new HashMap<>();
    private final Set<Link> cuts = new HashSet<>();
    private final Set<String> isolated = new HashSet<>();

    private long nextMessageId;
    private long sent;
    private long delivered;
    private long dropped;
    private long duplicated;
    private final Map<String, Long> dropReasons = new TreeMap<>();

    /** A network with {@link NetworkFaults#NONE}. */
    private final java.util.List<java.util.function.Consumer<RaftMessage>> sendListeners = new java.util.ArrayList<>();

    public SimNetwork(Simulation sim) {
        this(sim, NetworkFaults.NONE);
    }

    public SimNetwork(Simulation sim, NetworkFaults faults) {
        this.sim = Objects.requireNonNull(sim, "sim");
        this.faults = Objects.requireNonNull(faults, "faults");
        this.random = sim.random("network");
    }

    /** Makes a transport for one incarnation of node {@code nodeId}; it receives once started. */
    public Transport transport(String nodeId) {
        return new Endpoint(Objects.requireNonNull(nodeId, "nodeId"));
    }

    /** The faults in force. */
    public NetworkFaults faults() {
        return faults;
    }

    /** Changes the faults for messages sent from now on. */
    public void setFaults(NetworkFaults faults) {
        this.faults = Objects.requireNonNull(faults, "faults");
        sim.record(null, EventKind.FAULT, "network faults " + faults);
    }

    /** Whether messages for a node that is down are kept until it is back, instead of dropped. */
    public void setHoldForDownNodes(boolean hold) {
        this.holdForDownNodes = hold;
    }

    /** Cuts the link between {@code a} and {@code b} in both directions. */
    public void cut(String a, String b) {
        cuts.add(new Link(a, b));
        cuts.add(new Link(b, a));
        sim.record(null, EventKind.FAULT, "cut " + a + "<->" + b);
    }

    /** Cuts the link from {@code from} to {@code to} only: {@code to} still reaches {@code from}. */
    public void cutOneWay(String from, String to) {
        cuts.add(new Link(from, to));
        sim.record(null, EventKind.FAULT, "cut " + from + "->" + to);
    }

    /** Cuts {@code id} off from every node, until {@link #reconnect} or {@link #heal()}. */
    public void isolate(String id) {
        isolated.add(id);
        sim.record(id, EventKind.FAULT, "isolate " + id);
    }

    /** Ends the isolation of {@code id} and every cut touching it. */
    public void reconnect(String id) {
        isolated.remove(id);
        cuts.removeIf(l -> l.from.equals(id) || l.to.equals(id));
        sim.record(id, EventKind.FAULT, "reconnect " + id);
    }

    /** Cuts every link between nodes of different groups; links inside a group are left as they are. */
    @SafeVarargs
    public final void partition(Collection<String>... groups) {
        for (int i = 0; i < groups.length; i++) {
            for (int j = 0; j < groups.length; j++) {
                if (i == j) {
                    continue;
                }
                for (String a : groups[i]) {
                    for (String b : groups[j]) {
                        cuts.add(new Link(a, b));
                    }
                }
            }
        }
        List<String> names = new ArrayList<>();
        for (Collection<String> g : groups) {
            names.add(String.join(",", g));
        }
        sim.record(null, EventKind.FAULT, "partition {" + String.join("} {", names) + "}");
    }

    /**
     * A bridge partition: every link between {@code left} and {@code right} is cut, while
     * {@code bridge} keeps its links to both halves (a partial partition: the bridge node sees
     * everyone, the two halves do not see each other). Other links are left as they are.
     */
    public void bridge(Collection<String> left, String bridge, Collection<String> right) {
        Objects.requireNonNull(bridge, "bridge");
        for (String a : left) {
            for (String b : right) {
                cuts.add(new Link(a, b));
                cuts.add(new Link(b, a));
            }
        }
        sim.record(null, EventKind.FAULT, "bridge {" + String.join(",", left) + "} <" + bridge + "> {"
                + String.join(",", right) + "}");
    }

    /**
     * A ring partition: with the nodes of {@code order} placed on a ring in that order, every node keeps
     * only its links to its two ring neighbours; every other link among them is cut (both ways). With
     * three nodes or fewer every node is a neighbour of every other, so nothing is cut.
     */
    public void ring(List<String> order) {
        int n = order.size();
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                boolean neighbours = j - i == 1 || (i == 0 && j == n - 1);
                if (!neighbours) {
                    cuts.add(new Link(order.get(i), order.get(j)));
                    cuts.add(new Link(order.get(j), order.get(i)));
                }
            }
        }
        sim.record(null, EventKind.FAULT, "ring " + String.join("-", order) + (n > 0 ? "-" + order.get(0) : ""));
    }

    /** Ends every cut and isolation. */
    public void heal() {
        cuts.clear();
        isolated.clear();
        sim.record(null, EventKind.FAULT, "heal all");
    }

    /** Ends the cuts between {@code a} and {@code b} (both ways); isolation stays. */
    public void heal(String a, String b) {
        cuts.remove(new Link(a, b));
        cuts.remove(new Link(b, a));
        sim.record(null, EventKind.FAULT, "heal " + a + "<->" + b);
    }

    /** True if a message from {@code from} to {@code to} would be dropped by a partition now. */
    public boolean isBlocked(String from, String to) {
        return isolated.contains(from) || isolated.contains(to) || cuts.contains(new Link(from, to));
    }

    /** The counters so far. */
    public NetworkStats stats() {
        long heldNow = 0;
        for (ArrayDeque<RaftMessage> q : held.values()) {
            heldNow += q.size();
        }
        return new NetworkStats(sent, delivered, dropped, duplicated, heldNow, dropReasons);
    }

    private void drop(String reason, String label) {
        dropped++;
        dropReasons.merge(reason, 1L, Long::sum);
        sim.note("drop(" + reason + ") " + label);
    }

    /**
     * Delivers a copy of {@code message}, sent earlier, to its target now, whatever cuts there are: a late or
     * duplicated copy that was in flight (or held by a broker) all along. For scripted scenarios of stale
     * messages; dropped if the target is down.
     */
    public void redeliver(RaftMessage message) {
        String label = "late copy " + MessageLabels.describe(message);
        sim.enqueue(sim.now(), null, message.to(), EventKind.DELIVER, label, () -> {
            Endpoint target = current.get(message.to());
            if (target == null) {
                drop("down", label);
                return;
            }
            delivered++;
            target.sink.accept(message);
        });
    }

    /** Tells {@code listener} of every message a node sends, before any fault applies. */
    public void addSendListener(java.util.function.Consumer<RaftMessage> listener) {
        sendListeners.add(Objects.requireNonNull(listener, "listener"));
    }

    private void send(Endpoint sender, RaftMessage message) {
        Objects.requireNonNull(message, "message");
        sent++;
        if (!sender.stopped) {
            for (java.util.function.Consumer<RaftMessage> l : sendListeners) {
                l.accept(message);
            }
        }
        String label = MessageLabels.describe(message) + " #" + (++nextMessageId);
        if (sender.stopped) {
            drop("sender-stopped", label);
            return;
        }
        if (isBlocked(message.from(), message.to())) {
            drop("cut", label);
            return;
        }
        NetworkFaults f = faults;
        if (f.dropProbability() > 0 && random.nextDouble() < f.dropProbability()) {
            drop("loss", label);
            return;
        }
        int copies = 1;
        if (f.duplicateProbability() > 0 && random.nextDouble() < f.duplicateProbability()) {
            copies = 2;
            duplicated++;
        }
        sim.note("send " + label + (copies > 1 ? " (duplicated)" : ""));
        for (int c = 0; c < copies; c++) {
            long delay = delay(f);
            String copyLabel = c == 0 ? label : label + " dup";
            sim.enqueue(sim.now() + delay, null, message.to(), EventKind.DELIVER, copyLabel,
                    () -> arrive(message, copyLabel));
        }
    }

    private long delay(NetworkFaults f) {
        long lo = f.minDelay().toNanos();
        long hi = f.maxDelay().toNanos();
        return hi == lo ? lo : lo + random.nextLong(hi - lo + 1);
    }

    private void arrive(RaftMessage message, String label) {
        if (isBlocked(message.from(), message.to())) {
            drop("cut", label);
            return;
        }
        Endpoint target = current.get(message.to());
        if (target == null) {
            if (holdForDownNodes) {
                held.computeIfAbsent(message.to(), k -> new ArrayDeque<>()).addLast(message);
                sim.note("hold " + label);
            } else {
                drop("down", label);
            }
            return;
        }
        delivered++;
        target.sink.accept(message);
    }

    /** One node incarnation's view of the network. */
    private final class Endpoint implements Transport {
        private final String nodeId;
        private MessageSink sink;
        private boolean stopped;

        Endpoint(String nodeId) {
            this.nodeId = nodeId;
        }

        @Override
        public void start(MessageSink inbound) {
            if (stopped) {
                throw new IllegalStateException("transport of " + nodeId + " was stopped; make a new one");
            }
            this.sink = Objects.requireNonNull(inbound, "inbound");
            current.put(nodeId, this);
            ArrayDeque<RaftMessage> waiting = held.remove(nodeId);
            if (waiting != null) {
                for (RaftMessage m : waiting) {
                    String label = "held " + MessageLabels.describe(m);
                    sim.enqueue(sim.now(), null, nodeId, EventKind.DELIVER, label, () -> arrive(m, label));
                }
            }
        }

        @Override
        public void send(RaftMessage message) {
            SimNetwork.this.send(this, message);
        }

        @Override
        public void stop() {
            stopped = true;
            if (current.get(nodeId) == this) {
                current.remove(nodeId);
            }
        }
    }
}
