package org.raftengine.core.engine;

import java.lang.System.Logger.Level;
import java.util.HashSet;
import java.util.Set;
import org.raftengine.core.Cancellable;
import org.raftengine.core.ClusterConfiguration;
import org.raftengine.core.ClusterSettings;
import org.raftengine.core.Member;
import org.raftengine.core.Role;
import org.raftengine.core.internal.RuleBreach;
import org.raftengine.core.message.TimeoutNow;
import org.raftengine.core.message.VoteRequest;
import org.raftengine.core.message.VoteResponse;
import org.raftengine.core.runtime.NodeRuntime;

/**
 * Elections: the randomized election timer, PreVote, campaigns, and the votes this node casts, with leader
 * stickiness (a node that hears from a live leader ignores vote requests). Handles {@link VoteRequest},
 * {@link VoteResponse} and {@link TimeoutNow}, the leader's word to campaign at once in a leadership transfer.
 */
final class Elections {
    private static final System.Logger LOG = System.getLogger(RaftEngine.class.getName());
    private static final long MILLIS = 1_000_000L;

    private final RaftEngine engine;
    private final NodeState state;
    private final NodeRuntime runtime;
    private final EventLoop events;
    private final LogView logView;
    private final Outbox outbox;
    private final StoragePipeline storage;

    private long electionDeadlineNanos;
    /** The one election timer outstanding, or null while none is. */
    private Cancellable electionTimer;
    private long lastLeaderContactNanos = Long.MIN_VALUE / 4;
    /** When this incarnation started (see {@link #inLeaderLease}). */
    private long startedNanos = Long.MIN_VALUE / 4;
    /** TimeoutNow messages ignored: late copies, or sent to a node that cannot campaign. */
    private volatile long timeoutNowIgnored;
    /** Votes (or pre-votes) granted to this node in its current campaign, itself included. */
    private final Set<String> votes = new HashSet<>();
    // Deliberately broken rules, for tests of the checkers only (RuleBreach).
    private final boolean breakMajority;
    private final boolean breakOneVote;
    private final boolean breakUpToDateCheck;

    Elections(RaftEngine engine, NodeState state, NodeRuntime runtime, EventLoop events, LogView logView, Outbox outbox,
              StoragePipeline storage) {
        this.engine = engine;
        this.state = state;
        this.runtime = runtime;
        this.events = events;
        this.logView = logView;
        this.outbox = outbox;
        this.storage = storage;
        this.breakMajority = engine.breaks(RuleBreach.LEADER_WITHOUT_MAJORITY);
        this.breakOneVote = engine.breaks(RuleBreach.VOTE_TWICE_IN_A_TERM);
        this.breakUpToDateCheck = engine.breaks(RuleBreach.VOTE_FOR_A_STALE_LOG);
    }

    /**
     * A majority of the configuration's voters, this node's own vote included. Only voters count: a vote from
     * a node that a configuration change made a learner or removed meanwhile does not.
     */
    private boolean haveMajority() {
        ClusterConfiguration configuration = logView.configuration();
        int granted = 0;
        for (String voter : votes) {
            if (configuration.isVoter(voter)) {
                granted++;
            }
        }
        return breakMajority || granted >= configuration.quorum();
    }

    // ---- the election timer

    /** At start: the node that just bootstrapped the cluster campaigns at once, others wait a timeout. */
    void setFirstDeadline(boolean campaignAtOnce) {
        long now = runtime.nanoTime();
        startedNanos = now;
        electionDeadlineNanos = campaignAtOnce ? now : now + randomElectionTimeout();
    }

    /** On the protocol thread, once the node runs. */
    void startTimer() {
        armElectionTimer(electionDeadlineNanos);
    }

    void stopTimer() {
        if (electionTimer != null) {
            electionTimer.cancel();
        }
    }

    private long randomElectionTimeout() {
        ClusterSettings s = logView.settings();
        long min = s.electionTimeoutMinMillis() * MILLIS;
        long max = s.electionTimeoutMaxMillis() * MILLIS;
        return min + runtime.random().nextLong(max - min);
    }

    void resetElectionDeadline() {
        electionDeadlineNanos = runtime.nanoTime() + randomElectionTimeout();
        armElectionTimer(electionDeadlineNanos);
    }

    /** The current leader was heard from: no election for a while, and its lease holds. */
    void heardFromLeader() {
        resetElectionDeadline();
        lastLeaderContactNanos = runtime.nanoTime();
    }

    /** One timer is outstanding at a time; it re-arms itself if the deadline moved while it waited. */
    private void armElectionTimer(long deadline) {
        if (electionTimer == null) {
            long delay = Math.max(0, deadline - runtime.nanoTime());
            electionTimer = events.schedule(delay, this::onElectionTimer);
        }
    }

    private void onElectionTimer() {
        electionTimer = null;
        if (state.role() == Role.LEADER) {
            return;
        }
        long now = runtime.nanoTime();
        if (now < electionDeadlineNanos) {
            armElectionTimer(electionDeadlineNanos);
            return;
        }
        campaign();
    }

    // ---- campaigns

    /**
     * A node that has no configuration (empty storage), is a learner or is not a member (removed, or not yet
     * added) never campaigns; but a voter of the committed configuration whose removal is appended, not yet
     * committed, does: it may hold the only log that can win (a leader that removed itself and restarted before
     * the commit), and the others may be waiting for it. Its votes are counted in the configuration in force,
     * its own not among them; elected, it commits its removal and steps down.
     */
    private void campaign() {
        ClusterConfiguration configuration = logView.configuration();
        if (configuration == null || !(configuration.isVoter(state.id) || removalPending())) {
            resetElectionDeadline();
            return;
        }
        if (logView.settings().preVote()) {
            startPreVote();
        } else {
            startElection(false);
        }
    }

    /** This node is a voter of the committed configuration, and the uncommitted one in force removes it. */
    private boolean removalPending() {
        long commit = logView.commitIndex();
        if (logView.configurationIndex() <= commit) {
            return false;
        }
        ClusterConfiguration committed;
        try {
            committed = logView.configurationAt(commit);
        } catch (IllegalStateException unknown) {
            return false;
        }
        return committed.isVoter(state.id) && !logView.configuration().isMember(state.id);
    }

    /**
     * The leader of {@code t.term()} hands leadership to this node: it campaigns now, in the next term, without
     * PreVote (the leader itself asks, so a pre-vote could only be refused by nodes that still hear it), and its
     * vote requests say {@code transfer}, so voters set leader stickiness aside for this one election. A copy
     * of an older term is ignored: this node has campaigned or seen a newer term since, and a second election
     * would only disrupt the cluster.
     */
    void onTimeoutNow(TimeoutNow t) {
        ClusterConfiguration configuration = logView.configuration();
        if (t.term() < state.term() || state.role() == Role.LEADER || configuration == null
                || !configuration.isVoter(state.id)) {
            timeoutNowIgnored++; // only the protocol thread writes it
            LOG.log(Level.DEBUG, "node {0} ignores TimeoutNow {1} of term {2} from {3} (term {4}, {5})", state.id,
                    t.transferId(), t.term(), t.from(), state.term(), state.role());
            return;
        }
        if (t.term() > state.term()) {
            engine.becomeFollower(t.term(), t.from());
        }
        LOG.log(Level.INFO, "node {0} takes over from {1} (transfer {2}): campaigns in term {3}", state.id, t.from(),
                t.transferId(), state.term() + 1);
        startElection(true);
    }

    /** TimeoutNow messages this node ignored so far; read from any thread (a racy read of a counter). */
    long timeoutNowIgnored() {
        return timeoutNowIgnored;
    }

    private void startPreVote() {
        state.setRole(Role.PRE_CANDIDATE);
        state.setLeader(null);
        votes.clear();
        votes.add(state.id);
        resetElectionDeadline();
        LOG.log(Level.DEBUG, "node {0} asks for pre-votes for term {1}", state.id, state.term() + 1);
        requestVotes(state.term() + 1, true, false);
        if (haveMajority()) {
            startElection(false);
        }
    }

    /** Campaigns in the next term; {@code transfer}: because the leader handed over (see {@link #onTimeoutNow}). */
    private void startElection(boolean transfer) {
        engine.enterTerm(state.term() + 1, state.id);
        state.setRole(Role.CANDIDATE);
        state.setLeader(null);
        votes.clear();
        votes.add(state.id);
        resetElectionDeadline();
        LOG.log(Level.DEBUG, "node {0} campaigns in term {1}", state.id, state.term());
        requestVotes(state.term(), false, transfer);
        if (haveMajority()) {
            engine.becomeLeader();
        }
    }

    private void requestVotes(long term, boolean preVote, boolean transfer) {
        ClusterConfiguration configuration = logView.configuration();
        for (Member m : configuration.members()) {
            if (m.voter() && !m.id().equals(state.id)) {
                outbox.send(new VoteRequest(state.id, m.id(), state.storageId(), term, logView.lastIndex(),
                        logView.lastTerm(), preVote, transfer, configuration.incarnation()));
            }
        }
    }

    // ---- votes

    /**
     * Leader stickiness (with CheckQuorum, as in etcd): a node that heard from a live leader within
     * the minimum election timeout, or is the leader, ignores vote requests that are not part of a
     * leadership transfer, so a node that was cut off cannot depose a healthy leader.
     *
     * <p>With lease reads on, so does a node within the minimum election timeout of starting: before a crash
     * it may have heard from a leader that it no longer remembers, and that leader may be serving lease reads
     * on the promise that this node votes for nobody else meanwhile ({@link ClusterSettings#withLeaseReads}).
     * (It costs an election timeout of availability after a restart, which is why it comes only with leases.)
     */
    private boolean inLeaderLease() {
        ClusterSettings s = logView.settings();
        if (!s.checkQuorum()) {
            return false;
        }
        if (state.role() == Role.LEADER) {
            return true;
        }
        long now = runtime.nanoTime();
        long window = s.electionTimeoutMinMillis() * MILLIS;
        if (s.leaseReads() && now - startedNanos < window) {
            return true;
        }
        return state.leaderId() != null && now - lastLeaderContactNanos < window;
    }

    private boolean candidateLogUpToDate(VoteRequest r) {
        if (breakUpToDateCheck) {
            return true;
        }
        long lastTerm = logView.lastTerm();
        return r.lastLogTerm() > lastTerm || (r.lastLogTerm() == lastTerm && r.lastLogIndex() >= logView.lastIndex());
    }

    void onVoteRequest(VoteRequest r) {
        if (r.term() < state.term()) {
            answerVote(r, state.term(), false);
            return;
        }
        if (inLeaderLease() && !r.transfer()) {
            answerVote(r, state.term(), false);
            return;
        }
        if (r.preVote()) {
            // A pre-vote changes neither term nor vote: it only asks "would you vote for me?".
            String votedFor = state.votedFor();
            boolean grant = candidateLogUpToDate(r) && (r.term() > state.term() || r.from().equals(votedFor)
                    || (votedFor == null && state.leaderId() == null));
            answerVote(r, grant ? r.term() : state.term(), grant);
            return;
        }
        if (r.term() > state.term()) {
            engine.becomeFollower(r.term(), null);
        }
        String votedFor = state.votedFor();
        boolean grant = (votedFor == null || votedFor.equals(r.from()) || breakOneVote) && candidateLogUpToDate(r);
        if (grant) {
            state.setVotedFor(r.from());
            storage.hardStateChanged();
            resetElectionDeadline();
        }
        // Held until the vote is durable: a node must never vote twice in a term, across restarts.
        answerVote(r, state.term(), grant);
    }

    private void answerVote(VoteRequest r, long term, boolean granted) {
        outbox.send(new VoteResponse(state.id, r.from(), state.storageId(), term, r.preVote(), granted));
    }

    void onVoteResponse(VoteResponse v) {
        if (v.preVote()) {
            if (!v.granted() && v.term() > state.term()) {
                engine.becomeFollower(v.term(), null);
                return;
            }
            if (state.role() != Role.PRE_CANDIDATE || !v.granted() || v.term() != state.term() + 1) {
                return;
            }
            votes.add(v.from());
            if (haveMajority()) {
                startElection(false);
            }
            return;
        }
        if (v.term() > state.term()) {
            engine.becomeFollower(v.term(), null);
            return;
        }
        if (state.role() != Role.CANDIDATE || v.term() != state.term() || !v.granted()) {
            return;
        }
        votes.add(v.from());
        if (haveMajority()) {
            engine.becomeLeader();
        }
    }
}
