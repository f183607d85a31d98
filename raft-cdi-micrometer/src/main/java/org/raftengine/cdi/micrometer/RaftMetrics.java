package org.raftengine.cdi.micrometer;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.Startup;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.lang.System.Logger.Level;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToDoubleFunction;
import java.util.function.ToLongFunction;
import org.raftengine.cdi.CommandCompleted;
import org.raftengine.cdi.LeaderChanged;
import org.raftengine.cdi.RaftNodeProducer;
import org.raftengine.cdi.RoleChanged;
import org.raftengine.core.NodeStatus;
import org.raftengine.core.RaftNode;
import org.raftengine.core.Role;

/**
 * The node's metrics, on the application's {@link MeterRegistry} bean (registered as the application starts;
 * without such a bean, nothing is registered). Every meter is tagged {@code node} and {@code cluster}.
 *
 * <table>
 *   <caption>Meters</caption>
 *   <tr><th>name</th><th>type</th><th>value</th></tr>
 *   <tr><td>raft.term</td><td>gauge</td><td>the node's current term</td></tr>
 *   <tr><td>raft.commit.index, raft.applied.index, raft.last.index</td><td>gauge</td><td>the node's indexes</td></tr>
 *   <tr><td>raft.role</td><td>gauge, tag {@code role}</td><td>1 for the node's current role, 0 for the others</td></tr>
 *   <tr><td>raft.follower.lag</td><td>gauge, tag {@code follower}</td><td>on the leader: its last index minus the
 *       follower's match index (entries the follower lacks); NaN on other nodes</td></tr>
 *   <tr><td>raft.commands</td><td>counter, tag {@code outcome}</td><td>commands submitted through
 *       {@code RaftClient}, by outcome ({@link CommandCompleted#outcome()}); commands submitted to the
 *       {@code RaftNode} or a {@code ClientSession} directly are not counted</td></tr>
 *   <tr><td>raft.messages.refused, raft.storage.failures, raft.apply.failures, raft.snapshots.taken,
 *       raft.snapshots.installed</td><td>function counter</td><td>the node's own counters</td></tr>
 * </table>
 *
 * A follower's lag gauge is registered when this node first sees it as a follower (as it starts, its role or
 * leader changes, or a command completes).
 */
@ApplicationScoped
public class RaftMetrics {
    private static final System.Logger LOG = System.getLogger(RaftMetrics.class.getName());

    @Inject
    Instance<MeterRegistry> registries;
    @Inject
    Instance<RaftNode> nodes;
    @Inject
    RaftNodeProducer producer;

    private volatile MeterRegistry registry;
    private volatile RaftNode node;
    private volatile Tags tags;
    private final Set<String> followers = ConcurrentHashMap.newKeySet();

    /** Registers the meters as the application starts, if it has a {@code MeterRegistry} bean. */
    void onStartup(@Observes Startup startup) {
        register();
    }

    synchronized void register() {
        if (registry != null) {
            return;
        }
        if (registries.isUnsatisfied()) {
            LOG.log(Level.INFO, "no MeterRegistry bean: the raft node's metrics are not registered");
            return;
        }
        if (registries.isAmbiguous()) {
            LOG.log(Level.WARNING, "several MeterRegistry beans and none the default: the raft node's metrics are"
                    + " not registered");
            return;
        }
        MeterRegistry r = registries.get();
        RaftNode n = nodes.get();
        Tags t = Tags.of("node", n.id(), "cluster", producer.clusterId());
        gauge(r, t, n, "raft.term", "the node's current term", s -> s.term());
        gauge(r, t, n, "raft.commit.index", "the highest log index known committed", s -> s.commitIndex());
        gauge(r, t, n, "raft.applied.index", "the highest log index applied to the state machine",
                s -> s.appliedIndex());
        gauge(r, t, n, "raft.last.index", "the last index in the node's log", s -> s.lastIndex());
        for (Role role : Role.values()) {
            Gauge.builder("raft.role", n, x -> x.status().role() == role ? 1 : 0).tags(t).tag("role", role.name())
                    .description("1 for the node's current role, 0 for the others").strongReference(true)
                    .register(r);
        }
        counter(r, t, n, "raft.messages.refused", "messages refused (wrong target, not a member, storage id)",
                RaftNode::refusedMessages);
        counter(r, t, n, "raft.storage.failures", "log writes that failed", RaftNode::storageFailures);
        counter(r, t, n, "raft.apply.failures", "state machine applies that failed", RaftNode::applyFailures);
        counter(r, t, n, "raft.snapshots.taken", "snapshots of its own state this node took",
                RaftNode::snapshotsTaken);
        counter(r, t, n, "raft.snapshots.installed", "snapshots installed from a leader",
                RaftNode::snapshotsInstalled);
        this.node = n;
        this.tags = t;
        this.registry = r;
        registerFollowers();
    }

    /** Counts a command submitted through {@code RaftClient} by its outcome. */
    void onCommand(@Observes CommandCompleted completed) {
        MeterRegistry r = registry;
        if (r == null) {
            return;
        }
        Counter.builder("raft.commands").tags(tags).tag("outcome", completed.outcome())
                .description("commands submitted through RaftClient, by outcome").register(r).increment();
        registerFollowers();
    }

    void onRole(@Observes RoleChanged changed) {
        registerFollowers();
    }

    void onLeader(@Observes LeaderChanged changed) {
        registerFollowers();
    }

    /** Registers the lag gauge of each follower this node's status names and has no gauge for yet. */
    private void registerFollowers() {
        MeterRegistry r = registry;
        if (r == null) {
            return;
        }
        RaftNode n = node;
        for (String follower : n.status().matchIndex().keySet()) {
            if (followers.add(follower)) {
                Gauge.builder("raft.follower.lag", n, x -> lag(x.status(), follower)).tags(tags)
                        .tag("follower", follower).strongReference(true)
                        .description("on the leader: entries of its log the follower has not replicated")
                        .register(r);
            }
        }
    }

    /** On a leader, its last index minus the follower's match index; NaN otherwise (no value). */
    static double lag(NodeStatus status, String follower) {
        Long match = status.matchIndex().get(follower);
        if (status.role() != Role.LEADER || match == null) {
            return Double.NaN;
        }
        return Math.max(0, status.lastIndex() - match);
    }

    private static void gauge(MeterRegistry r, Tags t, RaftNode n, String name, String description,
                              ToDoubleFunction<NodeStatus> value) {
        Gauge.builder(name, n, x -> value.applyAsDouble(x.status())).tags(t).description(description)
                .strongReference(true).register(r);
    }

    private static void counter(MeterRegistry r, Tags t, RaftNode n, String name, String description,
                                ToLongFunction<RaftNode> value) {
        FunctionCounter.builder(name, n, x -> value.applyAsLong(x)).tags(t).description(description).register(r);
    }
}
