package org.raftengine.bench;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import org.raftengine.core.ClusterConfiguration;
import org.raftengine.core.ClusterSettings;
import org.raftengine.core.CommandResult;
import org.raftengine.core.RaftNode;
import org.raftengine.core.RaftNodeConfig;
import org.raftengine.core.ReadResult;
import org.raftengine.core.Role;
import org.raftengine.core.log.InMemoryRaftLog;
import org.raftengine.core.runtime.ThreadedRuntime;
import org.raftengine.core.spi.RaftLog;
import org.raftengine.core.spi.StateMachine;
import org.raftengine.core.spi.Transport;
import org.raftengine.core.spi.StateSnapshot;
import org.raftengine.core.transport.LocalNetwork;
import org.raftengine.core.wire.WireCodec;

/**
 * raftengine: three {@link RaftNode}s on {@link InMemoryRaftLog}s and one {@link LocalNetwork} (direct
 * hand-off), with default cluster settings, built as a user builds them:
 * {@code new RaftNode(config, log, transport, stateMachine)}. The in-memory log and this state machine say
 * they never block, so, as DESIGN.md allows, the node runs storage and apply on its protocol thread
 * ({@link ThreadedRuntime#forLogAndStateMachine}), as MicroRaft runs everything on one thread.
 *
 * <ul>
 *   <li>{@link Variant#PLAIN} ({@code raftengine}): messages handed over as objects;</li>
 *   <li>{@link Variant#CODEC} ({@code raftengine-codec}): the network encodes and decodes every message
 *   with the {@link WireCodec} on every hop;</li>
 *   <li>{@link Variant#THREADS} ({@code raftengine-threads}, diagnostic): storage and apply on threads
 *   of their own, as for a log or state machine that may block.</li>
 * </ul>
 *
 * <p>Its clients write ({@link Workload#WRITES}: every {@link #submit} a command), or read: with
 * {@link Workload#READ_INDEX} ({@code raftengine-read-index}) every {@link #submit} is a linearizable
 * {@link RaftNode#read} on the leader instead, by ReadIndex (the default settings: CheckQuorum on, lease reads
 * off), and with {@link Workload#LEASE_READ} ({@code raftengine-lease-read}) the same with
 * {@link ClusterSettings#withLeaseReads lease reads} on (and CheckQuorum, which they need). Otherwise the set-up
 * is {@code PLAIN}'s. The query reads the state machine's applied index, so a read costs what the protocol
 * costs; a read that saw less than its read index would be counted ({@code stale=N}) and answered
 * {@link Outcome#FAILED}.
 *
 * <p>The JMS run ({@link JmsRun}) gives transports of its own instead of the {@link LocalNetwork}
 * ({@link #RaftEngineSystem(String, String, Function)}), with {@code PLAIN}'s threads. The JPA run
 * ({@link JpaRun}) gives logs of its own instead ({@link #withLogs}), on the {@link LocalNetwork}, with
 * the node's default threads (storage off the protocol thread, as for any log that may block; the counting
 * state machine applies on it).
 */
final class RaftEngineSystem implements BenchSystem {

    private static final String CLUSTER_ID = "bench";
    private static final List<String> IDS = List.of("n1", "n2", "n3");

    /** The configurations of raftengine the benchmark knows. */
    enum Variant {
        PLAIN("raftengine"), CODEC("raftengine-codec"), THREADS("raftengine-threads");

        final String systemName;

        Variant(String systemName) {
            this.systemName = systemName;
        }
    }

    /** What the clients do. */
    enum Workload {
        WRITES(null, false), READ_INDEX("raftengine-read-index", false), LEASE_READ("raftengine-lease-read", true);

        /** The system's name; null: the variant's. */
        final String systemName;
        final boolean lease;

        Workload(String systemName, boolean lease) {
            this.systemName = systemName;
            this.lease = lease;
        }

        boolean reads() {
            return this != WRITES;
        }

        /** The cluster's settings: the defaults (CheckQuorum on, lease reads off), with lease reads for LEASE_READ. */
        ClusterSettings settings() {
            return lease ? ClusterSettings.DEFAULTS.withCheckQuorum(true).withLeaseReads(true)
                    : ClusterSettings.DEFAULTS.withLeaseReads(false);
        }
    }

    /** The read's query: trivial, so that a read costs the protocol. Not capturing: one instance. */
    private static final Function<StateMachine, Long> QUERY = StateMachine::lastApplied;

    private final Variant variant;
    private final Workload workload;
    private final String name;
    private final String clusterId;
    private final Function<String, Transport> transports; // null: the variant's LocalNetwork
    private final Function<String, RaftLog> logFactory; // null: an InMemoryRaftLog per node
    private final List<RaftNode> nodes = new ArrayList<>();
    private final List<InMemoryRaftLog> logs = new ArrayList<>();
    private final AtomicLong leaderChanges = new AtomicLong();
    private final LongAdder staleReads = new LongAdder();
    private LocalNetwork network;
    private volatile RaftNode leader;

    RaftEngineSystem(Variant variant) {
        this(variant, Workload.WRITES);
    }

    /** {@code variant}'s nodes, whose clients do {@code workload}. */
    RaftEngineSystem(Variant variant, Workload workload) {
        this.variant = variant;
        this.workload = workload;
        this.name = workload.systemName != null ? workload.systemName : variant.systemName;
        this.clusterId = CLUSTER_ID;
        this.transports = null;
        this.logFactory = null;
    }

    /**
     * raftengine over the caller's transports, one per node id, for cluster {@code clusterId} (a fresh one
     * per trial where the transport keeps state between trials, as a broker's queues do).
     */
    RaftEngineSystem(String name, String clusterId, Function<String, Transport> transports) {
        this.variant = Variant.PLAIN;
        this.workload = Workload.WRITES;
        this.name = name;
        this.clusterId = clusterId;
        this.transports = transports;
        this.logFactory = null;
    }

    private RaftEngineSystem(String name, String clusterId, Function<String, RaftLog> logFactory, Variant variant) {
        this.variant = variant;
        this.workload = Workload.WRITES;
        this.name = name;
        this.clusterId = clusterId;
        this.transports = null;
        this.logFactory = logFactory;
    }

    /**
     * raftengine on the caller's logs, one per node id, opened at {@link #start} (for cluster {@code clusterId}),
     * over a {@link LocalNetwork}; nodes made with {@code RaftNode}'s default constructor, so storage and apply
     * run on threads of their own ({@link Variant#THREADS}).
     */
    static RaftEngineSystem withLogs(String name, String clusterId, Function<String, RaftLog> logFactory) {
        return new RaftEngineSystem(name, clusterId, logFactory, Variant.THREADS);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void start(Duration timeout) throws Exception {
        Function<String, Transport> transportFor = transports;
        if (transportFor == null) {
            network = variant == Variant.CODEC ? new LocalNetwork(new WireCodec(CLUSTER_ID)) : new LocalNetwork();
            transportFor = network::transport;
        }
        ClusterConfiguration members = ClusterConfiguration.of(workload.settings(), IDS.toArray(String[]::new));
        for (String id : IDS) {
            RaftNodeConfig config = RaftNodeConfig.of(id, clusterId);
            if (id.equals(IDS.get(0))) {
                config = config.withBootstrap(members);
            }
            RaftLog log;
            if (logFactory != null) {
                log = logFactory.apply(id);
            } else {
                InMemoryRaftLog inMemory = new InMemoryRaftLog();
                logs.add(inMemory);
                log = inMemory;
            }
            // What a user writes: the node picks its threads from what the log and state machine say of
            // themselves (both never block here). The diagnostic variant forces threads of their own.
            nodes.add(variant == Variant.THREADS
                    ? new RaftNode(config, log, transportFor.apply(id), new NullStateMachine(),
                            new ThreadedRuntime(id))
                    : new RaftNode(config, log, transportFor.apply(id), new NullStateMachine()));
        }
        // The bootstrapping node campaigns at once: start it last, so that its vote requests find the
        // others listening (a request to a node not yet on the network is dropped, and the election
        // then waits for a randomized timeout of 1-2 s).
        for (int i = nodes.size() - 1; i >= 0; i--) {
            nodes.get(i).start();
        }
        RaftNode found = Waits.until(timeout, this::findLeader);
        if (found == null) {
            throw new IllegalStateException(name() + ": no leader within " + timeout);
        }
        leader = found;
    }

    private RaftNode findLeader() {
        for (RaftNode node : nodes) {
            if (node.status().role() == Role.LEADER) {
                return node;
            }
        }
        return null;
    }

    @Override
    public void submit(byte[] command, SubmitCallback callback) {
        RaftNode target = leader;
        if (workload.reads()) {
            read(target, callback);
            return;
        }
        target.submit(command).whenComplete((result, error) -> {
            if (error != null) {
                callback.completed(Outcome.FAILED);
            } else if (result instanceof CommandResult.Ok) {
                callback.completed(Outcome.COMMITTED);
            } else if (result instanceof CommandResult.Retry || result instanceof CommandResult.Redirect) {
                refreshLeader(target);
                callback.completed(Outcome.RETRY);
            } else {
                refreshLeader(target);
                callback.completed(Outcome.FAILED);
            }
        });
    }

    /** A linearizable read on {@code target}: served (its query saw at least its read index), retry or failed. */
    private void read(RaftNode target, SubmitCallback callback) {
        target.read(QUERY).whenComplete((result, error) -> {
            if (error != null) {
                callback.completed(Outcome.FAILED);
            } else if (result instanceof ReadResult.Ok<Long> ok) {
                if (ok.value() < ok.readIndex()) {
                    staleReads.increment(); // not linearizable: it would be the engine's bug
                    callback.completed(Outcome.FAILED);
                } else {
                    callback.completed(Outcome.COMMITTED);
                }
            } else if (result instanceof ReadResult.Retry) {
                refreshLeader(target);
                callback.completed(Outcome.RETRY);
            } else {
                callback.completed(Outcome.FAILED);
            }
        });
    }

    /** Reads served by the three nodes so far, and those given their read index on a lease; null when writing. */
    @Override
    public ReadCounts readCounts() {
        if (!workload.reads()) {
            return null;
        }
        long served = 0;
        long onLease = 0;
        for (RaftNode node : nodes) {
            served += node.readsServed();
            onLease += node.leaseReads();
        }
        return new ReadCounts(served, onLease);
    }

    /** After a refusal by {@code stale}, points later submissions at the current leader if there is one. */
    private void refreshLeader(RaftNode stale) {
        if (leader != stale) {
            return;
        }
        RaftNode found = findLeader();
        if (found != null && found != stale) {
            leader = found;
            leaderChanges.incrementAndGet();
        }
    }

    /** The leader the clients send to. */
    RaftNode leader() {
        return leader;
    }

    /** Stops one follower (its log stays, as a stopped server's disk would) and returns it. */
    RaftNode stopOneFollower(Duration timeout) throws Exception {
        RaftNode current = leader;
        for (RaftNode node : nodes) {
            if (node != current) {
                node.stop().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                return node;
            }
        }
        throw new IllegalStateException("no follower to stop");
    }

    /** Heap held by the three in-memory logs' entries (see {@link InMemoryRaftLog#retainedBytes()}). */
    long logBytes() {
        long bytes = 0;
        for (InMemoryRaftLog log : logs) {
            bytes += log.retainedBytes();
        }
        return bytes;
    }

    @Override
    public void stop(Duration timeout) throws Exception {
        List<CompletableFuture<Void>> stops = new ArrayList<>();
        for (RaftNode node : nodes) {
            stops.add(node.stop().toCompletableFuture());
        }
        CompletableFuture.allOf(stops.toArray(CompletableFuture[]::new)).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        nodes.clear();
        logs.clear();
    }

    @Override
    public String diagnostics() {
        long changes = leaderChanges.get();
        long dropped = network == null ? 0 : network.dropped();
        long stale = staleReads.sum();
        return ((changes > 0 ? "leaderChanges=" + changes + " " : "") + (dropped > 0 ? "dropped=" + dropped + " " : "")
                + (stale > 0 ? "stale=" + stale : "")).trim();
    }

    /**
     * Applies nothing; answers every command with an empty result. Its state is its applied index, which it
     * snapshots, so the default snapshot policy compacts the logs as it would for a real application.
     */
    static final class NullStateMachine implements StateMachine {
        private static final byte[] EMPTY = new byte[0];
        private volatile long applied;

        /** {@inheritDoc} True: it counts in memory. */
        @Override
        public boolean neverBlocks() {
            return true;
        }

        @Override
        public boolean supportsSnapshots() {
            return true;
        }

        @Override
        public StateSnapshot snapshot() {
            long at = applied;
            return out -> new DataOutputStream(out).writeLong(at);
        }

        @Override
        public void restore(long index, InputStream data) throws IOException {
            new DataInputStream(data).readLong();
            applied = index;
        }

        @Override
        public long lastApplied() {
            return applied;
        }

        @Override
        public byte[] apply(long index, byte[] command) {
            applied = index;
            return EMPTY;
        }

        @Override
        public void recordApplied(long index) {
            applied = index;
        }
    }
}
