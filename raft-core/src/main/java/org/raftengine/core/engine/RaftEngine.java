package org.raftengine.core.engine;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.raftengine.core.Cancellable;
import org.raftengine.core.ClusterConfiguration;
import org.raftengine.core.ClusterSettings;
import org.raftengine.core.CommandResult;
import org.raftengine.core.ConfigurationResult;
import org.raftengine.core.LogBrokenException;
import org.raftengine.core.Member;
import org.raftengine.core.NodeStatus;
import org.raftengine.core.RaftListener;
import org.raftengine.core.RaftNodeConfig;
import org.raftengine.core.ReadResult;
import org.raftengine.core.Role;
import org.raftengine.core.TransferResult;
import org.raftengine.core.internal.RuleBreach;
import org.raftengine.core.message.AppendEntries;
import org.raftengine.core.message.AppendEntriesResponse;
import org.raftengine.core.message.ForwardCommand;
import org.raftengine.core.message.ForwardResponse;
import org.raftengine.core.message.InstallSnapshot;
import org.raftengine.core.message.InstallSnapshotResponse;
import org.raftengine.core.message.RaftMessage;
import org.raftengine.core.message.ReadIndexRequest;
import org.raftengine.core.message.ReadIndexResponse;
import org.raftengine.core.message.TimeoutNow;
import org.raftengine.core.message.VoteRequest;
import org.raftengine.core.message.VoteResponse;
import org.raftengine.core.runtime.NodeRuntime;
import org.raftengine.core.spi.CorruptEntryException;
import org.raftengine.core.spi.CorruptSnapshotException;
import org.raftengine.core.spi.EntryType;
import org.raftengine.core.spi.HardState;
import org.raftengine.core.spi.LogEntry;
import org.raftengine.core.spi.RaftLog;
import org.raftengine.core.spi.SnapshotMeta;
import org.raftengine.core.spi.StateMachine;
import org.raftengine.core.spi.Transport;
import org.raftengine.core.wire.ConfigurationCodec;
import org.raftengine.core.wire.SessionCommand;

/**
 * The Raft engine of one node: an actor. Every input runs as an event on the runtime's protocol executor
 * ({@link EventLoop}), and only events touch Raft state; storage writes and reads run on the storage
 * executor, applies on the apply executor, and their completions come back as events.
 *
 * <p>This class starts and stops the node, dispatches each message to its handler, makes the role
 * changes that involve every part (a new term, stepping down, taking office), runs the tick and
 * publishes the status. The rules live in the parts: {@link Elections}, {@link LeaderReplication},
 * {@link FollowerAppend}, {@link ClientCommands}, {@link StoragePipeline} and {@link ApplyPipeline},
 * over the shared {@link NodeState} and {@link LogView}.
 *
 * <p>Internal: users go through {@link org.raftengine.core.RaftNode}.
 */
public final class RaftEngine {
    /** The one logger of the engine: every part logs under this name. */
    private static final System.Logger LOG = System.getLogger(RaftEngine.class.getName());
    private static final long MILLIS = 1_000_000L;
    private static final long REPLAY_CHUNK_BYTES = 4L << 20;

    // ---- wiring
    private final String id;
    private final RaftNodeConfig nodeConfig;
    private final RaftLog log;
    private final Transport transport;
    private final StateMachine stateMachine;
    private final NodeRuntime runtime;
    /** Rules this node breaks on purpose, for tests of the checkers only; empty for every real node. */
    private final Set<RuleBreach> ruleBreaches;

    // ---- the parts
    private final EventLoop events;
    private final Listeners listeners;
    private final NodeState state;
    private final Outbox outbox;
    private final Completions completions;
    private final LogView logView;
    private final StoragePipeline storage;
    private final Elections elections;
    private final LeaderReplication leader;
    private final FollowerAppend follower;
    private final ClientCommands clients;
    private final LeadershipTransfer transfer;
    private final LinearizableReads reads;
    private final ConfigurationChanges changes;
    private final ApplyPipeline apply;
    private final LocalSnapshots snapshots;
    private final SnapshotReceiver snapshotReceiver;

    // ---- life cycle and status
    private final CompletableFuture<Void> stoppedFuture = new CompletableFuture<>();
    /** Set once start() has succeeded, and never cleared: from then on only a halt ends the node. */
    private volatile boolean started;
    private boolean halted;
    private Cancellable tickTimer;
    private volatile NodeStatus status;
    private final AtomicLong refusedMessages = new AtomicLong();
    private final AtomicLong foreignIncarnationRefused = new AtomicLong();
    /** The configuration the listeners were last told of, and the voters and learners of the status. */
    private ClusterConfiguration toldConfiguration;
    private List<String> statusVoters = List.of();
    private List<String> statusLearners = List.of();
    /** Client ids of sessions opened here: random per engine (unique across nodes and runs), then counted. */
    private final long sessionIdSalt;
    private final AtomicLong sessionIds = new AtomicLong();

    public RaftEngine(RaftNodeConfig nodeConfig, RaftLog log, Transport transport, StateMachine stateMachine,
                      NodeRuntime runtime) {
        this(nodeConfig, log, transport, stateMachine, runtime, Set.of());
    }

    /** An engine that breaks {@code ruleBreaches}: only through {@link org.raftengine.core.internal.RuleBreakingNodes}. */
    public RaftEngine(RaftNodeConfig nodeConfig, RaftLog log, Transport transport, StateMachine stateMachine,
                      NodeRuntime runtime, Set<RuleBreach> ruleBreaches) {
        this.ruleBreaches = Set.copyOf(ruleBreaches);
        this.nodeConfig = Objects.requireNonNull(nodeConfig, "nodeConfig");
        this.id = nodeConfig.nodeId();
        this.log = Objects.requireNonNull(log, "log");
        this.transport = Objects.requireNonNull(transport, "transport");
        this.stateMachine = Objects.requireNonNull(stateMachine, "stateMachine");
        this.runtime = Objects.requireNonNull(runtime, "runtime");
        this.status = NodeStatus.stopped(id);
        // Not from runtime.random(): that would shift the engine's own draws (election timeouts) in the simulator.
        this.sessionIdSalt = (runtime.currentTimeMillis() * 1_000_003L ^ runtime.nanoTime()) >>> 1;

        ClusterSettings fallbackSettings = nodeConfig.bootstrap() != null
                ? nodeConfig.bootstrap().settings() : ClusterSettings.DEFAULTS;
        SeenRequests seenRequests = new SeenRequests();
        this.events = new EventLoop(id, runtime, this::afterEvent, this::halt);
        this.listeners = new Listeners(id, runtime);
        this.state = new NodeState(id, listeners);
        this.outbox = new Outbox(id, transport);
        this.completions = new Completions(runtime);
        this.logView = new LogView(id, nodeConfig.maxTailEntries(), fallbackSettings, seenRequests);
        this.storage = new StoragePipeline(id, log, runtime, events, state, logView, outbox, this::afterWrite);
        this.elections = new Elections(this, state, runtime, events, logView, outbox, storage);
        this.leader = new LeaderReplication(this, state, log, runtime, events, logView, outbox,
                nodeConfig.snapshots().chunkBytes(), this::onStoredSnapshotCorrupt);
        this.follower = new FollowerAppend(this, state, logView, outbox, elections, this::snapshotCommitting);
        this.transfer = new LeadershipTransfer(state, runtime, logView, outbox, leader, completions, listeners);
        this.clients = new ClientCommands(state, nodeConfig, runtime, events, logView, leader, outbox, completions,
                seenRequests, transfer);
        this.reads = new LinearizableReads(state, nodeConfig, runtime, events, logView, leader, outbox, completions,
                stateMachine, transfer, breaks(RuleBreach.READ_BEFORE_TERM_COMMIT),
                breaks(RuleBreach.LEASE_FROM_CONFIRMATION));
        this.changes = new ConfigurationChanges(state, runtime, logView, leader, completions,
                breaks(RuleBreach.CONFIGURATION_CHANGE_BEFORE_TERM_COMMIT));
        this.apply = new ApplyPipeline(id, stateMachine, runtime, events, logView, clients, this::markBrokenAndStop,
                breaks(RuleBreach.APPLY_BEFORE_COMMIT));
        this.snapshots = new LocalSnapshots(id, log, runtime, events, logView, apply, nodeConfig.snapshots(),
                this::receivingSnapshot, this::sendingSnapshot);
        this.snapshotReceiver = new SnapshotReceiver(this, state, log, runtime, events, logView, outbox, storage, apply,
                follower, clients);
    }

    // =====================================================================================
    // Life cycle
    // =====================================================================================

    /**
     * Loads the log and the state machine's applied index on the calling thread (nothing else runs
     * yet), bootstraps the cluster if told to and the log is empty, then starts the protocol.
     */
    public void start() {
        if (events.isRunning()) {
            throw new IllegalStateException("node " + id + " is already started");
        }
        if (log.isBroken()) {
            throw new LogBrokenException("the log of node " + id + " is marked broken (" + log.brokenReason()
                    + "); the node refuses to start until the log is repaired and the mark cleared");
        }
        if (!ruleBreaches.isEmpty()) {
            LOG.log(Level.WARNING, "node {0} deliberately breaks Raft rules {1}: for testing the test suite only",
                    id, ruleBreaches);
        }
        long storageId = log.storageId();
        HardState hard = log.hardState();
        state.load(storageId, hard.term(), hard.votedFor());
        boolean bootstrapped = false;
        if (log.lastIndex() < log.firstIndex()) {
            if (nodeConfig.bootstrap() != null) {
                bootstrap(nodeConfig.bootstrap());
                bootstrapped = true;
            }
        } else if (nodeConfig.bootstrap() != null) {
            LOG.log(Level.INFO, "node {0}: the log already holds entries; bootstrap configuration ignored", id);
        }
        String snapshotsOff = !log.supportsSnapshots()
                ? "the log (" + log.getClass().getName() + ") stores no snapshots"
                : !stateMachine.supportsSnapshots()
                ? "the state machine (" + stateMachine.getClass().getName() + ") takes no snapshots" : null;
        if (snapshotsOff != null) {
            LOG.log(Level.INFO, "node {0}: snapshots and log compaction are off, the log keeps every entry: {1}", id,
                    snapshotsOff);
        }
        try {
            logView.load(log, restoreIfBehindLog());
        } catch (CorruptEntryException | CorruptSnapshotException e) {
            String reason = "its storage fails a checksum at start (" + e.getMessage() + ")";
            log.markBroken(reason);
            throw new LogBrokenException("node " + id + " refuses to start: " + reason + "; a corrupted log is never"
                    + " served or voted on: wipe its storage and add it to the cluster again");
        }
        ClusterConfiguration configuration = logView.configuration();
        if (configuration != null && nodeConfig.bootstrap() != null
                && !configuration.settings().equals(nodeConfig.bootstrap().settings())) {
            LOG.log(Level.INFO, "node {0}: cluster settings in the log differ from this node''s bootstrap values;"
                    + " the log''s apply: {1}", id, configuration.settings());
        }
        snapshots.start(snapshotsOff);
        snapshotReceiver.start(snapshotsOff);
        state.setRoleUntold(Role.FOLLOWER);
        started = true;
        events.setRunning(true);
        elections.setFirstDeadline(bootstrapped);
        transport.start(this::receive);
        events.execute(() -> {
            elections.startTimer();
            scheduleTick();
            listeners.tell(l -> l.onRoleChange(Role.FOLLOWER, state.term()));
        });
    }

    /**
     * The state machine's applied index, after restoring the log's snapshot into it if it is behind that
     * snapshot (a state machine kept in memory, or a crash between the commit of a received snapshot and its
     * restore); and the client-session table as of that index. On the calling thread, before the node runs.
     *
     * <p>The table is the snapshot's (restored together with the state), or, for a state machine that kept
     * its own applied index, the snapshot's table (if any) brought forward through the entries after it up to
     * that index, for bookkeeping only: they are not applied again, and their outputs are not in the log. A
     * state machine that {@link StateMachine#keepsOutcomes() keeps outcomes} tells them; otherwise they are not
     * known here (a duplicate of one is refused, saying at which index it was applied: see
     * {@link ClientSessions}), and see {@link ApplyPipeline#replaySessions} for a failure to tell one. A
     * state machine behind the snapshot is restored from it even if the log still holds the entries between:
     * the table as of an index before the snapshot is known nowhere.
     */
    private long restoreIfBehindLog() {
        long applied = stateMachine.lastApplied();
        SnapshotMeta snapshot = log.supportsSnapshots() ? log.snapshot() : null;
        long fallbackTimeout = (nodeConfig.bootstrap() != null ? nodeConfig.bootstrap().settings()
                : ClusterSettings.DEFAULTS).sessionTimeoutMillis();
        boolean behindSnapshot = snapshot != null && applied < snapshot.index()
                && (stateMachine.supportsSnapshots() || applied < log.firstIndex() - 1);
        if (!behindSnapshot) {
            boolean fromSnapshot = snapshot != null && applied >= snapshot.index();
            apply.loadSessions(fromSnapshot ? readSessions(snapshot) : null, fromSnapshot
                    ? snapshot.configuration().settings().sessionTimeoutMillis() : fallbackTimeout);
            // Past the log's end, the log lost entries: LogView.load says so clearly.
            replaySessions(fromSnapshot ? snapshot.index() + 1 : log.firstIndex(), Math.min(applied, log.lastIndex()));
            return applied;
        }
        if (!stateMachine.supportsSnapshots()) {
            throw new IllegalStateException("node " + id + ": the log starts at " + log.firstIndex() + ", after a "
                    + "snapshot, but the state machine applied only up to " + applied
                    + " and cannot restore snapshots");
        }
        try (InputStream data = VerifiedSnapshot.open(log, snapshot)) {
            SnapshotEnvelope.Opened opened = SnapshotEnvelope.read(data);
            stateMachine.restore(snapshot.index(), opened.state());
            apply.loadSessions(opened.sessions(), snapshot.configuration().settings().sessionTimeoutMillis());
        } catch (IOException e) {
            throw new UncheckedIOException("node " + id + ": restoring snapshot " + snapshot.index() + " failed", e);
        }
        LOG.log(Level.INFO, "node {0} restored its state machine from snapshot {1}/{2}", id, snapshot.index(),
                snapshot.term());
        return stateMachine.lastApplied();
    }

    /** The session table of a snapshot (null if it has none), without reading the state machine's bytes. */
    private ClientSessions readSessions(SnapshotMeta snapshot) {
        try (InputStream data = VerifiedSnapshot.open(log, snapshot)) {
            return SnapshotEnvelope.read(data).sessions();
        } catch (IOException e) {
            throw new UncheckedIOException("node " + id + ": reading the session table of snapshot "
                    + snapshot.index() + " failed", e);
        }
    }

    /** Brings the session table through the log's entries {@code from..to}, which the state machine applied. */
    private void replaySessions(long from, long to) {
        while (from <= to) {
            List<LogEntry> chunk = log.read(from, to, REPLAY_CHUNK_BYTES);
            if (chunk.isEmpty()) {
                throw new IllegalStateException("node " + id + ": the log holds no entry " + from
                        + ", which the state machine applied");
            }
            apply.replaySessions(chunk);
            from += chunk.size();
        }
    }

    /**
     * Writes the first configuration entry, with this node's storage id recorded in it and the cluster's
     * incarnation: drawn from this node's storage id (random when the storage was made), so two nodes that
     * both bootstrap, a deployment mistake, make two incarnations that refuse each other's messages.
     */
    private void bootstrap(ClusterConfiguration initial) {
        ClusterConfiguration withMe = initial.withStorageId(id, log.storageId())
                .withIncarnation(incarnationFrom(log.storageId(), nodeConfig.clusterId()));
        long term = Math.max(1, state.term());
        LogEntry first = LogEntry.of(1, term, EntryType.CONFIGURATION, 0, ConfigurationCodec.encode(withMe));
        log.saveHardState(new HardState(term, null));
        log.append(List.of(first));
        state.load(state.storageId(), term, null);
        LOG.log(Level.INFO, "node {0} bootstrapped cluster {1} (incarnation {2}) with members {3}", id,
                nodeConfig.clusterId(), Long.toHexString(withMe.incarnation()), initial.members());
    }

    /**
     * Stops the node: pending commands complete as indeterminate, timers stop, the runtime shuts down.
     * The stage completes once the runtime is quiet (no log or state machine call runs or can begin),
     * also when the node stopped by itself or is still marking its log broken.
     */
    public CompletionStage<Void> stop() {
        if (!started) {
            return CompletableFuture.completedFuture(null);
        }
        // Dropped if the node no longer runs: then a halt has run, or follows the mark of a broken log.
        events.execute(() -> halt("node stopped"));
        return stoppedFuture;
    }

    private void halt(String reason) {
        if (halted) {
            return;
        }
        halted = true;
        Role old = state.role();
        state.setRoleUntold(Role.STOPPED);
        events.setRunning(false);
        elections.stopTimer();
        if (tickTimer != null) {
            tickTimer.cancel();
        }
        clients.stop(reason);
        reads.stop(reason);
        transfer.stop(reason);
        changes.stop(reason);
        snapshots.stop(reason);
        snapshotReceiver.stop();
        try {
            transport.stop();
        } catch (RuntimeException e) {
            // The application's transport: its failure must not keep the node from stopping.
            LOG.log(Level.WARNING, "node " + id + ": the transport failed to stop", e);
        }
        publishStatus();
        completions.flush();
        if (old != Role.STOPPED) {
            listeners.tell(l -> l.onRoleChange(Role.STOPPED, state.term()));
        }
        runtime.shutdown().thenRun(() -> stoppedFuture.complete(null));
    }

    /**
     * Stops taking part at once (no event runs any more), and halts once the mark is durable. A stop()
     * meanwhile waits for that halt: halting first would drop the mark from the storage queue.
     */
    private void markBrokenAndStop(String reason) {
        events.setRunning(false);
        runtime.storageExecutor().execute(() -> {
            try {
                log.markBroken(reason);
            } catch (RuntimeException e) {
                LOG.log(Level.ERROR, "node " + id + ": could not mark the log broken", e);
            }
            runtime.protocolExecutor().execute(() -> halt("log marked broken: " + reason));
        });
    }

    /** Thread-safe; listeners are told on the callback executor. */
    public void addListener(RaftListener listener) {
        listeners.add(listener);
    }

    /** As of the last protocol event; thread-safe. */
    public NodeStatus status() {
        return status;
    }

    /** A non-zero mix of the storage id and the cluster id (SplitMix64's finaliser). */
    static long incarnationFrom(long storageId, String clusterId) {
        long z = storageId * 0x9E3779B97F4A7C15L + clusterId.hashCode();
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z = z ^ (z >>> 31);
        return z == 0 ? 1 : z;
    }

    /** True if this node was configured to break {@code rule} (see {@link RuleBreach}: tests of the tests). */
    boolean breaks(RuleBreach rule) {
        return ruleBreaches.contains(rule);
    }

    /** This node's id. */
    public String id() {
        return id;
    }

    /** Messages refused: wrong target, unknown sender, or a member's storage id that does not match. */
    public long refusedMessages() {
        return refusedMessages.get();
    }

    /** Of {@link #refusedMessages()}, those from a node of another incarnation of the cluster. */
    public long foreignIncarnationRefused() {
        return foreignIncarnationRefused.get();
    }

    /** Configuration changes this node, leading, saw committed (a new voter counts twice: learner, then voter). */
    public long configurationChangesDone() {
        return changes.changesDone();
    }

    /** Thread-safe: adds {@code memberId} as a learner; see {@link ConfigurationChanges}. */
    public CompletionStage<ConfigurationResult> addLearner(String memberId) {
        return change(done -> changes.addLearner(memberId, done));
    }

    /** Thread-safe: adds {@code memberId} as a voter (first as a learner, caught up, then promoted). */
    public CompletionStage<ConfigurationResult> addVoter(String memberId) {
        return change(done -> changes.addVoter(memberId, done));
    }

    /** Thread-safe: removes the member {@code memberId}, voter or learner, this node included. */
    public CompletionStage<ConfigurationResult> removeMember(String memberId) {
        return change(done -> changes.remove(memberId, done));
    }

    /** Thread-safe: changes the cluster's settings through the log. */
    public CompletionStage<ConfigurationResult> updateSettings(ClusterSettings settings) {
        return change(done -> changes.updateSettings(settings, done));
    }

    private CompletionStage<ConfigurationResult> change(
            java.util.function.Consumer<CompletableFuture<ConfigurationResult>> change) {
        return request(change, new ConfigurationResult.NotLeader(null));
    }

    /**
     * Leading, this node committed a configuration in which it is no voter (it removed itself): it steps down,
     * and hands over at once with TimeoutNow to the voter whose log is complete, if one is, rather than leave
     * the cluster without a leader for an election timeout.
     */
    void removedFromVoters() {
        String successor = leader.mostUpToDateFollower();
        boolean complete = successor != null && leader.matchIndexOf(successor) >= logView.lastIndex();
        long term = state.term();
        LOG.log(Level.INFO, "node {0} committed its own removal from the voters at {1}: it steps down{2}", id,
                logView.commitIndex(), complete ? " and hands over to " + successor : "");
        becomeFollower(term, null);
        if (complete) {
            outbox.send(new TimeoutNow(id, successor, state.storageId(), term, 0));
        }
    }

    /** Storage writes that failed (and were retried). */
    public long storageFailures() {
        return storage.failuresTotal();
    }

    /** Applies that failed (and were retried, or stopped the node). */
    public long applyFailures() {
        return apply.failuresTotal();
    }

    /** Snapshots this node took of its own state machine. */
    public long snapshotsTaken() {
        return snapshots.taken();
    }

    /** Snapshots this node installed from a leader. */
    public long snapshotsInstalled() {
        return snapshotReceiver.installed();
    }

    /** Thread-safe: takes a snapshot now (see {@link LocalSnapshots}); completes on the callback executor. */
    public CompletionStage<SnapshotMeta> takeSnapshot() {
        CompletableFuture<SnapshotMeta> done = new CompletableFuture<>();
        CompletableFuture<SnapshotMeta> answer = done.whenCompleteAsync((m, e) -> { }, runtime.callbackExecutor());
        if (!events.isRunning()) {
            done.completeExceptionally(new IllegalStateException("node " + id + " is not running"));
            return answer;
        }
        try {
            events.post(() -> snapshots.request(done));
        } catch (java.util.concurrent.RejectedExecutionException stopped) {
            done.completeExceptionally(new IllegalStateException("node " + id + " is not running"));
        }
        return answer;
    }

    /** This node's own storage is damaged where no peer can repair it: it stops rather than serve it. */
    void storageCorrupt(String reason) {
        LOG.log(Level.ERROR, "node {0}: {1}; marking the log broken and stopping", id, reason);
        markBrokenAndStop(reason);
    }

    /** The stored snapshot is corrupt: a new one replaces it, after an entry that the leader appends if need be. */
    private void onStoredSnapshotCorrupt(SnapshotMeta meta) {
        snapshots.replaceCorrupt(meta);
        if (state.role() == Role.LEADER) {
            leader.appendAsLeader(EntryType.NOOP, 0, new byte[0]);
            leader.replicateToAll();
            leader.advanceCommit();
        }
    }

    private boolean receivingSnapshot() {
        return snapshotReceiver.receiving();
    }

    private boolean sendingSnapshot() {
        return leader.sendingSnapshot();
    }

    private boolean snapshotCommitting() {
        return snapshotReceiver.committing();
    }

    /** Thread-safe. Commands queue up and are taken in one protocol event, which batches them naturally. */
    public CompletionStage<CommandResult> submit(byte[] command) {
        return clients.submit(command);
    }

    /** Thread-safe: a client session's command, as {@link #submit}; see {@link org.raftengine.core.ClientSession}. */
    public CompletionStage<CommandResult> submitSession(SessionCommand command) {
        return clients.submitSession(command);
    }

    /**
     * Thread-safe: a linearizable read (ReadIndex; see {@link LinearizableReads}). The query runs on the apply
     * executor; the stage completes on the callback executor.
     */
    public <T> CompletionStage<ReadResult<T>> read(Function<? super StateMachine, ? extends T> query) {
        return reads.read(query);
    }

    /** Linearizable reads this node has served (queries run) so far. */
    public long readsServed() {
        return reads.served();
    }

    /** Reads that took their read index on this node's lease, without a heartbeat round, so far. */
    public long leaseReads() {
        return reads.leaseReads();
    }

    /**
     * Thread-safe: hands leadership to {@code target}, or (null) to the most up-to-date voter; see
     * {@link LeadershipTransfer}. Completes on the callback executor.
     */
    public CompletionStage<TransferResult> transferLeadership(String target) {
        return request(done -> transfer.request(target, done), new TransferResult.NotLeader(null));
    }

    /**
     * Thread-safe: runs {@code request} as an event with a future for its answer, or answers {@code ifNotRunning}
     * at once when the node does not run (or stops before the event is queued).
     */
    private <T> CompletionStage<T> request(java.util.function.Consumer<CompletableFuture<T>> request,
                                           T ifNotRunning) {
        CompletableFuture<T> done = new CompletableFuture<>();
        if (!events.isRunning()) {
            done.complete(ifNotRunning);
            return done;
        }
        try {
            events.post(() -> request.accept(done));
        } catch (RejectedExecutionException stopped) {
            done.complete(ifNotRunning);
        }
        return done;
    }

    /** TimeoutNow messages ignored: late copies of an older term, or sent to a node that cannot campaign. */
    public long timeoutNowIgnored() {
        return elections.timeoutNowIgnored();
    }

    /** Leadership transfers this node began that ended with the target leading. */
    public long transfersDone() {
        return transfer.transfersDone();
    }

    /** Thread-safe: a new random client id for a session opened on this node. */
    public String newClientId() {
        return id + ":" + Long.toHexString(sessionIdSalt) + ":" + Long.toHexString(sessionIds.incrementAndGet());
    }

    // =====================================================================================
    // Events: everything below runs on the protocol executor
    // =====================================================================================

    /** Work every event may have made possible: write what is pending, apply what is committed. */
    private void afterEvent() {
        if (state.role() != Role.STOPPED) {
            storage.flushWrites();
            transfer.afterEvent();
            changes.afterEvent();
            reads.afterEvent();
            apply.maybeApply();
            snapshots.maybeTrigger();
            publishStatus();
        }
        completions.flush();
    }

    /** A write completed: the leader may count itself toward a commit, a follower acknowledge. */
    private void afterWrite() {
        Role role = state.role();
        if (role == Role.LEADER) {
            leader.advanceCommit();
        } else if (role == Role.FOLLOWER && state.leaderId() != null) {
            follower.ackIfNewlyDurable();
        }
    }

    private void receive(RaftMessage message) {
        events.execute(() -> onMessage(message));
    }

    private void onMessage(RaftMessage m) {
        if (!id.equals(m.to())) {
            refuse(m, "addressed to " + m.to());
            return;
        }
        if (!senderAllowed(m)) {
            return;
        }
        // Java 17: no pattern switch; one handler per message type.
        if (m instanceof AppendEntries r) {
            follower.onAppendEntries(r);
        } else if (m instanceof AppendEntriesResponse r) {
            leader.onAppendEntriesResponse(r);
        } else if (m instanceof VoteRequest r) {
            elections.onVoteRequest(r);
        } else if (m instanceof VoteResponse r) {
            elections.onVoteResponse(r);
        } else if (m instanceof ForwardCommand r) {
            clients.onForwardCommand(r);
        } else if (m instanceof ForwardResponse r) {
            clients.onForwardResponse(r);
        } else if (m instanceof InstallSnapshot r) {
            snapshotReceiver.onInstallSnapshot(r);
        } else if (m instanceof InstallSnapshotResponse r) {
            leader.onInstallSnapshotResponse(r);
        } else if (m instanceof TimeoutNow r) {
            elections.onTimeoutNow(r);
        } else if (m instanceof ReadIndexRequest r) {
            reads.onReadIndexRequest(r);
        } else if (m instanceof ReadIndexResponse r) {
            reads.onReadIndexResponse(r);
        }
    }

    /**
     * Refuses senders that are not members (but for what a leader sends its followers: a leader that removes
     * itself is no member once its removal is appended, yet leads until it commits), and members whose storage
     * id differs from the one recorded in the configuration (they came back with wiped storage and must be
     * removed and re-added). A node without configuration accepts all: it learns everything from a leader.
     */
    private boolean senderAllowed(RaftMessage m) {
        ClusterConfiguration configuration = logView.configuration();
        if (configuration == null) {
            return true;
        }
        long incarnation = incarnationOf(m);
        if (incarnation != 0 && configuration.incarnation() != 0 && incarnation != configuration.incarnation()) {
            foreignIncarnationRefused.incrementAndGet();
            refuse(m, "it belongs to incarnation " + Long.toHexString(incarnation) + " of cluster "
                    + nodeConfig.clusterId() + ", this node to " + Long.toHexString(configuration.incarnation())
                    + ": the cluster was bootstrapped twice (two nodes told to bootstrap?); the nodes of one"
                    + " incarnation must be wiped and added to the other");
            return false;
        }
        Member member = configuration.member(m.from());
        if (member == null) {
            if (fromLeaderToFollower(m)) {
                // A leader that removes itself leads until its removal commits (Raft thesis 4.2.2): its entries, its
                // hand-over and its read answers are taken, under the usual term rules (an old leader's are stale).
                return true;
            }
            refuse(m, "sender is not a member");
            return false;
        }
        if (member.storageId() != 0 && member.storageId() != m.fromStorageId()) {
            refuse(m, "sender's storage id " + m.fromStorageId() + " differs from the recorded "
                    + member.storageId() + ": it came back with new storage and must be removed and re-added");
            return false;
        }
        return true;
    }

    /** Messages only a leader sends, to its followers. */
    private static boolean fromLeaderToFollower(RaftMessage m) {
        return m instanceof AppendEntries || m instanceof InstallSnapshot || m instanceof TimeoutNow
                || m instanceof ReadIndexResponse;
    }

    /** The incarnation a message claims, for the messages that claim one (0: none). */
    private static long incarnationOf(RaftMessage m) {
        if (m instanceof AppendEntries a) {
            return a.incarnation();
        }
        if (m instanceof VoteRequest v) {
            return v.incarnation();
        }
        if (m instanceof InstallSnapshot i) {
            return i.configuration().incarnation();
        }
        return 0;
    }

    void refuse(RaftMessage m, String why) {
        long n = refusedMessages.incrementAndGet();
        if (Long.bitCount(n) == 1) { // 1, 2, 4, 8...: visible, but a flood cannot drown the log
            LOG.log(Level.WARNING, "node {0} refused {1} from {2}: {3} ({4} refused so far)", id,
                    m.getClass().getSimpleName(), m.from(), why, n);
        }
    }

    // =====================================================================================
    // Role changes: they involve every part
    // =====================================================================================

    /**
     * Enters {@code newTerm} having voted for {@code vote} (or nobody). Both must be durable before any
     * message that rests on them leaves, and what was known of the old term's leader is forgotten.
     */
    void enterTerm(long newTerm, String vote) {
        state.setTerm(newTerm);
        follower.newTerm();
        snapshotReceiver.newTerm();
        state.setVotedFor(vote);
        storage.hardStateChanged();
    }

    void becomeFollower(long newTerm, String leaderId) {
        if (newTerm > state.term()) {
            enterTerm(newTerm, null);
        }
        boolean wasLeader = state.role() == Role.LEADER;
        if (wasLeader) {
            leader.leaveOffice();
            LOG.log(Level.INFO, "node {0} steps down in term {1}", id, state.term());
        }
        state.setRole(Role.FOLLOWER);
        state.setLeader(leaderId);
        if (wasLeader) {
            elections.resetElectionDeadline(); // a leader's election timer was idle
        }
        // Otherwise the deadline stands: only the leader's AppendEntries or a granted vote resets it
        // (Raft paper, section 5.2). So a candidate with a stale log that keeps raising the term (say,
        // its clock runs fast) cannot keep the up-to-date nodes from ever campaigning.
    }

    void becomeLeader() {
        state.setRole(Role.LEADER);
        state.setLeader(id);
        LOG.log(Level.INFO, "node {0} leads in term {1}", id, state.term());
        leader.takeOffice();
        clients.tookOffice();
    }

    // =====================================================================================
    // Tick: heartbeats, CheckQuorum, time-outs
    // =====================================================================================

    private void scheduleTick() {
        tickTimer = events.schedule(logView.settings().heartbeatMillis() * MILLIS, this::onTick);
    }

    private void onTick() {
        long now = runtime.nanoTime();
        if (state.role() == Role.LEADER) {
            leader.tick(now);
        }
        transfer.onTick();
        clients.expireCommands(now);
        reads.onTick(now);
        scheduleTick();
    }

    // =====================================================================================
    // Status
    // =====================================================================================

    private long snapshotIndex() {
        SnapshotMeta snapshot = logView.snapshot();
        return snapshot == null ? 0 : snapshot.index();
    }

    /** A new status only when something in it changed: most events under load change one index. */
    private void publishStatus() {
        ClusterConfiguration configuration = logView.configuration();
        if (configuration != toldConfiguration) {
            configurationChanged(configuration);
        }
        Map<String, Long> match = leader.matchIndexes();
        NodeStatus s = status;
        Role role = state.role();
        long lastIndex = logView.lastIndex();
        long lastTerm = logView.lastTerm();
        if (s.role() == role && s.term() == state.term() && Objects.equals(s.leaderId(), state.leaderId())
                && s.lastIndex() == lastIndex && s.lastTerm() == lastTerm && s.commitIndex() == logView.commitIndex()
                && s.durableIndex() == logView.durableIndex() && s.appliedIndex() == logView.appliedIndex()
                && s.matchIndex() == match && s.firstIndex() == logView.firstIndex()
                && s.snapshotIndex() == snapshotIndex() && Objects.equals(s.transferTarget(), transfer.target())
                && s.voters() == statusVoters && s.learners() == statusLearners) {
            return;
        }
        status = new NodeStatus(id, role, state.term(), state.leaderId(), lastIndex, lastTerm, logView.commitIndex(),
                logView.durableIndex(), logView.appliedIndex(), match, logView.firstIndex(), snapshotIndex(),
                transfer.target(), statusVoters, statusLearners);
    }

    /** The configuration in force changed (appended, reverted by a truncation, or installed with a snapshot). */
    private void configurationChanged(ClusterConfiguration configuration) {
        ClusterConfiguration before = toldConfiguration;
        toldConfiguration = configuration;
        if (configuration == null) {
            return;
        }
        // List.copyOf: NodeStatus copies with it too, which keeps these very lists, so the status compares them
        // by identity and is not rebuilt on every event.
        List<String> voters = List.copyOf(configuration.voters().stream().map(Member::id).toList());
        List<String> learners = List.copyOf(configuration.learners().stream().map(Member::id).toList());
        if (!voters.equals(statusVoters) || !learners.equals(statusLearners)) {
            statusVoters = voters;
            statusLearners = learners;
        }
        if (configuration.equals(before)) {
            return;
        }
        long index = logView.configurationIndex();
        listeners.tell(l -> l.onConfigurationChange(configuration, index));
    }
}
