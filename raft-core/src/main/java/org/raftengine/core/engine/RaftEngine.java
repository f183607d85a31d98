package org.raftengine.core.engine;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.raftengine.core.Cancellable;
import org.raftengine.core.ClusterConfiguration;
import org.raftengine.core.ClusterSettings;
import org.raftengine.core.CommandResult;
import org.raftengine.core.LogBrokenException;
import org.raftengine.core.Member;
import org.raftengine.core.NodeStatus;
import org.raftengine.core.RaftListener;
import org.raftengine.core.RaftNodeConfig;
import org.raftengine.core.RejectedCommandException;
import org.raftengine.core.Role;
import org.raftengine.core.TransientApplyException;
import org.raftengine.core.message.AppendEntries;
import org.raftengine.core.message.AppendEntriesResponse;
import org.raftengine.core.message.ForwardCommand;
import org.raftengine.core.message.ForwardResponse;
import org.raftengine.core.message.RaftMessage;
import org.raftengine.core.message.VoteRequest;
import org.raftengine.core.message.VoteResponse;
import org.raftengine.core.runtime.NodeRuntime;
import org.raftengine.core.spi.EntryType;
import org.raftengine.core.spi.HardState;
import org.raftengine.core.spi.LogEntry;
import org.raftengine.core.spi.RaftLog;
import org.raftengine.core.spi.StateMachine;
import org.raftengine.core.spi.Transport;
import org.raftengine.core.wire.ConfigurationCodec;

/**
 * The Raft engine of one node. All Raft state lives here and is touched only by tasks on the
 * runtime's protocol executor ({@link #runEvent}); storage writes and reads run on the storage
 * executor, applies on the apply executor, and their completions come back as protocol events.
 * Each rule of the protocol is one method below, named after it.
 *
 * <p>Internal: users go through {@link org.raftengine.core.RaftNode}.
 */
public final class RaftEngine {
    private static final System.Logger LOG = System.getLogger(RaftEngine.class.getName());
    private static final byte[] EMPTY = new byte[0];
    private static final int MAX_APPLY_BATCH = 1024;
    private static final int MAX_REMEMBERED_REQUESTS = 100_000;
    private static final int FATAL_APPLY_ATTEMPTS = 3;
    private static final long MILLIS = 1_000_000L;

    // ---- wiring
    private final String id;
    private final RaftNodeConfig nodeConfig;
    private final RaftLog log;
    private final Transport transport;
    private final StateMachine stateMachine;
    private final NodeRuntime runtime;
    private final List<RaftListener> listeners = new CopyOnWriteArrayList<>();
    private final ConcurrentLinkedQueue<ClientCommand> submitted = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private final CompletableFuture<Void> stoppedFuture = new CompletableFuture<>();
    private volatile NodeStatus status;
    private Map<String, Long> publishedMatch = Map.of();
    private boolean matchChanged;
    /** Futures and their results, in pairs, completed together at the end of the event. */
    private final ArrayList<Object> completions = new ArrayList<>();
    private volatile boolean running;
    private boolean halted;

    // ---- counters (read from any thread)
    private final AtomicLong refusedMessages = new AtomicLong();
    private final AtomicLong storageFailuresTotal = new AtomicLong();
    private final AtomicLong applyFailuresTotal = new AtomicLong();

    // ---- hard state: term and vote; messages that depend on them wait until they are durable
    private long term;
    private String votedFor;
    private long hardStateVersion;
    private long durableHardStateVersion;
    private boolean hardStateUnwritten;
    private final List<RaftMessage> heldForHardState = new ArrayList<>();

    // ---- the log as this node sees it (memory ahead of storage)
    private long storageId;
    private TermIndex terms;
    private EntryTail tail;
    private long durableIndex;
    private long commitIndex;
    private long appliedIndex;
    private long writeFrom;
    private boolean writeInFlight;
    private long storageRetryAtNanos;
    private int storageFailures;

    // ---- configuration in force: the last configuration entry appended
    private final TreeMap<Long, ClusterConfiguration> configurations = new TreeMap<>();
    private ClusterConfiguration configuration;
    private long configurationIndex;

    // ---- role and elections
    private Role role = Role.STOPPED;
    private String leaderId;
    private long electionDeadlineNanos;
    private Cancellable electionTimer;
    private Cancellable tickTimer;
    private long lastLeaderContactNanos = Long.MIN_VALUE / 4;
    private final Set<String> votes = new HashSet<>();
    /** Follower: highest index known to match the current leader's log (this term only). */
    private long leaderMatchedIndex;
    private long lastAckSent;

    // ---- leader
    private final Map<String, FollowerProgress> followers = new HashMap<>();
    private final Map<String, Long> seenStorageIds = new HashMap<>();
    private long uncommittedBytes;
    private long quorumCheckStartedNanos;

    // ---- commands
    private final TreeMap<Long, PendingCommand> pendingByIndex = new TreeMap<>();
    private long overwriteCheckedTerm;
    private final LinkedHashMap<Long, PendingForward> forwarded = new LinkedHashMap<>();
    /** Marks a forwarded request this node refused: a later duplicate must not be appended. */
    private static final long[] REFUSED = {0, 0};
    /** Request ids of forwarded commands seen: their (index, term), or {@link #REFUSED}. Bounded. */
    private final LinkedHashMap<Long, long[]> requestPositions = new LinkedHashMap<>(1024, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, long[]> eldest) {
            return size() > MAX_REMEMBERED_REQUESTS;
        }
    };

    // ---- apply
    private boolean applyInFlight;
    private long applyRetryAtNanos;
    private int applyFailures;
    private int fatalApplyFailures;

    public RaftEngine(RaftNodeConfig nodeConfig, RaftLog log, Transport transport, StateMachine stateMachine,
                      NodeRuntime runtime) {
        this.nodeConfig = Objects.requireNonNull(nodeConfig, "nodeConfig");
        this.id = nodeConfig.nodeId();
        this.log = Objects.requireNonNull(log, "log");
        this.transport = Objects.requireNonNull(transport, "transport");
        this.stateMachine = Objects.requireNonNull(stateMachine, "stateMachine");
        this.runtime = Objects.requireNonNull(runtime, "runtime");
        this.status = NodeStatus.stopped(id);
    }

    // =====================================================================================
    // Life cycle
    // =====================================================================================

    /**
     * Loads the log and the state machine's applied index on the calling thread (nothing else runs
     * yet), bootstraps the cluster if told to and the log is empty, then starts the protocol.
     */
    public void start() {
        if (running) {
            throw new IllegalStateException("node " + id + " is already started");
        }
        if (log.isBroken()) {
            throw new LogBrokenException("the log of node " + id + " is marked broken (" + log.brokenReason()
                    + "); the node refuses to start until the log is repaired and the mark cleared");
        }
        storageId = log.storageId();
        HardState hard = log.hardState();
        term = hard.term();
        votedFor = hard.votedFor();
        boolean bootstrapped = false;
        if (log.lastIndex() < log.firstIndex()) {
            if (nodeConfig.bootstrap() != null) {
                bootstrap(nodeConfig.bootstrap());
                bootstrapped = true;
            }
        } else if (nodeConfig.bootstrap() != null) {
            LOG.log(Level.INFO, "node {0}: the log already holds entries; bootstrap configuration ignored", id);
        }
        loadLog();
        if (configuration != null && nodeConfig.bootstrap() != null
                && !configuration.settings().equals(nodeConfig.bootstrap().settings())) {
            LOG.log(Level.INFO, "node {0}: cluster settings in the log differ from this node''s bootstrap values;"
                    + " the log''s apply: {1}", id, configuration.settings());
        }
        role = Role.FOLLOWER;
        running = true;
        long now = runtime.nanoTime();
        electionDeadlineNanos = bootstrapped ? now : now + randomElectionTimeout();
        transport.start(this::receive);
        execute(() -> {
            armElectionTimer(electionDeadlineNanos);
            scheduleTick();
            notifyListeners(l -> l.onRoleChange(Role.FOLLOWER, term));
        });
    }

    private void bootstrap(ClusterConfiguration initial) {
        ClusterConfiguration withMe = initial.withStorageId(id, log.storageId());
        LogEntry first = LogEntry.of(1, Math.max(1, term), EntryType.CONFIGURATION, 0, ConfigurationCodec.encode(withMe));
        log.saveHardState(new HardState(Math.max(1, term), null));
        log.append(List.of(first));
        term = Math.max(1, term);
        votedFor = null;
        LOG.log(Level.INFO, "node {0} bootstrapped cluster {1} with members {2}", id, nodeConfig.clusterId(),
                initial.members());
    }

    private void loadLog() {
        long first = log.firstIndex();
        long last = log.lastIndex();
        long applied = stateMachine.lastApplied();
        if (applied > last) {
            throw new IllegalStateException("node " + id + ": the state machine applied up to " + applied
                    + " but the log ends at " + last + "; the log lost entries the state machine has");
        }
        terms = new TermIndex(first - 1);
        // Terms never decrease along the log: find each run's end by binary search, not by reading all.
        long index = first;
        while (index <= last) {
            long t = log.termAt(index);
            long lo = index;
            long hi = last;
            while (lo < hi) {
                long mid = (lo + hi + 1) >>> 1;
                if (log.termAt(mid) == t) {
                    lo = mid;
                } else {
                    hi = mid - 1;
                }
            }
            terms.appendRun(index, lo, t);
            index = lo + 1;
        }
        long tailFrom = Math.max(first, applied + 1 - nodeConfig.maxTailEntries());
        tail = new EntryTail(tailFrom);
        for (long from = tailFrom; from <= last; ) {
            List<LogEntry> chunk = log.read(from, last, 16L << 20);
            for (LogEntry e : chunk) {
                tail.append(e);
                if (e.type() == EntryType.CONFIGURATION) {
                    configurations.put(e.index(), decodeConfiguration(e));
                }
                if (e.requestId() != 0) {
                    requestPositions.put(e.requestId(), new long[] {e.index(), e.term()});
                }
            }
            from += chunk.size();
        }
        if (configurations.isEmpty() || configurations.firstKey() > tailFrom) {
            LogEntry before = findConfigurationBefore(tailFrom, first);
            if (before != null) {
                configurations.put(before.index(), decodeConfiguration(before));
            }
        }
        if (!configurations.isEmpty()) {
            configurationIndex = configurations.lastKey();
            configuration = configurations.lastEntry().getValue();
        }
        durableIndex = last;
        writeFrom = last + 1;
        commitIndex = applied;
        appliedIndex = applied;
    }

    /** The last configuration entry before {@code beforeIndex}, read backwards in chunks, or null. */
    private LogEntry findConfigurationBefore(long beforeIndex, long first) {
        long to = beforeIndex - 1;
        while (to >= first) {
            long from = Math.max(first, to - 255);
            List<LogEntry> chunk = new ArrayList<>();
            for (long i = from; i <= to; ) {
                List<LogEntry> part = log.read(i, to, 16L << 20);
                chunk.addAll(part);
                i += part.size();
            }
            for (int k = chunk.size() - 1; k >= 0; k--) {
                LogEntry e = chunk.get(k);
                if (e.type() == EntryType.CONFIGURATION) {
                    return e;
                }
            }
            to = from - 1;
        }
        return null;
    }

    /** Stops the node: pending commands complete as indeterminate, timers stop, the runtime shuts down. */
    public CompletionStage<Void> stop() {
        if (!running) {
            return CompletableFuture.completedFuture(null);
        }
        execute(() -> halt("node stopped"));
        return stoppedFuture;
    }

    private void halt(String reason) {
        if (stoppedFuture.isDone() || halted) {
            return;
        }
        halted = true;
        Role old = role;
        role = Role.STOPPED;
        running = false;
        if (electionTimer != null) {
            electionTimer.cancel();
        }
        if (tickTimer != null) {
            tickTimer.cancel();
        }
        for (PendingCommand p : pendingByIndex.values()) {
            if (p.future() != null) {
                complete(p.future(), new CommandResult.Indeterminate(reason));
            }
        }
        pendingByIndex.clear();
        for (PendingForward p : forwarded.values()) {
            complete(p.future(), new CommandResult.Indeterminate(reason));
        }
        forwarded.clear();
        ClientCommand c;
        while ((c = submitted.poll()) != null) {
            complete(c.future(), new CommandResult.Retry(reason));
        }
        transport.stop();
        publishStatus();
        flushCompletions();
        if (old != Role.STOPPED) {
            notifyListeners(l -> l.onRoleChange(Role.STOPPED, term));
        }
        runtime.callbackExecutor().execute(() -> stoppedFuture.complete(null));
        runtime.shutdown();
    }

    public void addListener(RaftListener listener) {
        listeners.add(Objects.requireNonNull(listener));
    }

    public NodeStatus status() {
        return status;
    }

    public String id() {
        return id;
    }

    /** Messages refused: wrong target, unknown sender, or a member's storage id that does not match. */
    public long refusedMessages() {
        return refusedMessages.get();
    }

    public long storageFailures() {
        return storageFailuresTotal.get();
    }

    public long applyFailures() {
        return applyFailuresTotal.get();
    }

    // =====================================================================================
    // Events: everything below runs on the protocol executor
    // =====================================================================================

    private void execute(Runnable task) {
        try {
            runtime.protocolExecutor().execute(() -> runEvent(task));
        } catch (RejectedExecutionException stopped) {
            // The runtime is shut down: the node no longer runs, so there is nobody to tell.
        }
    }

    private void runEvent(Runnable task) {
        if (!running) {
            return;
        }
        try {
            task.run();
            afterEvent();
        } catch (RuntimeException | Error bug) {
            // A broken invariant inside the engine: stopping is safer than going on with doubtful state.
            LOG.log(Level.ERROR, "node " + id + ": internal error, stopping the node", bug);
            halt("internal error: " + bug);
        }
    }

    /** Work every event may have made possible: write what is pending, apply what is committed. */
    private void afterEvent() {
        if (role != Role.STOPPED) {
            flushWrites();
            maybeApply();
            publishStatus();
        }
        flushCompletions();
    }

    private void receive(RaftMessage message) {
        execute(() -> onMessage(message));
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
            onAppendEntries(r);
        } else if (m instanceof AppendEntriesResponse r) {
            onAppendEntriesResponse(r);
        } else if (m instanceof VoteRequest r) {
            onVoteRequest(r);
        } else if (m instanceof VoteResponse r) {
            onVoteResponse(r);
        } else if (m instanceof ForwardCommand r) {
            onForwardCommand(r);
        } else if (m instanceof ForwardResponse r) {
            onForwardResponse(r);
        }
    }

    /**
     * Refuses senders that are not members, and members whose storage id differs from the one
     * recorded in the configuration (they came back with wiped storage and must be removed and
     * re-added). A node without configuration accepts all: it learns everything from a leader.
     */
    private boolean senderAllowed(RaftMessage m) {
        if (configuration == null) {
            return true;
        }
        Member member = configuration.member(m.from());
        if (member == null) {
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

    private void refuse(RaftMessage m, String why) {
        long n = refusedMessages.incrementAndGet();
        if (Long.bitCount(n) == 1) { // 1, 2, 4, 8...: visible, but a flood cannot drown the log
            LOG.log(Level.WARNING, "node {0} refused {1} from {2}: {3} ({4} refused so far)", id,
                    m.getClass().getSimpleName(), m.from(), why, n);
        }
    }

    // =====================================================================================
    // Elections
    // =====================================================================================

    private long randomElectionTimeout() {
        ClusterSettings s = settings();
        long min = s.electionTimeoutMinMillis() * MILLIS;
        long max = s.electionTimeoutMaxMillis() * MILLIS;
        return min + runtime.random().nextLong(max - min);
    }

    private void resetElectionDeadline() {
        electionDeadlineNanos = runtime.nanoTime() + randomElectionTimeout();
        armElectionTimer(electionDeadlineNanos);
    }

    /** One timer is outstanding at a time; it re-arms itself if the deadline moved while it waited. */
    private void armElectionTimer(long deadline) {
        if (electionTimer == null) {
            long delay = Math.max(0, deadline - runtime.nanoTime());
            electionTimer = runtime.schedule(delay, () -> runEvent(this::onElectionTimer));
        }
    }

    private void onElectionTimer() {
        electionTimer = null;
        if (role == Role.LEADER) {
            return;
        }
        long now = runtime.nanoTime();
        if (now < electionDeadlineNanos) {
            armElectionTimer(electionDeadlineNanos);
            return;
        }
        campaign();
    }

    /** A node that has no configuration (empty storage) or is not a member never campaigns. */
    private void campaign() {
        if (configuration == null || !configuration.isMember(id)) {
            resetElectionDeadline();
            return;
        }
        if (settings().preVote()) {
            startPreVote();
        } else {
            startElection();
        }
    }

    private void startPreVote() {
        setRole(Role.PRE_CANDIDATE);
        setLeader(null);
        votes.clear();
        votes.add(id);
        resetElectionDeadline();
        LOG.log(Level.DEBUG, "node {0} asks for pre-votes for term {1}", id, term + 1);
        for (Member m : configuration.members()) {
            if (!m.id().equals(id)) {
                send(new VoteRequest(id, m.id(), storageId, term + 1, lastIndex(), lastTerm(), true, false));
            }
        }
        if (votes.size() >= configuration.quorum()) {
            startElection();
        }
    }

    private void startElection() {
        setTerm(term + 1);
        votedFor = id;
        hardStateChanged();
        setRole(Role.CANDIDATE);
        setLeader(null);
        votes.clear();
        votes.add(id);
        resetElectionDeadline();
        LOG.log(Level.DEBUG, "node {0} campaigns in term {1}", id, term);
        for (Member m : configuration.members()) {
            if (!m.id().equals(id)) {
                send(new VoteRequest(id, m.id(), storageId, term, lastIndex(), lastTerm(), false, false));
            }
        }
        if (votes.size() >= configuration.quorum()) {
            becomeLeader();
        }
    }

    /**
     * Leader stickiness (with CheckQuorum, as in etcd): a node that heard from a live leader within
     * the minimum election timeout, or is the leader, ignores vote requests that are not part of a
     * leadership transfer, so a node that was cut off cannot depose a healthy leader.
     */
    private boolean inLeaderLease() {
        if (!settings().checkQuorum()) {
            return false;
        }
        if (role == Role.LEADER) {
            return true;
        }
        return leaderId != null
                && runtime.nanoTime() - lastLeaderContactNanos < settings().electionTimeoutMinMillis() * MILLIS;
    }

    private boolean candidateLogUpToDate(VoteRequest r) {
        return r.lastLogTerm() > lastTerm() || (r.lastLogTerm() == lastTerm() && r.lastLogIndex() >= lastIndex());
    }

    private void onVoteRequest(VoteRequest r) {
        if (r.term() < term) {
            send(new VoteResponse(id, r.from(), storageId, term, r.preVote(), false));
            return;
        }
        if (inLeaderLease() && !r.transfer()) {
            send(new VoteResponse(id, r.from(), storageId, term, r.preVote(), false));
            return;
        }
        if (r.preVote()) {
            // A pre-vote changes neither term nor vote: it only asks "would you vote for me?".
            boolean grant = candidateLogUpToDate(r)
                    && (r.term() > term || r.from().equals(votedFor) || (votedFor == null && leaderId == null));
            send(new VoteResponse(id, r.from(), storageId, grant ? r.term() : term, true, grant));
            return;
        }
        if (r.term() > term) {
            becomeFollower(r.term(), null);
        }
        boolean grant = (votedFor == null || votedFor.equals(r.from())) && candidateLogUpToDate(r);
        if (grant) {
            votedFor = r.from();
            hardStateChanged();
            resetElectionDeadline();
        }
        // Held until the vote is durable: a node must never vote twice in a term, across restarts.
        send(new VoteResponse(id, r.from(), storageId, term, false, grant));
    }

    private void onVoteResponse(VoteResponse v) {
        if (v.preVote()) {
            if (!v.granted() && v.term() > term) {
                becomeFollower(v.term(), null);
                return;
            }
            if (role != Role.PRE_CANDIDATE || !v.granted() || v.term() != term + 1) {
                return;
            }
            votes.add(v.from());
            if (votes.size() >= configuration.quorum()) {
                startElection();
            }
            return;
        }
        if (v.term() > term) {
            becomeFollower(v.term(), null);
            return;
        }
        if (role != Role.CANDIDATE || v.term() != term || !v.granted()) {
            return;
        }
        votes.add(v.from());
        if (votes.size() >= configuration.quorum()) {
            becomeLeader();
        }
    }

    private void becomeFollower(long newTerm, String leader) {
        if (newTerm > term) {
            setTerm(newTerm);
            votedFor = null;
            hardStateChanged();
        }
        boolean wasLeader = role == Role.LEADER;
        if (wasLeader) {
            followers.clear();
            LOG.log(Level.INFO, "node {0} steps down in term {1}", id, term);
        }
        setRole(Role.FOLLOWER);
        setLeader(leader);
        if (wasLeader) {
            resetElectionDeadline(); // a leader's election timer was idle
        }
        // Otherwise the deadline stands: only the leader's AppendEntries or a granted vote resets it
        // (Raft paper, section 5.2). So a candidate with a stale log that keeps raising the term (say,
        // its clock runs fast) cannot keep the up-to-date nodes from ever campaigning.
    }

    private void setTerm(long newTerm) {
        term = newTerm;
        leaderMatchedIndex = 0;
        lastAckSent = 0;
        long t = newTerm;
        notifyListeners(l -> l.onTermChange(t));
    }

    private void setRole(Role newRole) {
        if (role != newRole) {
            role = newRole;
            long t = term;
            notifyListeners(l -> l.onRoleChange(newRole, t));
        }
    }

    private void setLeader(String leader) {
        if (!Objects.equals(leaderId, leader)) {
            leaderId = leader;
            long t = term;
            notifyListeners(l -> l.onLeaderChange(leader, t));
        }
    }

    // =====================================================================================
    // Leader: term start, replication, commit
    // =====================================================================================

    private void becomeLeader() {
        setRole(Role.LEADER);
        setLeader(id);
        LOG.log(Level.INFO, "node {0} leads in term {1}", id, term);
        long now = runtime.nanoTime();
        followers.clear();
        for (Member m : configuration.members()) {
            if (!m.id().equals(id)) {
                followers.put(m.id(), new FollowerProgress(m.id(), lastIndex() + 1,
                        settings().maxInflightAppends(), now));
            }
        }
        quorumCheckStartedNanos = now;
        matchChanged = true;
        uncommittedBytes = 0;
        for (long i = Math.max(commitIndex + 1, tail.start()); i <= lastIndex(); i++) {
            uncommittedBytes += tail.get(i).sizeBytes();
        }
        // Raft paper section 8: a leader commits entries of earlier terms only through an entry of its own.
        appendAsLeader(EntryType.NOOP, 0, EMPTY);
        replicateToAll();
        advanceCommit();
    }

    private LogEntry appendAsLeader(EntryType type, long requestId, byte[] data) {
        LogEntry e = LogEntry.of(lastIndex() + 1, term, type, requestId, data);
        appendEntry(e);
        uncommittedBytes += e.sizeBytes();
        return e;
    }

    private void replicateToAll() {
        for (FollowerProgress p : followers.values()) {
            replicateTo(p);
        }
    }

    /**
     * Sends what the follower lacks: in probe, one AppendEntries at a time (possibly empty, to find
     * where the logs match); in replicate, pipelined batches up to the in-flight limit.
     */
    private void replicateTo(FollowerProgress p) {
        ClusterSettings s = settings();
        while (true) {
            if (p.readingStorage) {
                return;
            }
            if (!p.replicating && p.probeSent) {
                return;
            }
            if (p.replicating && p.inflightFull()) {
                return;
            }
            long last = lastIndex();
            if (p.replicating && p.nextIndex > last) {
                return;
            }
            if (p.nextIndex <= last && p.nextIndex < tail.start()) {
                readForFollower(p);
                return;
            }
            long prev = p.nextIndex - 1;
            List<LogEntry> entries = tail.slice(p.nextIndex, last, s.maxEntriesPerAppend(), s.maxBytesPerAppend());
            send(new AppendEntries(id, p.id, storageId, term, prev, terms.termAt(prev), commitIndex, entries));
            if (!p.replicating) {
                p.probeSent = true;
                return;
            }
            p.nextIndex = prev + entries.size() + 1;
            p.addInflight(p.nextIndex - 1);
        }
    }

    /** Entries no longer in memory are read on the storage executor; they are committed, so immutable. */
    private void readForFollower(FollowerProgress p) {
        p.readingStorage = true;
        long from = p.nextIndex;
        long to = Math.min(tail.start() - 1, from + settings().maxEntriesPerAppend() - 1);
        long maxBytes = settings().maxBytesPerAppend();
        long readTerm = term;
        String follower = p.id;
        runtime.storageExecutor().execute(() -> {
            List<LogEntry> entries;
            try {
                entries = log.read(from, to, maxBytes);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "node " + id + ": reading entries " + from + ".." + to + " for " + follower
                        + " failed", e);
                entries = null;
            }
            List<LogEntry> read = entries;
            execute(() -> onFollowerEntriesRead(follower, readTerm, from, read));
        });
    }

    private void onFollowerEntriesRead(String follower, long readTerm, long from, List<LogEntry> entries) {
        FollowerProgress p = followers.get(follower);
        if (role != Role.LEADER || term != readTerm || p == null) {
            return;
        }
        p.readingStorage = false;
        if (entries != null && !entries.isEmpty() && p.nextIndex == from) {
            long prev = from - 1;
            send(new AppendEntries(id, follower, storageId, term, prev, terms.termAt(prev), commitIndex, entries));
            if (p.replicating) {
                p.nextIndex = prev + entries.size() + 1;
                p.addInflight(p.nextIndex - 1);
            } else {
                p.probeSent = true;
            }
        }
        replicateTo(p);
    }

    private void onAppendEntriesResponse(AppendEntriesResponse r) {
        if (r.term() > term) {
            becomeFollower(r.term(), null);
            return;
        }
        if (role != Role.LEADER || r.term() < term) {
            return;
        }
        FollowerProgress p = followers.get(r.from());
        if (p == null) {
            return;
        }
        seenStorageIds.put(r.from(), r.fromStorageId());
        p.lastContactNanos = runtime.nanoTime();
        if (r.success()) {
            if (r.matchIndex() > p.matchIndex) {
                p.matchIndex = Math.min(r.matchIndex(), lastIndex());
                matchChanged = true;
                p.freeInflightUpTo(p.matchIndex);
                advanceCommit();
            }
            if (!p.replicating) {
                p.becomeReplicate();
            }
        } else {
            // Fast back-off: skip the follower's whole conflicting term, or jump to its end of log.
            long next;
            if (r.conflictTerm() > 0) {
                long lastOfTerm = terms.lastIndexOfTerm(r.conflictTerm());
                next = lastOfTerm > 0 ? lastOfTerm + 1 : r.conflictIndex();
            } else {
                next = r.lastIndex() + 1;
            }
            p.becomeProbe(Math.min(next, lastIndex() + 1));
        }
        replicateTo(p);
    }

    /**
     * Commit by counting replicas, only for an entry of the leader's own term (Raft paper, Figure 8),
     * and counting the leader itself only up to its own durable index.
     */
    private void advanceCommit() {
        if (role != Role.LEADER) {
            return;
        }
        List<Member> members = configuration.members();
        long[] match = new long[members.size()];
        int k = 0;
        for (Member m : members) {
            if (m.id().equals(id)) {
                match[k++] = durableIndex;
            } else {
                FollowerProgress p = followers.get(m.id());
                match[k++] = p == null ? 0 : p.matchIndex;
            }
        }
        Arrays.sort(match);
        long n = match[match.length - configuration.quorum()];
        if (n > commitIndex && terms.termAt(n) == term) {
            setCommitIndex(n);
        }
    }

    private void setCommitIndex(long n) {
        if (role == Role.LEADER) {
            for (long i = Math.max(commitIndex + 1, tail.start()); i <= n; i++) {
                uncommittedBytes -= tail.get(i).sizeBytes();
            }
        }
        commitIndex = n;
        // Configurations older than the newest committed one can no longer come back.
        Long committed = configurations.floorKey(n);
        if (committed != null) {
            configurations.headMap(committed, false).clear();
        }
    }

    private void tickAsLeader(long now) {
        ClusterSettings s = settings();
        if (s.checkQuorum() && now - quorumCheckStartedNanos >= s.electionTimeoutMinMillis() * MILLIS) {
            int heard = configuration.isMember(id) ? 1 : 0;
            for (FollowerProgress p : followers.values()) {
                if (p.lastContactNanos >= quorumCheckStartedNanos && configuration.isMember(p.id)) {
                    heard++;
                }
            }
            if (heard < configuration.quorum()) {
                LOG.log(Level.INFO, "node {0} heard from {1} of {2} members within the election timeout:"
                        + " stepping down (CheckQuorum)", id, heard, configuration.members().size());
                becomeFollower(term, null);
                return;
            }
            quorumCheckStartedNanos = now;
        }
        for (FollowerProgress p : followers.values()) {
            // A pipeline that made no progress over a whole tick lost a message: probe again from the match.
            boolean stalled = p.matchIndex == p.matchAtLastTick;
            if (p.replicating && p.inflightCount() > 0 && stalled) {
                p.becomeProbe(p.matchIndex + 1);
            } else if (!p.replicating && p.probeSent && stalled) {
                p.probeSent = false;
            }
            p.matchAtLastTick = p.matchIndex;
            replicateTo(p);
            // The heartbeat: anchored at the match index, which the follower is known to hold.
            send(new AppendEntries(id, p.id, storageId, term, p.matchIndex, terms.termAt(p.matchIndex),
                    commitIndex, List.of()));
        }
        recordLearnedStorageIds();
    }

    /**
     * Records members' storage ids in the configuration the first time the leader learns them, so a
     * member that later comes back with wiped storage is recognised and refused. One configuration
     * entry at a time: only when the last one is committed.
     */
    private void recordLearnedStorageIds() {
        if (configurationIndex > commitIndex) {
            return;
        }
        ClusterConfiguration updated = configuration;
        for (Member m : configuration.members()) {
            if (m.storageId() != 0) {
                continue;
            }
            Long seen = m.id().equals(id) ? Long.valueOf(storageId) : seenStorageIds.get(m.id());
            if (seen != null && seen != 0) {
                updated = updated.withStorageId(m.id(), seen);
            }
        }
        if (updated != configuration) {
            appendAsLeader(EntryType.CONFIGURATION, 0, ConfigurationCodec.encode(updated));
            replicateToAll();
        }
    }

    // =====================================================================================
    // Follower: AppendEntries
    // =====================================================================================

    private void onAppendEntries(AppendEntries ae) {
        if (ae.term() < term) {
            // Tells a stale leader there is a newer term, so it steps down.
            send(new AppendEntriesResponse(id, ae.from(), storageId, term, false, 0, 0, 0, lastIndex()));
            return;
        }
        if (ae.term() == term && role == Role.LEADER) {
            // Two leaders in one term cannot happen unless a peer is broken: never yield to it.
            refuse(ae, "this node leads term " + term);
            return;
        }
        if (ae.term() > term || role != Role.FOLLOWER) {
            becomeFollower(ae.term(), ae.from());
        } else {
            setLeader(ae.from());
        }
        resetElectionDeadline();
        lastLeaderContactNanos = runtime.nanoTime();
        String malformed = malformedEntries(ae);
        if (malformed != null) {
            refuse(ae, malformed);
            return;
        }
        long prev = ae.prevLogIndex();
        if (prev > lastIndex()) {
            rejectAppend(ae.from(), 0, lastIndex() + 1);
            return;
        }
        long localPrevTerm = terms.termAt(prev);
        if (localPrevTerm != ae.prevLogTerm()) {
            rejectAppend(ae.from(), localPrevTerm, terms.firstIndexOfRunAt(prev));
            return;
        }
        List<LogEntry> entries = ae.entries();
        int i = 0;
        for (; i < entries.size(); i++) {
            LogEntry e = entries.get(i);
            if (e.index() > lastIndex()) {
                break;
            }
            if (terms.termAt(e.index()) != e.term()) {
                if (e.index() <= commitIndex) {
                    // Only a broken leader can ask this: never truncate a committed entry.
                    LOG.log(Level.ERROR, "node {0}: leader {1} of term {2} conflicts with committed entry {3};"
                            + " refused", id, ae.from(), ae.term(), e.index());
                    refuse(ae, "conflicts with a committed entry");
                    return;
                }
                truncateFrom(e.index());
                break;
            }
            // Same index and term: the same entry (Log Matching). A stale or duplicated request never truncates.
        }
        for (; i < entries.size(); i++) {
            appendEntry(entries.get(i));
        }
        leaderMatchedIndex = Math.max(leaderMatchedIndex, ae.lastIndex());
        long newCommit = Math.min(ae.leaderCommit(), leaderMatchedIndex);
        if (newCommit > commitIndex) {
            setCommitIndex(newCommit);
        }
        if (entries.isEmpty() || ackableIndex() >= ae.lastIndex()) {
            sendAck();
        }
        // Otherwise the acknowledgement goes out when the entries are durable (onWritten).
    }

    private String malformedEntries(AppendEntries ae) {
        long expect = ae.prevLogIndex() + 1;
        long lastTermSeen = ae.prevLogTerm();
        for (LogEntry e : ae.entries()) {
            if (e.index() != expect++) {
                return "entries are not contiguous after " + ae.prevLogIndex();
            }
            if (e.term() < lastTermSeen || e.term() > ae.term()) {
                return "entry " + e.index() + " has term " + e.term() + " out of order";
            }
            lastTermSeen = e.term();
        }
        if (ae.prevLogIndex() < 0 || ae.leaderCommit() < 0) {
            return "negative index";
        }
        return null;
    }

    /** The index this follower can acknowledge: durable, and known to match the current leader. */
    private long ackableIndex() {
        return Math.min(durableIndex, leaderMatchedIndex);
    }

    private void sendAck() {
        long ack = ackableIndex();
        lastAckSent = Math.max(lastAckSent, ack);
        send(new AppendEntriesResponse(id, leaderId, storageId, term, true, ack, 0, 0, lastIndex()));
    }

    private void rejectAppend(String leader, long conflictTerm, long conflictIndex) {
        send(new AppendEntriesResponse(id, leader, storageId, term, false, ackableIndex(), conflictTerm,
                conflictIndex, lastIndex()));
    }

    // =====================================================================================
    // The local log: append, truncate, configuration in force
    // =====================================================================================

    private long lastIndex() {
        return terms.lastIndex();
    }

    private long lastTerm() {
        return terms.lastTerm();
    }

    private void appendEntry(LogEntry e) {
        terms.append(e.index(), e.term());
        tail.append(e);
        if (e.requestId() != 0) {
            requestPositions.put(e.requestId(), new long[] {e.index(), e.term()});
        }
        if (e.type() == EntryType.CONFIGURATION) {
            ClusterConfiguration c = decodeConfiguration(e);
            configurations.put(e.index(), c);
            configuration = c;
            configurationIndex = e.index();
        }
    }

    /** Drops the suffix from {@code index}: not yet durable by definition, and reverts its configurations. */
    private void truncateFrom(long index) {
        LOG.log(Level.DEBUG, "node {0} truncates its log from {1}", id, index);
        terms.truncateFrom(index);
        tail.truncateFrom(index);
        writeFrom = Math.min(writeFrom, index);
        durableIndex = Math.min(durableIndex, index - 1);
        if (configurationIndex >= index) {
            configurations.tailMap(index, true).clear();
            if (configurations.isEmpty()) {
                configuration = null;
                configurationIndex = 0;
            } else {
                configurationIndex = configurations.lastKey();
                configuration = configurations.lastEntry().getValue();
            }
        }
    }

    private ClusterConfiguration decodeConfiguration(LogEntry e) {
        return ConfigurationCodec.decode(e.data());
    }

    private ClusterSettings settings() {
        if (configuration != null) {
            return configuration.settings();
        }
        return nodeConfig.bootstrap() != null ? nodeConfig.bootstrap().settings() : ClusterSettings.DEFAULTS;
    }

    // =====================================================================================
    // Storage: group commit, durable index, hard state
    // =====================================================================================

    private void hardStateChanged() {
        hardStateVersion++;
        hardStateUnwritten = true;
    }

    /** Messages wait while the term or vote they depend on is not durable. */
    private void send(RaftMessage m) {
        if (durableHardStateVersion != hardStateVersion) {
            heldForHardState.add(m);
            return;
        }
        try {
            transport.send(m);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "node " + id + ": transport failed to send " + m.getClass().getSimpleName()
                    + " to " + m.to(), e);
        }
    }

    /**
     * Group commit: one write in flight; everything that became pending meanwhile goes in the next one
     * (a single {@code append}, which also replaces any conflicting suffix).
     */
    private void flushWrites() {
        if (writeInFlight || (storageRetryAtNanos != 0 && runtime.nanoTime() < storageRetryAtNanos)) {
            return;
        }
        boolean entries = writeFrom <= lastIndex();
        if (!entries && !hardStateUnwritten) {
            return;
        }
        List<LogEntry> batch = entries
                ? tail.slice(writeFrom, lastIndex(), Integer.MAX_VALUE, Long.MAX_VALUE)
                : List.of();
        HardState hard = hardStateUnwritten ? new HardState(term, votedFor) : null;
        long version = hardStateVersion;
        hardStateUnwritten = false;
        writeFrom = lastIndex() + 1;
        writeInFlight = true;
        runtime.storageExecutor().execute(() -> {
            try {
                if (hard != null) {
                    log.saveHardState(hard);
                }
                if (!batch.isEmpty()) {
                    log.append(batch);
                }
                execute(() -> onWritten(hard != null, version, batch));
            } catch (RuntimeException e) {
                execute(() -> onWriteFailed(hard != null, batch, e));
            }
        });
    }

    private void onWritten(boolean hardStateWritten, long version, List<LogEntry> batch) {
        writeInFlight = false;
        storageFailures = 0;
        storageRetryAtNanos = 0;
        if (hardStateWritten) {
            durableHardStateVersion = Math.max(durableHardStateVersion, version);
            if (durableHardStateVersion == hardStateVersion && !heldForHardState.isEmpty()) {
                List<RaftMessage> held = new ArrayList<>(heldForHardState);
                heldForHardState.clear();
                for (RaftMessage m : held) {
                    send(m);
                }
            }
        }
        if (!batch.isEmpty()) {
            LogEntry last = batch.get(batch.size() - 1);
            // Only if the log still holds that very entry: a late completion must not confirm a rewrite.
            if (last.index() <= lastIndex() && terms.termAt(last.index()) == last.term()
                    && last.index() > durableIndex) {
                durableIndex = last.index();
            }
        }
        if (role == Role.LEADER) {
            advanceCommit();
        } else if (role == Role.FOLLOWER && leaderId != null && ackableIndex() > lastAckSent) {
            sendAck();
        }
    }

    private void onWriteFailed(boolean hardStateWritten, List<LogEntry> batch, RuntimeException e) {
        writeInFlight = false;
        storageFailures++;
        storageFailuresTotal.incrementAndGet();
        if (hardStateWritten) {
            hardStateUnwritten = true;
        }
        if (!batch.isEmpty()) {
            writeFrom = Math.min(writeFrom, Math.min(batch.get(0).index(), lastIndex() + 1));
        }
        long backoff = Math.min(5_000, 10L << Math.min(storageFailures, 9)) * MILLIS;
        storageRetryAtNanos = runtime.nanoTime() + backoff;
        LOG.log(Level.WARNING, "node " + id + ": storage write failed (" + storageFailures + " in a row); nothing"
                + " is acknowledged until it succeeds; retrying in " + backoff / MILLIS + " ms", e);
        runtime.schedule(backoff, () -> runEvent(() -> { }));
    }

    // =====================================================================================
    // Apply
    // =====================================================================================

    /** Applies in log order, never past the durable index, one batch in flight on the apply executor. */
    private void maybeApply() {
        if (applyInFlight || (applyRetryAtNanos != 0 && runtime.nanoTime() < applyRetryAtNanos)) {
            return;
        }
        long upTo = Math.min(commitIndex, durableIndex);
        if (appliedIndex >= upTo) {
            return;
        }
        long from = appliedIndex + 1;
        long to = Math.min(upTo, from + MAX_APPLY_BATCH - 1);
        LogEntry[] batch = new LogEntry[(int) (to - from + 1)];
        for (long i = from; i <= to; i++) {
            batch[(int) (i - from)] = tail.get(i);
        }
        applyInFlight = true;
        runtime.applyExecutor().execute(() -> {
            ApplyOutcome outcome = applyBatch(batch);
            execute(() -> onApplied(outcome));
        });
    }

    /** Runs on the apply executor. */
    private ApplyOutcome applyBatch(LogEntry[] batch) {
        CommandResult[] results = new CommandResult[batch.length];
        for (int k = 0; k < batch.length; k++) {
            LogEntry e = batch[k];
            try {
                if (e.type() == EntryType.COMMAND) {
                    byte[] result = stateMachine.apply(e.index(), e.data());
                    results[k] = new CommandResult.Ok(e.index(), result == null ? EMPTY : result);
                } else {
                    stateMachine.recordApplied(e.index());
                }
            } catch (RejectedCommandException rejected) {
                try {
                    stateMachine.recordApplied(e.index());
                } catch (RuntimeException recordFailed) {
                    return new ApplyOutcome(batch, results, k, recordFailed);
                }
                results[k] = new CommandResult.ApplicationError(e.index(), String.valueOf(rejected.getMessage()));
            } catch (RuntimeException failure) {
                return new ApplyOutcome(batch, results, k, failure);
            }
        }
        return new ApplyOutcome(batch, results, batch.length, null);
    }

    private record ApplyOutcome(LogEntry[] batch, CommandResult[] results, int applied, RuntimeException failure) {
    }

    private void onApplied(ApplyOutcome outcome) {
        applyInFlight = false;
        for (int k = 0; k < outcome.applied(); k++) {
            LogEntry e = outcome.batch()[k];
            appliedIndex = e.index();
            resolvePending(e, outcome.results()[k]);
        }
        if (outcome.failure() == null) {
            applyFailures = 0;
            fatalApplyFailures = 0;
            applyRetryAtNanos = 0;
        } else {
            onApplyFailed(outcome.batch()[outcome.applied()], outcome.failure());
        }
        long evictUpTo = Math.min(appliedIndex, durableIndex) - nodeConfig.maxTailEntries();
        if (evictUpTo >= tail.start()) {
            tail.evictUpTo(evictUpTo);
        }
    }

    private void onApplyFailed(LogEntry entry, RuntimeException failure) {
        applyFailuresTotal.incrementAndGet();
        applyFailures++;
        boolean transientFailure = failure instanceof TransientApplyException;
        if (!transientFailure) {
            fatalApplyFailures++;
            if (fatalApplyFailures >= FATAL_APPLY_ATTEMPTS) {
                String reason = "applying entry " + entry.index() + " (term " + entry.term() + ") failed "
                        + fatalApplyFailures + " times: " + failure;
                LOG.log(Level.ERROR, "node " + id + ": " + reason + "; marking the log broken and stopping", failure);
                markBrokenAndStop(reason);
                return;
            }
        }
        long backoff = Math.min(5_000, 10L << Math.min(applyFailures, 9)) * MILLIS;
        applyRetryAtNanos = runtime.nanoTime() + backoff;
        LOG.log(Level.WARNING, "node " + id + ": applying entry " + entry.index() + " failed ("
                + (transientFailure ? "transient" : "attempt " + fatalApplyFailures + " of " + FATAL_APPLY_ATTEMPTS)
                + "); retrying in " + backoff / MILLIS + " ms", failure);
        runtime.schedule(backoff, () -> runEvent(() -> { }));
    }

    /** Stops taking part at once (no event runs any more), and halts once the mark is durable. */
    private void markBrokenAndStop(String reason) {
        running = false;
        runtime.storageExecutor().execute(() -> {
            try {
                log.markBroken(reason);
            } catch (RuntimeException e) {
                LOG.log(Level.ERROR, "node " + id + ": could not mark the log broken", e);
            }
            runtime.protocolExecutor().execute(() -> halt("log marked broken: " + reason));
        });
    }

    private void resolvePending(LogEntry applied, CommandResult outcome) {
        if (pendingByIndex.isEmpty()) {
            return;
        }
        PendingCommand p = pendingByIndex.remove(applied.index());
        if (p != null) {
            resolve(p, applied, outcome);
        }
        if (applied.term() > overwriteCheckedTerm) {
            // A committed entry of term T at index i: no entry of an older term at an index beyond i can
            // ever commit (terms never decrease along a log), so those commands are settled now.
            overwriteCheckedTerm = applied.term();
            for (Iterator<PendingCommand> it = pendingByIndex.tailMap(applied.index(), false).values().iterator();
                 it.hasNext(); ) {
                PendingCommand older = it.next();
                if (older.term() < applied.term()) {
                    it.remove();
                    resolve(older, applied, null);
                }
            }
        }
    }

    private void resolve(PendingCommand p, LogEntry applied, CommandResult outcome) {
        CommandResult result;
        if (p.term() == applied.term()) {
            result = outcome != null ? outcome : new CommandResult.Ok(applied.index(), EMPTY);
        } else if (p.forwardedBy() == null) {
            // Another leader's entry is committed at this index: ours can never be (Log Matching).
            result = new CommandResult.Retry("overwritten by a newer leader's entry; it was not committed");
        } else {
            // A transport duplicate of the forward may have been appended elsewhere: not certain.
            result = new CommandResult.Indeterminate("the leader that took it lost its leadership");
        }
        if (p.future() != null) {
            complete(p.future(), result);
        } else {
            send(new ForwardResponse(id, p.forwardedBy(), storageId, term, p.requestId(), result));
        }
    }

    // =====================================================================================
    // Clients: submit, forward, back-pressure, time-outs
    // =====================================================================================

    private record ClientCommand(byte[] command, CompletableFuture<CommandResult> future) {
    }

    /** Thread-safe. Commands queue up and are taken in one protocol event, which batches them naturally. */
    public CompletionStage<CommandResult> submit(byte[] command) {
        Objects.requireNonNull(command, "command");
        CompletableFuture<CommandResult> f = new CompletableFuture<>();
        if (!running) {
            f.complete(new CommandResult.Retry("node " + id + " is not running"));
            return f;
        }
        submitted.add(new ClientCommand(command, f));
        if (drainScheduled.compareAndSet(false, true)) {
            try {
                runtime.protocolExecutor().execute(() -> runEvent(this::drainSubmitted));
            } catch (RejectedExecutionException stopped) {
                drainScheduled.set(false);
                ClientCommand c;
                while ((c = submitted.poll()) != null) {
                    c.future().complete(new CommandResult.Retry("node " + id + " is not running"));
                }
            }
        }
        return f;
    }

    private void drainSubmitted() {
        drainScheduled.set(false);
        boolean appended = false;
        ClientCommand c;
        while ((c = submitted.poll()) != null) {
            appended |= handleSubmit(c);
        }
        if (appended) {
            replicateToAll();
            advanceCommit();
        }
    }

    private boolean handleSubmit(ClientCommand c) {
        long deadline = runtime.nanoTime() + nodeConfig.commandTimeout().toNanos();
        if (role == Role.LEADER) {
            CommandResult refusal = backPressure(c.command().length);
            if (refusal != null) {
                complete(c.future(), refusal);
                return false;
            }
            LogEntry e = appendAsLeader(EntryType.COMMAND, 0, c.command());
            trackPending(e, new PendingCommand(term, c.future(), null, 0, deadline));
            return true;
        }
        if (role == Role.FOLLOWER && leaderId != null) {
            if (!nodeConfig.forwardToLeader()) {
                complete(c.future(), new CommandResult.Redirect(leaderId));
                return false;
            }
            long requestId = newRequestId();
            forwarded.put(requestId, new PendingForward(c.future(), deadline));
            send(new ForwardCommand(id, leaderId, storageId, term, requestId, c.command()));
            return false;
        }
        complete(c.future(), new CommandResult.Retry("no leader known to node " + id));
        return false;
    }

    private long newRequestId() {
        long r;
        do {
            r = runtime.random().nextLong();
        } while (r == 0 || forwarded.containsKey(r));
        return r;
    }

    /** Refuses new commands, rather than grow memory without bound, past the configured limits. */
    private CommandResult backPressure(int commandBytes) {
        ClusterSettings s = settings();
        if (uncommittedBytes + commandBytes + LogEntry.OVERHEAD_BYTES > s.maxUncommittedBytes()) {
            return new CommandResult.Retry("too many uncommitted bytes (" + uncommittedBytes + ")");
        }
        if (commitIndex - appliedIndex >= s.maxApplyBacklog()) {
            return new CommandResult.Retry("apply backlog full (" + (commitIndex - appliedIndex) + " entries)");
        }
        return null;
    }

    /**
     * One hop only: a node that is not the leader answers, it never forwards again.
     *
     * <p>Transports duplicate, and a duplicate comes to the same node. So a request id this node has
     * seen (appended, received in an entry, or refused) is never appended again, even if its entry was
     * since truncated here (it may still commit from another log), and never answered again: the
     * first answer stands, so a Retry is never followed by an append of the same command.
     */
    private void onForwardCommand(ForwardCommand fc) {
        if (requestPositions.containsKey(fc.requestId())) {
            return;
        }
        if (role != Role.LEADER) {
            CommandResult answer = leaderId != null && !leaderId.equals(fc.from())
                    ? new CommandResult.Redirect(leaderId)
                    : new CommandResult.Retry("node " + id + " is not the leader");
            refuseForward(fc, answer);
            return;
        }
        CommandResult refusal = backPressure(fc.command().length);
        if (refusal != null) {
            refuseForward(fc, refusal);
            return;
        }
        long deadline = runtime.nanoTime() + nodeConfig.commandTimeout().toNanos();
        LogEntry e = appendAsLeader(EntryType.COMMAND, fc.requestId(), fc.command());
        trackPending(e, new PendingCommand(term, null, fc.from(), fc.requestId(), deadline));
        replicateToAll();
        advanceCommit();
    }

    /**
     * Remembers who awaits {@code e}. A command of an earlier leadership of this node may still wait on
     * the same index (its entry was truncated here, yet may commit from another log): it is settled as
     * indeterminate rather than forgotten.
     */
    private void trackPending(LogEntry e, PendingCommand p) {
        PendingCommand earlier = pendingByIndex.put(e.index(), p);
        if (earlier != null) {
            CommandResult r = new CommandResult.Indeterminate("its entry was replaced on this node; it may "
                    + "still commit from another log");
            if (earlier.future() != null) {
                complete(earlier.future(), r);
            } else {
                send(new ForwardResponse(id, earlier.forwardedBy(), storageId, term, earlier.requestId(), r));
            }
        }
    }

    private void refuseForward(ForwardCommand fc, CommandResult answer) {
        requestPositions.put(fc.requestId(), REFUSED);
        send(new ForwardResponse(id, fc.from(), storageId, term, fc.requestId(), answer));
    }

    private void onForwardResponse(ForwardResponse fr) {
        PendingForward p = forwarded.remove(fr.requestId());
        if (p != null) {
            complete(p.future(), fr.result());
        }
    }

    private void expireCommands(long now) {
        for (Iterator<PendingCommand> it = pendingByIndex.values().iterator(); it.hasNext(); ) {
            PendingCommand p = it.next();
            if (p.deadlineNanos() <= now) {
                it.remove();
                if (p.future() != null) {
                    complete(p.future(), new CommandResult.Indeterminate("timed out; it may still commit"));
                }
            }
        }
        for (Iterator<PendingForward> it = forwarded.values().iterator(); it.hasNext(); ) {
            PendingForward p = it.next();
            if (p.deadlineNanos() > now) {
                break; // insertion order is deadline order
            }
            it.remove();
            complete(p.future(), new CommandResult.Indeterminate("forwarded to the leader, no answer in time"));
        }
    }

    /** Queues a completion; the event's completions go to the callback executor together, at its end. */
    private void complete(CompletableFuture<CommandResult> future, CommandResult result) {
        completions.add(future);
        completions.add(result);
    }

    /**
     * Never on the protocol thread: user callbacks chained on a future run where it completes. One
     * callback task per event, not per command.
     */
    @SuppressWarnings("unchecked")
    private void flushCompletions() {
        if (completions.isEmpty()) {
            return;
        }
        Object[] batch = completions.toArray();
        completions.clear();
        Runnable task = () -> {
            for (int i = 0; i < batch.length; i += 2) {
                ((CompletableFuture<CommandResult>) batch[i]).complete((CommandResult) batch[i + 1]);
            }
        };
        try {
            runtime.callbackExecutor().execute(task);
        } catch (RejectedExecutionException stopped) {
            task.run();
        }
    }

    // =====================================================================================
    // Tick: heartbeats, CheckQuorum, time-outs
    // =====================================================================================

    private void scheduleTick() {
        tickTimer = runtime.schedule(settings().heartbeatMillis() * MILLIS, () -> runEvent(this::onTick));
    }

    private void onTick() {
        long now = runtime.nanoTime();
        if (role == Role.LEADER) {
            tickAsLeader(now);
        }
        expireCommands(now);
        scheduleTick();
    }

    // =====================================================================================
    // Status and listeners
    // =====================================================================================

    /** A new status only when something in it changed: most events under load change one index. */
    private void publishStatus() {
        Map<String, Long> match = publishedMatch;
        if (role != Role.LEADER) {
            match = Map.of();
        } else if (matchChanged) {
            Map<String, Long> m = new HashMap<>();
            for (FollowerProgress p : followers.values()) {
                m.put(p.id, p.matchIndex);
            }
            match = Map.copyOf(m);
            matchChanged = false;
        }
        publishedMatch = match;
        NodeStatus s = status;
        if (s.role() == role && s.term() == term && Objects.equals(s.leaderId(), leaderId)
                && s.lastIndex() == lastIndex() && s.lastTerm() == lastTerm() && s.commitIndex() == commitIndex
                && s.durableIndex() == durableIndex && s.appliedIndex() == appliedIndex && s.matchIndex() == match) {
            return;
        }
        status = new NodeStatus(id, role, term, leaderId, lastIndex(), lastTerm(), commitIndex, durableIndex,
                appliedIndex, match);
    }

    private void notifyListeners(Consumer<RaftListener> call) {
        if (listeners.isEmpty()) {
            return;
        }
        try {
            runtime.callbackExecutor().execute(() -> {
                for (RaftListener l : listeners) {
                    try {
                        call.accept(l);
                    } catch (RuntimeException e) {
                        LOG.log(Level.WARNING, "node " + id + ": a listener failed", e);
                    }
                }
            });
        } catch (RejectedExecutionException stopped) {
            // Shut down: listeners are no longer told.
        }
    }
}
