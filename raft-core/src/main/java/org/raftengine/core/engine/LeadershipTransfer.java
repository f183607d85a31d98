package org.raftengine.core.engine;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.raftengine.core.ClusterConfiguration;
import org.raftengine.core.Role;
import org.raftengine.core.TransferResult;
import org.raftengine.core.message.TimeoutNow;
import org.raftengine.core.runtime.NodeRuntime;

/**
 * The leader's side of a leadership transfer (Raft thesis, section 3.10). While one runs, the leader
 * answers new commands with Retry ({@link #refusesCommands}, asked by {@link ClientCommands}), so its log
 * stops growing; replication brings the target up to the leader's last index as usual; then the leader sends
 * the target {@link TimeoutNow}, which makes it campaign at once (see {@link Elections#onTimeoutNow}). A
 * TimeoutNow that was lost is sent again every tick while the leader still leads that term.
 *
 * <p>How it ends is decided by what this node sees: the target leading a newer term ({@link TransferResult.Done}),
 * another node leading it ({@link TransferResult.NotLeader}), or nothing of the sort within the longest election
 * timeout ({@link TransferResult.TimedOut}): then a leader that still leads takes commands again. Nothing
 * answers TimeoutNow, so no late or duplicated message can confirm a transfer: only a leader's own
 * AppendEntries of a newer term can.
 *
 * <p>One transfer at a time: asked again for the same target, the caller waits on the running one; for
 * another, it is answered {@link TransferResult.Busy}.
 */
final class LeadershipTransfer {
    private static final System.Logger LOG = System.getLogger(RaftEngine.class.getName());
    private static final long MILLIS = 1_000_000L;

    private final NodeState state;
    private final NodeRuntime runtime;
    private final LogView logView;
    private final Outbox outbox;
    private final LeaderReplication leader;
    private final Completions completions;
    private final Listeners listeners;

    /** The transfer under way: its target (null when none runs), the term it began in, its id and deadline. */
    private String target;
    private long term;
    private long transferId;
    private long deadlineNanos;
    private boolean timeoutNowSent;
    private final List<CompletableFuture<TransferResult>> waiting = new ArrayList<>();
    private long transfersBegun;
    /** The last term in which this node sent TimeoutNow: its lease reads end there. */
    private long timeoutNowTerm = -1;
    private final AtomicLong transfersDone = new AtomicLong();

    LeadershipTransfer(NodeState state, NodeRuntime runtime, LogView logView, Outbox outbox, LeaderReplication leader,
                       Completions completions, Listeners listeners) {
        this.state = state;
        this.runtime = runtime;
        this.logView = logView;
        this.outbox = outbox;
        this.leader = leader;
        this.completions = completions;
        this.listeners = listeners;
    }

    /** The target while this node leads and hands over (for the status), else null. */
    String target() {
        return refusesCommands() ? target : null;
    }

    /**
     * True once this node has sent TimeoutNow in its current term: the target's election overrides the voters'
     * stickiness, so no lease holds for the rest of the term (even if the transfer times out: a late copy may
     * still start that election).
     */
    boolean timeoutNowSentThisTerm() {
        return timeoutNowTerm == state.term();
    }

    /** Transfers this node began that ended with the target leading; read from any thread. */
    long transfersDone() {
        return transfersDone.get();
    }

    /**
     * True while this node leads the term a transfer began in: new commands are answered Retry, as they
     * would only delay the target's catching up (and the leader may be gone in a moment).
     */
    boolean refusesCommands() {
        return target != null && state.role() == Role.LEADER && state.term() == term;
    }

    /**
     * An event: begins a transfer to {@code requested} (null: to the most up-to-date voter), or answers at
     * once why it cannot.
     */
    void request(String requested, CompletableFuture<TransferResult> answer) {
        if (state.role() != Role.LEADER) {
            completions.complete(answer, new TransferResult.NotLeader(state.leaderId()));
            return;
        }
        String to = requested != null ? requested : leader.mostUpToDateFollower();
        if (to == null) {
            completions.complete(answer, new TransferResult.InvalidTarget("node " + state.id
                    + " has no other voting member to hand leadership to"));
            return;
        }
        if (to.equals(state.id)) {
            completions.complete(answer, new TransferResult.Done(state.id, state.term()));
            return;
        }
        ClusterConfiguration configuration = logView.configuration();
        if (!configuration.isVoter(to)) {
            completions.complete(answer, new TransferResult.InvalidTarget(to + " is not a voting member of the"
                    + " cluster (voters " + configuration.voters().stream().map(m -> m.id()).toList() + ")"));
            return;
        }
        if (target != null) {
            if (target.equals(to)) {
                waiting.add(answer);
            } else {
                completions.complete(answer, new TransferResult.Busy(target));
            }
            return;
        }
        target = to;
        term = state.term();
        transferId = ++transfersBegun;
        deadlineNanos = runtime.nanoTime() + logView.settings().electionTimeoutMaxMillis() * MILLIS;
        timeoutNowSent = false;
        waiting.add(answer);
        LOG.log(Level.INFO, "node {0} hands leadership of term {1} to {2} (transfer {3}); new commands are"
                + " answered Retry meanwhile", state.id, term, to, transferId);
        String t = to;
        long inTerm = term;
        listeners.tell(l -> l.onTransferStarted(t, inTerm));
        progress();
    }

    /** After every event: the next step, or the end, of the transfer under way. */
    void afterEvent() {
        if (target != null) {
            progress();
        }
    }

    /** Every tick: a TimeoutNow that may have been lost goes again. */
    void onTick() {
        if (target != null && refusesCommands()) {
            timeoutNowSent = false;
            progress();
        }
    }

    private void progress() {
        long now = runtime.nanoTime();
        if (refusesCommands()) {
            if (now - deadlineNanos >= 0) {
                finish(new TransferResult.TimedOut(target + " did not take over within "
                        + logView.settings().electionTimeoutMaxMillis() + " ms; " + state.id + " leads on"));
                return;
            }
            // Only once the target holds everything this leader has: it can then win the election.
            if (!timeoutNowSent && leader.matchIndexOf(target) >= logView.lastIndex()) {
                timeoutNowSent = true;
                timeoutNowTerm = term;
                LOG.log(Level.DEBUG, "node {0}: {1} is up to date at {2}: TimeoutNow (transfer {3})", state.id,
                        target, logView.lastIndex(), transferId);
                outbox.send(new TimeoutNow(state.id, target, state.storageId(), term, transferId));
            }
            return;
        }
        String leaderNow = state.leaderId();
        if (state.term() > term && target.equals(leaderNow)) {
            finish(new TransferResult.Done(target, state.term()));
        } else if (state.term() > term && leaderNow != null && !leaderNow.equals(state.id)) {
            finish(new TransferResult.NotLeader(leaderNow));
        } else if (now - deadlineNanos >= 0) {
            finish(new TransferResult.TimedOut(target + " did not take over within "
                    + logView.settings().electionTimeoutMaxMillis() + " ms" + (leaderNow == null ? ""
                    : "; " + leaderNow + " leads term " + state.term())));
        }
    }

    private void finish(TransferResult result) {
        LOG.log(Level.INFO, "node {0}: leadership transfer {1} to {2}: {3}", state.id, transferId, target, result);
        if (result instanceof TransferResult.Done) {
            transfersDone.incrementAndGet();
        }
        target = null;
        for (CompletableFuture<TransferResult> f : waiting) {
            completions.complete(f, result);
        }
        waiting.clear();
        listeners.tell(l -> l.onTransferEnded(result));
    }

    /** The node halts: a transfer under way ends without a known outcome. */
    void stop(String reason) {
        if (target != null) {
            finish(new TransferResult.Aborted(reason));
        }
    }
}
