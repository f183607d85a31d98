package org.raftengine.core;

import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.raftengine.core.engine.RaftEngine;
import org.raftengine.core.internal.RuleBreakingNodes;
import org.raftengine.core.runtime.NodeRuntime;
import org.raftengine.core.runtime.ThreadedRuntime;
import org.raftengine.core.spi.RaftLog;
import org.raftengine.core.spi.SnapshotMeta;
import org.raftengine.core.spi.StateMachine;
import org.raftengine.core.spi.Transport;

/**
 * One server of a Raft cluster, running over the application's own log storage ({@link RaftLog}),
 * message transport ({@link Transport}) and state ({@link StateMachine}).
 *
 * <pre>{@code
 * RaftNode node = new RaftNode(RaftNodeConfig.of("n1", "orders"), log, transport, stateMachine);
 * node.start();
 * node.submit(command).thenAccept(result -> ...);
 * }</pre>
 *
 * <p>Exactly one node of a new cluster is started with {@link RaftNodeConfig#withBootstrap}: it writes
 * the first configuration entry. The others start with empty storage and wait to hear from a leader;
 * they never campaign on their own, so wiped nodes can never elect each other.
 *
 * <p>All methods are thread-safe. Futures returned by {@link #submit}, {@link #read}, {@link #transferLeadership}
 * and the configuration changes complete on the node's callback executor, never on its protocol thread.
 */
public final class RaftNode {
    static {
        // The test kit's door to nodes that break rules on purpose: not API, see org.raftengine.core.internal.
        RuleBreakingNodes.grantedBy(RaftNode::new);
    }

    private final RaftEngine engine;

    /**
     * A node on its own threads (see {@link ThreadedRuntime#forLogAndStateMachine}): the log's calls and the
     * applies run on the protocol thread when the log and the state machine say they
     * {@linkplain RaftLog#neverBlocks() never block} (the in-memory log does), on threads of their own
     * otherwise.
     */
    public RaftNode(RaftNodeConfig config, RaftLog log, Transport transport, StateMachine stateMachine) {
        this(config, log, transport, stateMachine,
                ThreadedRuntime.forLogAndStateMachine(config.nodeId(), log, stateMachine));
    }

    /** A node on the given runtime: the deterministic simulator passes its virtual-time one. */
    public RaftNode(RaftNodeConfig config, RaftLog log, Transport transport, StateMachine stateMachine,
                    NodeRuntime runtime) {
        this(new RaftEngine(config, log, transport, stateMachine, runtime));
    }

    private RaftNode(RaftEngine engine) {
        this.engine = engine;
    }

    /** This node's id. */
    public String id() {
        return engine.id();
    }

    /**
     * Reads the log and the state machine's applied index (on the calling thread, before the node runs),
     * bootstraps the cluster if configured to and the log is empty, and starts taking part.
     *
     * @throws LogBrokenException    if the log was marked broken
     * @throws IllegalStateException if already started, or the log and state machine disagree, or a state
     *                               machine that {@link StateMachine#keepsOutcomes() keeps outcomes} failed to
     *                               tell one (naming the index, with the state machine's failure as the cause)
     */
    public void start() {
        engine.start();
    }

    /**
     * Stops the node. Commands still pending complete as {@link CommandResult.Indeterminate}; a command
     * submitted while the node stops is answered too (at worst {@link CommandResult.Retry}).
     *
     * @return completes once the node has stopped and no {@link RaftLog} or {@link StateMachine} call is
     *         running or will begin, so the application may close what they use; also when the node had
     *         stopped by itself (its log marked broken, or an internal error). A log or state machine call
     *         that never returns keeps it from completing.
     */
    public CompletionStage<Void> stop() {
        return engine.stop();
    }

    /**
     * Submits a command for the replicated state machine.
     *
     * <p>A follower forwards it as a command of its own session (one per node run), so a lost forward or
     * answer is re-sent within a few heartbeats rather than waiting the command time-out, and is applied at
     * most once; a command submitted again by the caller after an indeterminate outcome is a new command,
     * though: use a {@link ClientSession} for that.
     *
     * <p>On the leader the command is appended and completes once applied. A follower forwards it to
     * the leader (one hop) unless configured to answer {@link CommandResult.Redirect}. Past the
     * configured limits of uncommitted bytes or apply backlog, the leader answers
     * {@link CommandResult.Retry} at once. After the node's command time-out the outcome is
     * {@link CommandResult.Indeterminate}.
     */
    public CompletionStage<CommandResult> submit(byte[] command) {
        return engine.submit(command);
    }

    /**
     * A linearizable read: runs {@code query} against the state machine once this node has applied at least up
     * to the read index, so it sees every write acknowledged (by any node) before this call, and nothing that
     * was not committed.
     *
     * <p>The read index comes from the leader (ReadIndex, Raft thesis 6.4): its commit index once it has
     * committed an entry of its own term, confirmed by a round of heartbeats that a majority answered after the
     * read arrived. A follower asks the leader for it, then serves the read from its own state machine. Nothing
     * goes into the log. Reads that arrive together share one round. With
     * {@link ClusterSettings#withLeaseReads lease reads} on, a leader within its lease takes its commit index at
     * once, without a round.
     *
     * <p>The query runs on the node's apply executor, between two batches of applies (never in the middle of
     * one), so it must be quick and must not change the state machine; it receives the state machine this node
     * was built with. The stage completes on the callback executor.
     *
     * @param query what to read; its exceptions are caught ({@link ReadResult.QueryFailed})
     * @return {@link ReadResult.Ok} with the query's value, {@link ReadResult.Retry} if it could not be served
     *         (no leader, leadership lost, not confirmed within the command time-out, node stopped), or
     *         {@link ReadResult.QueryFailed}
     */
    public <T> CompletionStage<ReadResult<T>> read(Function<? super StateMachine, ? extends T> query) {
        return engine.read(query);
    }

    /** Linearizable reads this node has served (queries run) so far. */
    public long readsServed() {
        return engine.readsServed();
    }

    /**
     * Reads (its own, or a follower's) that this node, leading, gave a read index on its lease, without a
     * heartbeat round, so far (see {@link ClusterSettings#withLeaseReads}).
     */
    public long leaseReads() {
        return engine.leaseReads();
    }

    /**
     * Hands leadership to {@code targetId} (Raft thesis 3.10). This node must lead: it stops taking new
     * commands (they are answered {@link CommandResult.Retry}), brings the target's log up to its own, then
     * tells it to campaign at once (TimeoutNow); the target's election skips PreVote and overrides the other
     * nodes' leader stickiness. If the target has not taken over within the longest election timeout, this node
     * gives up and, if it still leads, takes commands again.
     *
     * @param targetId the voting member to hand over to
     * @return how it ended: {@link TransferResult.Done} once this node heard from the target as leader, or
     *         {@link TransferResult.NotLeader}, {@link TransferResult.InvalidTarget}, {@link TransferResult.Busy},
     *         {@link TransferResult.TimedOut}, {@link TransferResult.Aborted}; never exceptionally
     * @throws NullPointerException if {@code targetId} is null
     */
    public CompletionStage<TransferResult> transferLeadership(String targetId) {
        return engine.transferLeadership(Objects.requireNonNull(targetId, "targetId"));
    }

    /**
     * As {@link #transferLeadership(String)}, to the voting member whose log is the most up to date (the
     * highest match index the leader knows), so the hand-over waits least.
     */
    public CompletionStage<TransferResult> transferLeadership() {
        return engine.transferLeadership(null);
    }

    /**
     * Adds {@code memberId} as a voter, one server at a time (Raft thesis, chapter 4). This node must lead.
     * A node that is not a member yet is first added as a learner: it starts with empty storage, without
     * {@link RaftNodeConfig#withBootstrap bootstrap}, and learns everything from the leader (through a snapshot
     * if the log was compacted). The learner is then caught up in rounds, and promoted once a round takes less
     * than an election timeout; a learner that cannot keep up stays one ({@link ConfigurationResult.CatchUpFailed}).
     * A member already a voter: {@link ConfigurationResult.Done} at once, so a caller may repeat the call.
     *
     * <p>Only one change runs at a time, and a new leader makes none before it has committed an entry of its
     * own term; a change asked for meanwhile waits for that.
     *
     * @return how it ended, never exceptionally
     * @throws IllegalArgumentException if {@code memberId} is null or blank
     */
    public CompletionStage<ConfigurationResult> addVoter(String memberId) {
        return engine.addVoter(requireId(memberId));
    }

    /**
     * Adds {@code memberId} as a learner: it receives and applies the log, serves reads, but neither votes nor
     * counts toward commits, and never campaigns. {@link #addVoter} promotes it later. A learner already:
     * {@link ConfigurationResult.Done}; a voter: {@link ConfigurationResult.Rejected}.
     *
     * @throws IllegalArgumentException if {@code memberId} is null or blank
     */
    public CompletionStage<ConfigurationResult> addLearner(String memberId) {
        return engine.addLearner(requireId(memberId));
    }

    /**
     * Removes the member {@code memberId}, voter or learner. Removing the leader itself (this node) is allowed:
     * it commits the change without counting its own vote, then steps down and hands over to an up-to-date
     * voter. A removed node is sent nothing more and the members refuse its messages, so it cannot disrupt
     * the cluster; stop it. Not a member: {@link ConfigurationResult.Done}; the only voter:
     * {@link ConfigurationResult.Rejected}.
     *
     * @throws IllegalArgumentException if {@code memberId} is null or blank
     */
    public CompletionStage<ConfigurationResult> removeMember(String memberId) {
        return engine.removeMember(requireId(memberId));
    }

    /**
     * Changes the cluster-wide settings (timeouts, batching, PreVote, CheckQuorum, lease reads...) through the
     * log, so every node runs with the same values: each node uses them from the moment it appends the entry,
     * and goes back to the earlier ones if the entry is truncated. The values were checked when {@code settings}
     * was made ({@link ClusterSettings}).
     *
     * @throws NullPointerException if {@code settings} is null
     */
    public CompletionStage<ConfigurationResult> updateSettings(ClusterSettings settings) {
        return engine.updateSettings(Objects.requireNonNull(settings, "settings"));
    }

    /** Configuration changes this node, leading, saw committed, so far. */
    public long configurationChangesDone() {
        return engine.configurationChangesDone();
    }

    /**
     * Messages refused so far because they came from another incarnation of the cluster: it was bootstrapped
     * twice (see {@link ClusterConfiguration#incarnation()}). Also counted in {@link #refusedMessages()}.
     */
    public long foreignIncarnationRefused() {
        return engine.foreignIncarnationRefused();
    }

    private static String requireId(String memberId) {
        if (memberId == null || memberId.isBlank()) {
            throw new IllegalArgumentException("a member id is needed");
        }
        return memberId;
    }

    /**
     * TimeoutNow messages this node ignored so far: late or duplicated copies of an older term (the transfer
     * they belonged to is over), or sent to a node that cannot campaign. None of them started an election.
     */
    public long timeoutNowIgnored() {
        return engine.timeoutNowIgnored();
    }

    /** Leadership transfers this node began that ended with the target leading, so far. */
    public long transfersDone() {
        return engine.transfersDone();
    }

    /**
     * Opens a client session with a new random client id: its commands are applied at most once even when
     * re-submitted after an indeterminate outcome (see {@link ClientSession}). Opening sends nothing; the
     * session exists in the cluster from its first command on.
     */
    public ClientSession openSession() {
        return new ClientSession(engine, engine.newClientId());
    }

    /**
     * Resumes the session {@code clientId} on this node, typically after failing over from another node:
     * {@link ClientSession#resubmit} its commands whose outcome was indeterminate.
     *
     * @throws IllegalArgumentException if the id is blank
     */
    public ClientSession session(String clientId) {
        return new ClientSession(engine, clientId);
    }

    /**
     * Takes a snapshot of the state machine now, then compacts the log (see {@link SnapshotPolicy}); the
     * node keeps serving meanwhile. Snapshots are also taken automatically by the node's policy.
     *
     * @return completes with the snapshot taken (or the latest one, if nothing was applied since), or
     *         exceptionally with {@link UnsupportedOperationException} if the log or the state machine
     *         does not support snapshots, or with the failure that stopped it
     */
    public CompletionStage<SnapshotMeta> takeSnapshot() {
        return engine.takeSnapshot();
    }

    /** Snapshots this node took of its own state machine so far. */
    public long snapshotsTaken() {
        return engine.snapshotsTaken();
    }

    /** Snapshots this node installed from a leader so far. */
    public long snapshotsInstalled() {
        return engine.snapshotsInstalled();
    }

    /** The node's role, term, leader and indexes, as of its last protocol event. */
    public NodeStatus status() {
        return engine.status();
    }

    /** Adds a listener for role, term, leader and configuration changes and leadership transfers. */
    public void addListener(RaftListener listener) {
        engine.addListener(listener);
    }

    /** Messages refused so far: wrong target, not a member, or a member's storage id that does not match. */
    public long refusedMessages() {
        return engine.refusedMessages();
    }

    /** Log writes that failed so far (database down, disk full): nothing was acknowledged for them. */
    public long storageFailures() {
        return engine.storageFailures();
    }

    /** State machine applies that failed so far (transient or not); each failed entry is retried. */
    public long applyFailures() {
        return engine.applyFailures();
    }
}
