package org.raftengine.core.engine;

import java.lang.System.Logger.Level;
import java.util.concurrent.CompletableFuture;
import org.raftengine.core.ClusterConfiguration;
import org.raftengine.core.ClusterSettings;
import org.raftengine.core.ConfigurationResult;
import org.raftengine.core.Member;
import org.raftengine.core.Role;
import org.raftengine.core.runtime.NodeRuntime;
import org.raftengine.core.spi.EntryType;
import org.raftengine.core.wire.ConfigurationCodec;

/**
 * The leader's side of configuration changes: membership one server at a time (Raft thesis, chapter 4) and
 * cluster settings, both as configuration entries that take effect on every node when appended.
 *
 * <p>The rules, each in one place here:
 * <ul>
 *   <li>One change at a time, and only by a leader that has committed an entry of its own term (the 2015 errata
 *   of the single-server algorithm): a configuration entry is appended only when the leader's term has a
 *   committed entry and no configuration entry is uncommitted ({@link #mayAppend}). A change asked for before
 *   that waits.</li>
 *   <li>A voter is added as a learner first; once the learner's configuration is committed, the learner is
 *   caught up in rounds (thesis 4.2.1: each round replicates up to the leader's last index when it began; a
 *   round shorter than the minimum election timeout means the learner keeps up) and then promoted. A learner
 *   that makes no progress for two maximum election timeouts, or is still behind after {@value #MAX_ROUNDS}
 *   rounds, stays a learner: {@link ConfigurationResult.CatchUpFailed}.</li>
 *   <li>Removing the leader itself: the quorum of the new configuration does not count it
 *   ({@link LeaderReplication#advanceCommit}), and once the entry is committed it steps down
 *   ({@link RaftEngine#removedFromVoters}).</li>
 * </ul>
 */
final class ConfigurationChanges {
    private static final System.Logger LOG = System.getLogger(RaftEngine.class.getName());
    private static final long MILLIS = 1_000_000L;
    /** Catch-up rounds before a new voter is given up on (thesis 4.2.1 suggests about ten). */
    static final int MAX_ROUNDS = 10;

    private enum Kind { ADD_LEARNER, ADD_VOTER, REMOVE, SETTINGS }

    /** What a change does next. */
    private enum Step {
        /** Append its next configuration entry once {@link #mayAppend}. */
        APPEND,
        /** Wait for the entry appended to commit. */
        COMMIT,
        /** Bring the learner up to date before promoting it. */
        CATCH_UP
    }

    private static final class Change {
        final Kind kind;
        final String memberId;
        final ClusterSettings settings;
        final CompletableFuture<ConfigurationResult> answer;
        final long term;
        Step step = Step.APPEND;
        ClusterConfiguration appended;
        long entryIndex;
        int round;
        long roundTarget;
        long roundStartNanos;
        long catchUpStartNanos;

        Change(Kind kind, String memberId, ClusterSettings settings, CompletableFuture<ConfigurationResult> answer,
               long term) {
            this.kind = kind;
            this.memberId = memberId;
            this.settings = settings;
            this.answer = answer;
            this.term = term;
        }

        @Override
        public String toString() {
            return kind == Kind.SETTINGS ? "a settings change" : kind.name().toLowerCase().replace('_', ' ') + " "
                    + memberId;
        }
    }

    private final NodeState state;
    private final NodeRuntime runtime;
    private final LogView logView;
    private final LeaderReplication leader;
    private final Completions completions;
    private Change current;
    /** Deliberately broken rule, for tests of the checkers only (RuleBreach). */
    private final boolean breakTermCommitRule;
    /** Configuration entries this node appended for a change and saw committed, over its run. */
    private volatile long changesDone;

    ConfigurationChanges(NodeState state, NodeRuntime runtime, LogView logView, LeaderReplication leader,
                         Completions completions, boolean breakTermCommitRule) {
        this.breakTermCommitRule = breakTermCommitRule;
        this.state = state;
        this.runtime = runtime;
        this.logView = logView;
        this.leader = leader;
        this.completions = completions;
    }

    /** Changes this node led to their commit; read from any thread. */
    long changesDone() {
        return changesDone;
    }

    // ---- requests (events)

    void addLearner(String id, CompletableFuture<ConfigurationResult> answer) {
        begin(Kind.ADD_LEARNER, id, null, answer);
    }

    void addVoter(String id, CompletableFuture<ConfigurationResult> answer) {
        begin(Kind.ADD_VOTER, id, null, answer);
    }

    void remove(String id, CompletableFuture<ConfigurationResult> answer) {
        begin(Kind.REMOVE, id, null, answer);
    }

    void updateSettings(ClusterSettings settings, CompletableFuture<ConfigurationResult> answer) {
        begin(Kind.SETTINGS, null, settings, answer);
    }

    private void begin(Kind kind, String id, ClusterSettings settings, CompletableFuture<ConfigurationResult> answer) {
        if (state.role() != Role.LEADER) {
            completions.complete(answer, new ConfigurationResult.NotLeader(state.leaderId()));
            return;
        }
        if (current != null) {
            completions.complete(answer, new ConfigurationResult.Busy(current + " is under way"));
            return;
        }
        current = new Change(kind, id, settings, answer, state.term());
        LOG.log(Level.INFO, "node {0} begins {1} in term {2}", state.id, current, state.term());
        progress();
    }

    // ---- progress (events)

    /** After every event, and every tick: the next step of the change under way. */
    void afterEvent() {
        if (current != null) {
            progress();
        }
    }

    private void progress() {
        Change c = current;
        if (c.step == Step.COMMIT && logView.commitIndex() >= c.entryIndex
                && c.entryIndex >= logView.firstIndex() - 1 && logView.termAt(c.entryIndex) == c.term) {
            // Committed, whatever this node is now: a leader that removed itself steps down in the very event
            // that commits its removal.
            committed(c);
            return;
        }
        if (state.role() != Role.LEADER || state.term() != c.term) {
            finish(c.step == Step.COMMIT
                    ? new ConfigurationResult.Indeterminate("node " + state.id + " stopped leading before entry "
                    + c.entryIndex + " (" + c + ") was committed; it may still take effect")
                    : new ConfigurationResult.NotLeader(state.leaderId()));
            return;
        }
        switch (c.step) {
            case APPEND -> {
                if (mayAppend()) {
                    appendNext(c);
                }
            }
            case COMMIT -> {
                // Not committed yet: see above.
            }
            case CATCH_UP -> catchUp(c);
        }
    }

    /**
     * The single-server rule with the thesis errata: the leader has committed an entry of its term (so every
     * configuration of an earlier term it holds is committed or superseded), and no configuration entry is
     * uncommitted.
     */
    private boolean mayAppend() {
        return (leader.committedInTerm() || breakTermCommitRule)
                && logView.configurationIndex() <= logView.commitIndex();
    }

    /** Appends the change's next configuration, or ends it if the configuration needs no change. */
    private void appendNext(Change c) {
        ClusterConfiguration now = logView.configuration();
        Member member = c.memberId == null ? null : now.member(c.memberId);
        ClusterConfiguration next;
        switch (c.kind) {
            case ADD_LEARNER -> {
                if (member != null && member.voter()) {
                    finish(new ConfigurationResult.Rejected(c.memberId + " is a voter; a voter is not made a"
                            + " learner again (remove it first)"));
                    return;
                }
                next = member != null ? null : now.with(Member.learner(c.memberId));
            }
            case ADD_VOTER -> {
                if (member == null) {
                    next = now.with(Member.learner(c.memberId)); // first a learner, caught up before it votes
                } else if (!member.voter()) {
                    if (c.round == 0) {
                        startCatchUp(c);
                        return;
                    }
                    next = now.with(member.promoted());
                } else {
                    next = null;
                }
            }
            case REMOVE -> {
                if (member != null && member.voter() && now.voters().size() == 1) {
                    finish(new ConfigurationResult.Rejected(c.memberId + " is the only voter: a cluster needs one"));
                    return;
                }
                next = member == null ? null : now.without(c.memberId);
            }
            case SETTINGS -> next = now.settings().equals(c.settings) ? null : now.withSettings(c.settings);
            default -> throw new IllegalStateException(c.kind.name());
        }
        if (next == null) {
            finish(new ConfigurationResult.Done(now, logView.configurationIndex()));
            return;
        }
        c.appended = next;
        c.entryIndex = leader.appendAsLeader(EntryType.CONFIGURATION, 0, ConfigurationCodec.encode(next)).index();
        c.step = Step.COMMIT;
        LOG.log(Level.INFO, "node {0} appended configuration {1} at {2} ({3})", state.id, next.members(),
                c.entryIndex, c);
        leader.replicateToAll();
        leader.advanceCommit(); // a single voter commits at once (once durable)
    }

    private void committed(Change c) {
        changesDone++; // only the protocol thread writes it
        if (c.kind == Kind.ADD_VOTER && !c.appended.isVoter(c.memberId)) {
            startCatchUp(c); // the learner is in: now it catches up, then it is promoted
            return;
        }
        finish(new ConfigurationResult.Done(c.appended, c.entryIndex));
    }

    // ---- catching a new voter up (thesis 4.2.1)

    private void startCatchUp(Change c) {
        c.step = Step.CATCH_UP;
        c.round = 0;
        c.catchUpStartNanos = runtime.nanoTime();
        nextRound(c);
    }

    private void nextRound(Change c) {
        c.round++;
        c.roundTarget = logView.lastIndex();
        c.roundStartNanos = runtime.nanoTime();
        LOG.log(Level.DEBUG, "node {0}: catch-up round {1} of {2}, up to {3}", state.id, c.round, c.memberId,
                c.roundTarget);
    }

    private void catchUp(Change c) {
        long now = runtime.nanoTime();
        ClusterSettings s = logView.settings();
        long match = leader.matchIndexOf(c.memberId);
        if (match < 0) { // removed meanwhile (not through this change: it is the only one) or never a follower
            finish(new ConfigurationResult.CatchUpFailed(c.memberId + " is no longer a member"));
            return;
        }
        if (match >= c.roundTarget) {
            if (now - c.roundStartNanos < s.electionTimeoutMinMillis() * MILLIS) {
                c.step = Step.APPEND; // caught up: promoted as soon as a configuration entry may be appended
                progress();
            } else if (c.round >= MAX_ROUNDS) {
                finish(new ConfigurationResult.CatchUpFailed(c.memberId + " was still behind after " + MAX_ROUNDS
                        + " rounds of catching up (the last took " + (now - c.roundStartNanos) / MILLIS
                        + " ms, more than an election timeout); it stays a learner"));
            } else {
                nextRound(c);
            }
            return;
        }
        // A learner that was idle (down, or nothing to catch up on) before the catch-up began gets the whole window.
        long stalledFor = Math.min(now - leader.lastProgressOf(c.memberId), now - c.catchUpStartNanos);
        if (stalledFor > 2 * s.electionTimeoutMaxMillis() * MILLIS) {
            finish(new ConfigurationResult.CatchUpFailed(c.memberId + " made no progress for " + stalledFor / MILLIS
                    + " ms (at index " + match + " of " + c.roundTarget + "): is it running and reachable? It stays"
                    + " a learner"));
        }
    }

    private void finish(ConfigurationResult result) {
        Change c = current;
        current = null;
        LOG.log(result.isDone() ? Level.INFO : Level.WARNING, "node {0}: {1}: {2}", state.id, c, result);
        completions.complete(c.answer, result);
    }

    /** The node halts: a change under way ends without a known outcome. */
    void stop(String reason) {
        if (current != null) {
            finish(current.step == Step.COMMIT ? new ConfigurationResult.Indeterminate(reason)
                    : new ConfigurationResult.NotLeader(null));
        }
    }
}
