package org.raftengine.testkit.sim;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;
import org.raftengine.core.ClusterConfiguration;
import org.raftengine.core.ClientSession;
import org.raftengine.core.ClusterSettings;
import org.raftengine.core.CommandResult;
import org.raftengine.core.ConfigurationResult;
import org.raftengine.core.NodeStatus;
import org.raftengine.core.RaftNode;
import org.raftengine.core.RaftNodeConfig;
import org.raftengine.core.ReadResult;
import org.raftengine.core.TransferResult;
import org.raftengine.core.Role;
import org.raftengine.core.internal.RuleBreach;
import org.raftengine.core.internal.RuleBreakingNodes;
import org.raftengine.core.log.InMemoryRaftLog;
import org.raftengine.core.spi.EntryType;
import org.raftengine.core.spi.LogEntry;
import org.raftengine.core.spi.RaftLog;
import org.raftengine.core.spi.SnapshotMeta;
import org.raftengine.core.spi.Transport;
import org.raftengine.core.wire.ConfigurationCodec;

/**
 * A cluster of real {@link RaftNode}s in one {@link Simulation}: each node has a log (an
 * {@link InMemoryRaftLog} unless the builder plugs another {@link LogStore}), a {@link SimStateMachine}, a
 * {@link SimRuntime} and a transport of the shared {@link SimNetwork}. The first node bootstraps the cluster
 * with all nodes as members, on its first start only (a cluster is created once; a restarted or wiped node
 * never re-creates it). {@linkplain Builder#spares Spare} nodes run in the simulation with empty storage but
 * are no members: {@link #addVoter} and {@link #addLearner} bring them in. {@linkplain Builder#bootstrappers
 * Further bootstrapping nodes} make the deployment mistake of bootstrapping a second cluster incarnation.
 *
 * <p>Faults: {@link #crash} stops a node abruptly (pending work lost, log and state machine kept; the log
 * is {@linkplain LogStore#reopen reopened} from its storage), {@link #restart} runs a new incarnation on the
 * same storage, {@link #wipe} gives the node empty storage with a new storage id, and {@link #network()}
 * cuts links and injects loss, duplication and delay. Client calls go through {@link #submit}, which
 * records them in the {@link ClientHistory}; configuration changes through {@link #addVoter},
 * {@link #addLearner}, {@link #removeMember} and {@link #updateSettings}, which the trace records.
 *
 * <p>Unless turned off in the builder, the {@link Invariants} run after every step, and their log
 * checks at the end of every {@link #runFor}/{@link #runUntil}.
 *
 * <pre>{@code
 * SimCluster c = SimCluster.builder().seed(42).nodeCount(3).build();
 * c.start();
 * String leader = c.awaitLeader(Duration.ofSeconds(5));
 * c.submit(leader, "x".getBytes());
 * c.runFor(Duration.ofSeconds(1));
 * }</pre>
 */
public final class SimCluster implements ClusterView {

    /** Heartbeat 50 ms, elections 300–600 ms: fast timers so simulated runs cover many elections. */
    public static final ClusterSettings DEFAULT_SETTINGS = ClusterSettings.DEFAULTS.withTimeouts(50, 300, 600);

    private final Simulation sim;
    private final SimNetwork network;
    private final ClientHistory history = new ClientHistory();
    private final Invariants invariants;
    private final boolean checkInvariants;
    private final ClusterSettings settings;
    private final String clusterId;
    private final UnaryOperator<RaftNodeConfig> configCustomizer;
    private final Set<RuleBreach> ruleBreaches;
    private final List<String> ids;
    /** The members of the bootstrap configuration (every node but the spares). */
    private final List<String> members;
    /** Whether the state machines keep the outcomes of commands ({@link SimStateMachine#keepsOutcomes()}). */
    private final boolean keepOutcomes;
    private final LogStore logStore;
    /** Whether the state machines apply each batch in one atomic step ({@link SimStateMachine#appliesInBatches()}). */
    private final boolean applyInBatches;
    private final Map<String, Slot> slots = new LinkedHashMap<>();
    private long readCount;
    private final List<String> readViolations = new ArrayList<>();
    private long transfersDone;
    private long membershipChangesDone;
    private long settingsChangesDone;

    /** Everything the cluster keeps about one node, across its incarnations. */
    private static final class Slot {
        final String id;
        final boolean bootstraps;
        RaftLog log;
        SimStateMachine stateMachine;
        int storageGeneration;
        SimRuntime runtime;
        Transport transport;
        RaftNode node;
        /** The client sessions used through this incarnation's node, by client id. */
        final Map<String, ClientSession> sessions = new java.util.HashMap<>();
        int incarnation;
        long appliedAtRestart;
        double clockRate = 1.0;
        Duration storageDelayMin = Duration.ZERO;
        Duration storageDelayMax = Duration.ZERO;
        /** Snapshots taken and installed by earlier incarnations. */
        long snapshotsTaken;
        long snapshotsInstalled;
        long leaseReads;
        /** The cluster incarnation its log belongs to (from its configuration entries or snapshot), 0 until known. */
        long clusterIncarnation;

        Slot(String id, boolean bootstraps) {
            this.id = id;
            this.bootstraps = bootstraps;
        }

        boolean up() {
            return node != null;
        }
    }

    private SimCluster(Builder b) {
        this.sim = new Simulation(b.seed, b.traceCapacity);
        this.network = new SimNetwork(sim, b.faults);
        this.network.setHoldForDownNodes(b.holdForDownNodes);
        this.settings = b.settings;
        this.clusterId = b.clusterId;
        this.configCustomizer = b.configCustomizer;
        this.ruleBreaches = b.ruleBreaches;
        List<String> all = new ArrayList<>(b.ids);
        for (String spare : b.spares) {
            if (all.contains(spare)) {
                throw new IllegalArgumentException("spare " + spare + " is also a member");
            }
            all.add(spare);
        }
        this.ids = List.copyOf(all);
        this.members = List.copyOf(b.ids);
        for (String id : b.bootstrappers) {
            if (!members.contains(id)) {
                throw new IllegalArgumentException("bootstrapping node " + id + " is not among the members " + members);
            }
        }
        this.checkInvariants = b.checkInvariants;
        this.keepOutcomes = b.keepOutcomes;
        this.logStore = b.logStore;
        this.applyInBatches = b.applyInBatches;
        for (int i = 0; i < ids.size(); i++) {
            String id = ids.get(i);
            Slot s = new Slot(id, i == 0 || b.bootstrappers.contains(id));
            s.log = logStore.create(id, storageId(id, 0));
            s.stateMachine = new SimStateMachine(s.id, keepOutcomes, applyInBatches);
            slots.put(s.id, s);
        }
        sim.setNodeStateSource(this::nodeStates);
        this.invariants = new Invariants(this);
        if (checkInvariants) {
            sim.addStepListener(invariants);
            network.addSendListener(invariants::onSend);
        }
    }

    /** A builder with seed 0, nodes n1..n3, {@link #DEFAULT_SETTINGS} and a reliable network. */
    public static Builder builder() {
        return new Builder();
    }

    private long storageId(String id, int generation) {
        long v = Seeds.mix(sim.seed(), Seeds.of("storage"), Seeds.of(id), generation) & Long.MAX_VALUE;
        return v == 0 ? 1 : v;
    }

    private Slot slot(String id) {
        Slot s = slots.get(id);
        if (s == null) {
            throw new IllegalArgumentException("no node " + id + " in " + ids);
        }
        return s;
    }

    // ---- lifecycle and faults ----

    /** Starts every node that is not running. */
    public void start() {
        for (Slot s : slots.values()) {
            if (!s.up()) {
                launch(s);
            }
        }
    }

    /**
     * Crashes {@code id}: its pending work is lost, its log and state machine stay (the log as the store
     * reopens it from its storage). No-op if it is down.
     */
    public void crash(String id) {
        Slot s = slot(id);
        if (!s.up()) {
            return;
        }
        sim.record(id, EventKind.FAULT, "crash " + id + " (incarnation " + s.incarnation + ")");
        s.snapshotsTaken += s.node.snapshotsTaken();
        s.snapshotsInstalled += s.node.snapshotsInstalled();
        s.leaseReads += s.node.leaseReads();
        s.runtime.shutdown();
        s.stateMachine.crash(); // a step still open is lost, like an uncommitted transaction
        s.transport.stop();
        s.node = null;
        s.sessions.clear();
        s.runtime = null;
        s.transport = null;
        // After the runtime is gone: nothing of this incarnation writes to the old log any more.
        s.log = logStore.reopen(id, s.log);
    }

    /** Starts a new incarnation of {@code id} on its current storage. */
    public void restart(String id) {
        Slot s = slot(id);
        if (s.up()) {
            throw new IllegalStateException(id + " is running; crash it first");
        }
        launch(s);
    }

    /**
     * Crashes {@code id} if it runs, and replaces its log with an empty one under a new storage id and
     * its state machine with a fresh one, as after a disk loss. Restart it with {@link #restart}.
     */
    public void wipe(String id) {
        Slot s = slot(id);
        crash(id);
        s.storageGeneration++;
        s.log = logStore.wipe(id, s.log, storageId(id, s.storageGeneration));
        s.stateMachine = new SimStateMachine(id, keepOutcomes, applyInBatches);
        s.clusterIncarnation = 0;
        sim.record(id, EventKind.FAULT, "wipe " + id + " (new storage id " + Long.toHexString(s.log.storageId()) + ")");
    }

    /**
     * Gives the node, which must be down, a fresh state machine while its log stays: a state machine kept in
     * memory is lost with its process, and the node rebuilds it from the log's snapshot and entries.
     */
    public void loseStateMachine(String id) {
        Slot s = slot(id);
        if (s.up()) {
            throw new IllegalStateException(id + " is running; crash it first");
        }
        s.stateMachine = new SimStateMachine(id, keepOutcomes, applyInBatches);
        sim.record(id, EventKind.FAULT, "state machine of " + id + " lost (kept in memory)");
    }

    /** Snapshots the nodes took of their own state machines, over every incarnation so far. */
    public long snapshotsTaken() {
        long n = 0;
        for (Slot s : slots.values()) {
            n += s.snapshotsTaken + (s.up() ? s.node.snapshotsTaken() : 0);
        }
        return n;
    }

    /** Reads the leaders gave a read index on their lease, over every incarnation so far. */
    public long leaseReads() {
        long n = 0;
        for (Slot s : slots.values()) {
            n += s.leaseReads + (s.up() ? s.node.leaseReads() : 0);
        }
        return n;
    }

    /** Snapshots the nodes installed from a leader, over every incarnation so far. */
    public long snapshotsInstalled() {
        long n = 0;
        for (Slot s : slots.values()) {
            n += s.snapshotsInstalled + (s.up() ? s.node.snapshotsInstalled() : 0);
        }
        return n;
    }

    private void launch(Slot s) {
        s.incarnation++;
        s.runtime = new SimRuntime(sim, s.id, s.incarnation);
        s.runtime.setClockRate(s.clockRate);
        s.runtime.setStorageDelay(s.storageDelayMin, s.storageDelayMax);
        s.transport = network.transport(s.id);
        RaftNodeConfig config = RaftNodeConfig.of(s.id, clusterId);
        if (s.bootstraps && s.incarnation == 1 && s.storageGeneration == 0) {
            config = config.withBootstrap(ClusterConfiguration.of(settings, members.toArray(new String[0])));
        }
        config = configCustomizer.apply(config);
        s.appliedAtRestart = s.stateMachine.lastApplied();
        sim.record(s.id, EventKind.ACTION, (s.incarnation == 1 ? "start " : "restart ") + s.id + " (incarnation "
                + s.incarnation + ", applied " + s.appliedAtRestart + ")");
        RaftLog log = checkInvariants ? new ObservedLog(s.log, (previousTerm, batch) -> invariants.onAppend(s.id,
                learnIncarnation(s, batch), previousTerm, batch)) : s.log;
        RaftNode node = ruleBreaches.isEmpty() ? new RaftNode(config, log, s.transport, s.stateMachine, s.runtime)
                : RuleBreakingNodes.create(config, ruleBreaches, log, s.transport, s.stateMachine, s.runtime);
        s.node = node;
        s.sessions.clear();
        try {
            node.start();
        } catch (RuntimeException refused) {
            // The node refused to start (a broken or corrupted log): it stays down.
            sim.record(s.id, EventKind.FAULT, s.id + " refused to start: " + refused.getMessage());
            s.runtime.shutdown();
            s.transport.stop();
            s.node = null;
            s.runtime = null;
            s.transport = null;
            throw refused;
        }
    }

    /**
     * The cluster incarnation of the log {@code s} writes {@code batch} to: the one its configuration entries carry
     * (the first entry of a bootstrapped or newly joined log is one), or its snapshot's; 0 while unknown.
     */
    private long learnIncarnation(Slot s, List<LogEntry> batch) {
        for (LogEntry e : batch) {
            if (e.type() == EntryType.CONFIGURATION) {
                long incarnation = ConfigurationCodec.decode(e.data()).incarnation();
                if (incarnation != 0) {
                    s.clusterIncarnation = incarnation;
                }
            }
        }
        if (s.clusterIncarnation == 0) {
            SnapshotMeta snapshot = s.log.snapshot();
            if (snapshot != null) {
                s.clusterIncarnation = snapshot.configuration().incarnation();
            }
        }
        return s.clusterIncarnation;
    }

    /** Sets how fast {@code id}'s clock runs (1.0 exact), now and for later incarnations. */
    public void setClockRate(String id, double rate) {
        Slot s = slot(id);
        s.clockRate = rate;
        if (s.runtime != null) {
            s.runtime.setClockRate(rate);
        }
    }

    /** Gives {@code id}'s storage writes an extra delay in [min, max], now and for later incarnations. */
    public void setStorageDelay(String id, Duration min, Duration max) {
        Slot s = slot(id);
        s.storageDelayMin = min;
        s.storageDelayMax = max;
        if (s.runtime != null) {
            s.runtime.setStorageDelay(min, max);
        }
    }

    // ---- clients ----

    /**
     * Submits {@code command} to {@code id} now, recording the call and its outcome in the history. A
     * node that is down answers {@link CommandResult.Retry} at once (nothing reached its log); a call
     * whose node crashes before answering stays without response, which the history counts as
     * indeterminate.
     */
    public CompletionStage<CommandResult> submit(String id, byte[] command) {
        Slot s = slot(id);
        ClientOperation op = history.invoke(id, command, sim.now());
        sim.record(id, EventKind.CLIENT, "submit op" + op.id() + " " + MessageLabels.printable(command, 24));
        if (!s.up()) {
            CommandResult down = new CommandResult.Retry("node " + id + " is down");
            history.complete(op, sim.now(), down);
            return java.util.concurrent.CompletableFuture.completedFuture(down);
        }
        return s.node.submit(command.clone()).whenComplete((result, error) -> {
            CommandResult outcome = result != null ? result
                    : new CommandResult.Indeterminate("submit failed: " + error);
            history.complete(op, sim.now(), outcome);
            sim.note("op" + op.id() + " -> " + MessageLabels.describe(outcome));
        });
    }

    /**
     * Submits {@code op}'s command (or a new command: pass {@code op} null) as {@code sequence} of the client
     * session {@code clientId}, through {@code id}, recording it in the history: a re-submission stays one
     * operation. The node's {@link ClientSession} for that id is kept for the node's run, so its mark of the
     * lowest unanswered sequence follows what was sent through it.
     *
     * @return the operation, whose outcome the history records when the attempt answers
     */
    public ClientOperation submitSession(String id, String clientId, long sequence, byte[] command,
                                         ClientOperation op) {
        Slot s = slot(id);
        ClientOperation operation = op;
        if (operation == null) {
            operation = history.invoke(id, command, sim.now());
        } else if (!history.reopen(operation)) {
            return operation;
        }
        ClientOperation o = operation;
        sim.record(id, EventKind.CLIENT, (op == null ? "submit op" : "resubmit op") + o.id() + " " + clientId + "#"
                + sequence + " " + MessageLabels.printable(command, 24));
        if (!s.up()) {
            history.complete(o, sim.now(), new CommandResult.Retry("node " + id + " is down"));
            return o;
        }
        ClientSession session = s.sessions.computeIfAbsent(clientId, s.node::session);
        // The first attempt may open the session; a re-submission never does (see ClientSession).
        (op == null ? session.submit(sequence, command.clone()) : session.resubmit(sequence, command.clone()))
                .whenComplete((result, error) -> {
            CommandResult outcome = result != null ? result
                    : new CommandResult.Indeterminate("submit failed: " + error);
            history.complete(o, sim.now(), outcome);
            sim.note("op" + o.id() + " -> " + MessageLabels.describe(outcome));
        });
        return o;
    }

    /**
     * A linearizable read (ReadIndex) through {@code id}, recorded in the history as a read: its query takes
     * the state machine's values ({@link SimStateMachine#query}); Ok is recorded as
     * {@code CommandResult.Ok(readIndex, readResult(values))}, Retry as Retry, and a query that failed (or saw
     * an applied index below the read index, which the engine promises never happens) as a wrong read, counted
     * in {@link #readViolations()}. A node that is down answers Retry at once.
     */
    public CompletionStage<ReadResult<SimStateMachine.QueryView>> read(String id) {
        Slot s = slot(id);
        byte[] label = ("?lr" + (++readCount)).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        ClientOperation op = history.invokeRead(id, label, sim.now());
        sim.record(id, EventKind.CLIENT, "read op" + op.id());
        if (!s.up()) {
            ReadResult<SimStateMachine.QueryView> down = new ReadResult.Retry<>("node " + id + " is down");
            history.complete(op, sim.now(), new CommandResult.Retry("node " + id + " is down"));
            return java.util.concurrent.CompletableFuture.completedFuture(down);
        }
        return s.node.read(sm -> ((SimStateMachine) sm).query()).whenComplete((result, error) -> {
            CommandResult outcome;
            if (result instanceof ReadResult.Ok<SimStateMachine.QueryView> ok) {
                if (ok.value().appliedIndex() < ok.readIndex()) {
                    readViolations.add(op + ": the query saw applied index " + ok.value().appliedIndex()
                            + ", below its read index " + ok.readIndex());
                }
                outcome = new CommandResult.Ok(ok.readIndex(), SimStateMachine.readResult(ok.value().values()));
            } else if (result instanceof ReadResult.Retry<SimStateMachine.QueryView> retry) {
                outcome = new CommandResult.Retry(retry.reason());
            } else {
                String why = result instanceof ReadResult.QueryFailed<SimStateMachine.QueryView> f
                        ? "the query failed: " + f.error() : "the read failed: " + error;
                readViolations.add(op + ": " + why);
                outcome = new CommandResult.Indeterminate(why);
            }
            history.complete(op, sim.now(), outcome);
            sim.note("op" + op.id() + " -> " + MessageLabels.describe(outcome));
        });
    }

    /** Reads that went wrong on the engine's side (see {@link #read}); empty in a healthy run. */
    public List<String> readViolations() {
        return List.copyOf(readViolations);
    }

    /**
     * Asks {@code id} to hand leadership to {@code target} (null: the most up-to-date voter), recording the
     * request and its outcome in the trace. A node that is down answers NotLeader at once.
     */
    public CompletionStage<TransferResult> transferLeadership(String id, String target) {
        Slot s = slot(id);
        sim.record(id, EventKind.CLIENT, "transfer leadership " + id + " -> " + (target == null ? "best" : target));
        if (!s.up()) {
            return java.util.concurrent.CompletableFuture.completedFuture(new TransferResult.NotLeader(null));
        }
        CompletionStage<TransferResult> r = target == null ? s.node.transferLeadership()
                : s.node.transferLeadership(target);
        return r.whenComplete((result, error) -> {
            sim.note("transfer " + id + " -> " + target + ": " + result);
            if (result instanceof TransferResult.Done) {
                transfersDone++;
            }
        });
    }

    // ---- configuration changes ----

    /**
     * Asks {@code askedId} to add {@code memberId} as a voter ({@link RaftNode#addVoter}: a learner first, caught
     * up, then promoted), recording the request and its outcome in the trace. A node that is down answers
     * NotLeader at once.
     */
    public CompletionStage<ConfigurationResult> addVoter(String askedId, String memberId) {
        return change(askedId, "add voter " + memberId, true, n -> n.addVoter(memberId));
    }

    /** As {@link #addVoter}, for {@link RaftNode#addLearner}. */
    public CompletionStage<ConfigurationResult> addLearner(String askedId, String memberId) {
        return change(askedId, "add learner " + memberId, true, n -> n.addLearner(memberId));
    }

    /** As {@link #addVoter}, for {@link RaftNode#removeMember} (the asked node itself may be removed). */
    public CompletionStage<ConfigurationResult> removeMember(String askedId, String memberId) {
        return change(askedId, "remove member " + memberId, true, n -> n.removeMember(memberId));
    }

    /** As {@link #addVoter}, for {@link RaftNode#updateSettings}. */
    public CompletionStage<ConfigurationResult> updateSettings(String askedId, ClusterSettings newSettings) {
        return change(askedId, "update settings (preVote=" + newSettings.preVote() + ", checkQuorum="
                + newSettings.checkQuorum() + ")", false, n -> n.updateSettings(newSettings));
    }

    private CompletionStage<ConfigurationResult> change(String askedId, String what, boolean membership,
                                                        java.util.function.Function<RaftNode,
                                                                CompletionStage<ConfigurationResult>> call) {
        Slot s = slot(askedId);
        sim.record(askedId, EventKind.CLIENT, what + " (asked of " + askedId + ")");
        if (!s.up()) {
            return java.util.concurrent.CompletableFuture.completedFuture(new ConfigurationResult.NotLeader(null));
        }
        return call.apply(s.node).whenComplete((result, error) -> {
            sim.note(what + " (asked of " + askedId + "): " + (result != null ? result : "failed: " + error));
            if (result instanceof ConfigurationResult.Done) {
                if (membership) {
                    membershipChangesDone++;
                } else {
                    settingsChangesDone++;
                }
            }
        });
    }

    /**
     * Membership changes (add voter, add learner, remove) answered Done so far, including those that found the
     * change already made (an idempotent repeat).
     */
    public long membershipChangesDone() {
        return membershipChangesDone;
    }

    /** Settings changes answered Done so far. */
    public long settingsChangesDone() {
        return settingsChangesDone;
    }

    /**
     * The configuration in {@code id}'s durable log: its last configuration entry, or its snapshot's if it has
     * none past the snapshot; {@code null} for an empty log. Read from storage, so also for a node that is down.
     * The node itself uses a configuration as soon as it appends it, so while a write is under way this may lag.
     */
    public ClusterConfiguration configuration(String id) {
        RaftLog log = slot(id).log;
        List<LogEntry> entries = logStore.entries(log);
        for (int i = entries.size() - 1; i >= 0; i--) {
            LogEntry e = entries.get(i);
            if (e.type() == EntryType.CONFIGURATION && e.isIntact()) {
                return ConfigurationCodec.decode(e.data());
            }
        }
        SnapshotMeta snapshot = log.snapshot();
        return snapshot == null ? null : snapshot.configuration();
    }

    /** The nodes of the bootstrap configuration, in order (the spares left out). */
    public List<String> initialMembers() {
        return members;
    }

    /** Leadership transfers that ended with the target leading, as their requesters were told. */
    public long transfersDone() {
        return transfersDone;
    }

    /** Linearizable reads answered Ok so far. */
    public long readsServed() {
        long n = 0;
        for (ClientOperation op : history.operations()) {
            if (op.isLinearizableRead() && op.isOk()) {
                n++;
            }
        }
        return n;
    }

    /** The client history of the run. */
    @Override
    public ClientHistory history() {
        return history;
    }

    // ---- running ----

    /** Runs the simulation for {@code duration}, then checks the logs. */
    public void runFor(Duration duration) {
        sim.runFor(duration);
        if (checkInvariants) {
            invariants.checkLogs();
        }
    }

    /** Runs until {@code condition} holds or {@code maxVirtualTime} passed, then checks the logs. */
    public boolean runUntil(BooleanSupplier condition, Duration maxVirtualTime) {
        boolean met = sim.runUntil(condition, maxVirtualTime);
        if (checkInvariants) {
            invariants.checkLogs();
        }
        return met;
    }

    /** Runs until some node leads, for at most {@code max}. @return the leader, or {@code null} */
    public String awaitLeader(Duration max) {
        runUntil(() -> leader() != null, max);
        return leader();
    }

    // ---- inspection ----

    /** The leader of the highest term among running nodes, or {@code null}. */
    public String leader() {
        String best = null;
        long bestTerm = -1;
        for (Slot s : slots.values()) {
            if (s.up()) {
                NodeStatus st = s.node.status();
                if (st.role() == Role.LEADER && st.term() > bestTerm) {
                    best = s.id;
                    bestTerm = st.term();
                }
            }
        }
        return best;
    }

    /** The running node {@code id}, or {@code null} if it is down. */
    public RaftNode node(String id) {
        return slot(id).node;
    }

    /** The current runtime of {@code id}, or {@code null} if it is down. */
    public SimRuntime runtime(String id) {
        return slot(id).runtime;
    }

    /** The node's status, or {@link NodeStatus#stopped} if it is down. */
    @Override
    public NodeStatus status(String id) {
        Slot s = slot(id);
        return s.up() ? s.node.status() : NodeStatus.stopped(id);
    }

    /**
     * The node's {@link InMemoryRaftLog}, for the faults only it can inject (it survives crashes; a wipe
     * replaces it).
     *
     * @throws IllegalStateException if the cluster's {@link LogStore} keeps another kind of log: use
     *                               {@link #raftLog}
     */
    public InMemoryRaftLog log(String id) {
        RaftLog log = slot(id).log;
        if (log instanceof InMemoryRaftLog m) {
            return m;
        }
        throw new IllegalStateException("the log of " + id + " is " + log.getClass().getSimpleName() + " (log store "
                + logStore + "), not an InMemoryRaftLog: the faults of InMemoryRaftLog (fakeDurability,"
                + " corruptEntry, corruptSnapshot, setWriteFailure) are not available on it; raftLog(id) gives the log");
    }

    /**
     * The node's log as its {@link LogStore} made it: after a crash, the one reopened from its storage; after
     * a wipe, the new one. The node writes through it while it runs.
     */
    public RaftLog raftLog(String id) {
        return slot(id).log;
    }

    @Override
    public SimStateMachine stateMachine(String id) {
        return slot(id).stateMachine;
    }

    @Override
    public boolean isUp(String id) {
        return slot(id).up();
    }

    @Override
    public int incarnation(String id) {
        return slot(id).incarnation;
    }

    @Override
    public long appliedAtRestart(String id) {
        return slot(id).appliedAtRestart;
    }

    @Override
    public List<LogEntry> logEntries(String id) {
        return logStore.entries(slot(id).log);
    }

    @Override
    public long logTermAt(String id, long index) {
        RaftLog log = slot(id).log;
        return index < log.firstIndex() - 1 || index > log.lastIndex() ? 0 : log.termAt(index);
    }

    @Override
    public long logFirstIndex(String id) {
        return slot(id).log.firstIndex();
    }

    @Override
    public long clusterIncarnation(String id) {
        Slot s = slot(id);
        if (s.clusterIncarnation == 0) {
            ClusterConfiguration c = configuration(id);
            if (c != null) {
                s.clusterIncarnation = c.incarnation();
            }
        }
        return s.clusterIncarnation;
    }

    @Override
    public List<String> nodeIds() {
        return ids;
    }

    @Override
    public Simulation simulation() {
        return sim;
    }

    /** The network, for partitions and faults. */
    public SimNetwork network() {
        return network;
    }

    /** The invariant checks (registered after every step unless turned off in the builder). */
    public Invariants invariants() {
        return invariants;
    }

    /** The cluster-wide settings the cluster was bootstrapped with. */
    public ClusterSettings settings() {
        return settings;
    }

    /** The seed that replays this run. */
    public long seed() {
        return sim.seed();
    }

    /** Virtual time in nanoseconds. */
    public long now() {
        return sim.now();
    }

    private List<NodeState> nodeStates() {
        List<NodeState> states = new ArrayList<>(slots.size());
        for (Slot s : slots.values()) {
            if (s.up()) {
                NodeStatus st = s.node.status();
                states.add(new NodeState(s.id, roleLetter(st.role()), st.term(), st.lastIndex(), st.lastTerm(),
                        st.commitIndex(), st.appliedIndex()));
            } else {
                // A node that is down shows what its storage holds.
                long last = s.log.lastIndex();
                long lastTerm;
                try {
                    lastTerm = s.log.termAt(last);
                } catch (RuntimeException e) {
                    lastTerm = 0;
                }
                states.add(new NodeState(s.id, '-', s.log.hardState().term(), last, lastTerm, 0,
                        s.stateMachine.lastApplied()));
            }
        }
        return states;
    }

    private static char roleLetter(Role role) {
        switch (role) {
            case LEADER:
                return 'L';
            case CANDIDATE:
                return 'C';
            case PRE_CANDIDATE:
                return 'P';
            case FOLLOWER:
                return 'F';
            default:
                return '-';
        }
    }

    /** Builds a {@link SimCluster}. */
    public static final class Builder {
        private long seed;
        private List<String> ids = List.of("n1", "n2", "n3");
        private List<String> spares = List.of();
        private Set<String> bootstrappers = Set.of();
        private ClusterSettings settings = DEFAULT_SETTINGS;
        private UnaryOperator<RaftNodeConfig> configCustomizer = UnaryOperator.identity();
        private Set<RuleBreach> ruleBreaches = Set.of();
        private NetworkFaults faults = NetworkFaults.NONE;
        private String clusterId = "sim";
        private int traceCapacity = Simulation.DEFAULT_TRACE_CAPACITY;
        private boolean checkInvariants = true;
        private boolean holdForDownNodes;
        private boolean keepOutcomes;
        private LogStore logStore = LogStore.inMemory();
        private boolean applyInBatches;

        private Builder() {
        }

        /** The seed of every random decision of the run. */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** The node ids; the first one bootstraps the cluster. */
        public Builder nodes(String... ids) {
            if (ids.length == 0) {
                throw new IllegalArgumentException("a cluster needs at least one node");
            }
            this.ids = List.of(ids);
            return this;
        }

        /** Nodes n1..n{@code count}. */
        public Builder nodeCount(int count) {
            String[] names = new String[count];
            for (int i = 0; i < count; i++) {
                names[i] = "n" + (i + 1);
            }
            return nodes(names);
        }

        /**
         * Nodes that run in the simulation, with empty storage, but are not in the bootstrap configuration (the
         * {@link #nodes} are): they wait, never campaigning, until {@link SimCluster#addVoter} or
         * {@link SimCluster#addLearner} brings them in. {@link SimCluster#nodeIds()} lists them after the members.
         */
        public Builder spares(String... ids) {
            this.spares = List.of(ids);
            return this;
        }

        /**
         * Members that are also told to bootstrap the cluster, besides the first (the deployment mistake of
         * RELIABILITY 21 and issue 10): each writes its own first configuration entry, of the same members, with
         * its own cluster incarnation, so the cluster exists twice; the two must refuse each other's messages.
         */
        public Builder bootstrappers(String... ids) {
            this.bootstrappers = Set.of(ids);
            return this;
        }

        /** The settings the cluster is bootstrapped with. */
        public Builder settings(ClusterSettings settings) {
            this.settings = Objects.requireNonNull(settings, "settings");
            return this;
        }

        /** Adjusts every node's own configuration (called at every start, bootstrap already set). */
        public Builder configure(UnaryOperator<RaftNodeConfig> customizer) {
            this.configCustomizer = Objects.requireNonNull(customizer, "customizer");
            return this;
        }

        /**
         * Every node deliberately breaks {@code rules}: only for showing that the checkers catch a broken
         * engine (see {@link RuleBreach}, which is not API).
         */
        public Builder breakingRules(Set<RuleBreach> rules) {
            this.ruleBreaches = Set.copyOf(rules);
            return this;
        }

        /** The network faults at the start. */
        public Builder networkFaults(NetworkFaults faults) {
            this.faults = Objects.requireNonNull(faults, "faults");
            return this;
        }

        /** Keep messages for nodes that are down and deliver them after restart (a broker queue). */
        public Builder holdForDownNodes(boolean hold) {
            this.holdForDownNodes = hold;
            return this;
        }

        /**
         * Every node's state machine keeps the outcome of each command with its apply, and tells it after a
         * restart ({@link SimStateMachine#keepsOutcomes()}), as a database-backed one may (default off).
         */
        public Builder stateMachinesKeepOutcomes(boolean keep) {
            this.keepOutcomes = keep;
            return this;
        }

        /**
         * Every node's state machine applies each batch of entries in one atomic step, as a database-backed one
         * may in one transaction ({@link SimStateMachine#appliesInBatches()}; default off).
         */
        public Builder stateMachinesApplyInBatches(boolean inBatches) {
            this.applyInBatches = inBatches;
            return this;
        }

        /** The cluster id in every node's configuration. */
        public Builder clusterId(String clusterId) {
            this.clusterId = Objects.requireNonNull(clusterId, "clusterId");
            return this;
        }

        /** How many trace rows to keep. */
        public Builder traceCapacity(int rows) {
            this.traceCapacity = rows;
            return this;
        }

        /** Where the nodes keep their logs ({@link LogStore#inMemory()} unless set). */
        public Builder logs(LogStore store) {
            this.logStore = Objects.requireNonNull(store, "store");
            return this;
        }

        /** Whether the invariants run after every step and after every run (default on). */
        public Builder checkInvariants(boolean on) {
            this.checkInvariants = on;
            return this;
        }

        public SimCluster build() {
            return new SimCluster(this);
        }
    }
}
