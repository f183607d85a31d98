package org.raftengine.core.engine;

import java.lang.System.Logger.Level;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.raftengine.core.Role;
import org.raftengine.core.internal.RuleBreach;
import org.raftengine.core.message.AppendEntries;
import org.raftengine.core.message.AppendEntriesResponse;
import org.raftengine.core.message.RaftMessage;
import org.raftengine.core.spi.LogEntry;

/**
 * The follower's side of the log: handles {@link AppendEntries} (a heartbeat, a probe, or entries to
 * append, replacing a conflicting suffix) and acknowledges what it holds. An acknowledgement names only
 * entries that are durable here and known to match the current leader's log.
 */
final class FollowerAppend {
    private static final System.Logger LOG = System.getLogger(RaftEngine.class.getName());

    private final RaftEngine engine;
    private final NodeState state;
    private final LogView logView;
    private final Outbox outbox;
    private final Elections elections;
    /** True while a received snapshot is being committed to storage. */
    private final BooleanSupplier snapshotCommitting;

    /** Highest index known to match the current leader's log; for this term only. */
    private long leaderMatchedIndex;
    /** Highest index acknowledged to the leader in this term. */
    private long lastAckSent;
    /**
     * The highest confirmation round of this term's leader seen here, echoed in every answer: an answer sent
     * after round r arrived confirms that this node still followed that leader after r began.
     */
    private long roundSeen;
    // Deliberately broken rules, for tests of the checkers only (RuleBreach).
    private final boolean breakPreviousEntryCheck;
    private final boolean breakCommitMonotonic;
    private final boolean breakAckDurable;

    FollowerAppend(RaftEngine engine, NodeState state, LogView logView, Outbox outbox, Elections elections,
                   BooleanSupplier snapshotCommitting) {
        this.engine = engine;
        this.state = state;
        this.logView = logView;
        this.outbox = outbox;
        this.elections = elections;
        this.snapshotCommitting = snapshotCommitting;
        this.breakPreviousEntryCheck = engine.breaks(RuleBreach.SKIP_PREVIOUS_ENTRY_CHECK);
        this.breakCommitMonotonic = engine.breaks(RuleBreach.COMMIT_INDEX_FOLLOWS_ANY_LEADER_COMMIT);
        this.breakAckDurable = engine.breaks(RuleBreach.ACKNOWLEDGE_BEFORE_DURABLE);
    }

    /** A new term: what was known to match the old term's leader says nothing about the new one's. */
    void newTerm() {
        leaderMatchedIndex = 0;
        lastAckSent = 0;
        roundSeen = 0;
    }

    void onAppendEntries(AppendEntries ae) {
        long term = state.term();
        if (ae.term() < term) {
            // Tells a stale leader there is a newer term, so it steps down.
            outbox.send(new AppendEntriesResponse(state.id, ae.from(), state.storageId(), term, false, 0, 0, 0,
                    logView.lastIndex()));
            return;
        }
        if (!followLeader(ae)) {
            return;
        }
        roundSeen = Math.max(roundSeen, ae.round());
        if (snapshotCommitting.getAsBoolean()) {
            return; // the log must not change under a snapshot being committed: as if the message were lost
        }
        String malformed = malformedEntries(ae);
        if (malformed != null) {
            engine.refuse(ae, malformed);
            return;
        }
        long prev = ae.prevLogIndex();
        if (prev > logView.lastIndex()) {
            rejectAppend(ae.from(), 0, logView.lastIndex() + 1);
            return;
        }
        List<LogEntry> entries = ae.entries();
        long base = logView.firstIndex() - 1;
        if (prev < base) {
            // Entries up to the base were compacted into a snapshot: they are committed, so every leader's log
            // holds the very same ones (Leader Completeness). Only what follows the base is compared.
            entries = entries.subList((int) Math.min(entries.size(), base - prev), entries.size());
        } else {
            long localPrevTerm = logView.termAt(prev);
            if (localPrevTerm != ae.prevLogTerm() && !breakPreviousEntryCheck) {
                rejectAppend(ae.from(), localPrevTerm, logView.firstIndexOfRunAt(prev));
                return;
            }
        }
        int i = 0;
        for (; i < entries.size(); i++) {
            LogEntry e = entries.get(i);
            if (e.index() > logView.lastIndex()) {
                break;
            }
            if (logView.termAt(e.index()) != e.term()) {
                if (e.index() <= logView.commitIndex()) {
                    // Only a broken leader can ask this: never truncate a committed entry.
                    LOG.log(Level.ERROR, "node {0}: leader {1} of term {2} conflicts with committed entry {3};"
                            + " refused", state.id, ae.from(), ae.term(), e.index());
                    engine.refuse(ae, "conflicts with a committed entry");
                    return;
                }
                logView.truncateFrom(e.index());
                break;
            }
            // Same index and term: the same entry (Log Matching). A stale or duplicated request never truncates.
        }
        for (; i < entries.size(); i++) {
            logView.append(entries.get(i));
        }
        leaderMatchedIndex = Math.max(leaderMatchedIndex, ae.lastIndex());
        long newCommit = Math.min(ae.leaderCommit(), leaderMatchedIndex);
        if (newCommit > logView.commitIndex() || (breakCommitMonotonic && newCommit != logView.commitIndex())) {
            logView.commitTo(newCommit);
        }
        if (entries.isEmpty() || ackableIndex() >= ae.lastIndex()) {
            sendAck();
        }
        // Otherwise the acknowledgement goes out when the entries are durable (ackIfNewlyDurable).
    }

    /**
     * A message of the leader of {@code m.term()}, not older than this node's term: this node follows it
     * (stepping down or entering its term if need be) and its election timer starts over. False if the
     * message must be refused: this node leads that very term itself.
     */
    boolean followLeader(RaftMessage m) {
        long term = state.term();
        if (m.term() == term && state.role() == Role.LEADER) {
            // Two leaders in one term cannot happen unless a peer is broken: never yield to it.
            engine.refuse(m, "this node leads term " + term);
            return false;
        }
        if (m.term() > term || state.role() != Role.FOLLOWER) {
            engine.becomeFollower(m.term(), m.from());
        } else {
            state.setLeader(m.from());
        }
        elections.heardFromLeader();
        return true;
    }

    /** A snapshot from the current leader was installed: the log matches that leader's up to {@code index}. */
    void matchedByLeader(long index) {
        leaderMatchedIndex = Math.max(leaderMatchedIndex, index);
        lastAckSent = Math.max(lastAckSent, index);
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
        return breakAckDurable ? leaderMatchedIndex : Math.min(logView.durableIndex(), leaderMatchedIndex);
    }

    /** After a storage write: acknowledges what became durable since the last acknowledgement. */
    void ackIfNewlyDurable() {
        if (ackableIndex() > lastAckSent) {
            sendAck();
        }
    }

    private void sendAck() {
        long ack = ackableIndex();
        lastAckSent = Math.max(lastAckSent, ack);
        outbox.send(new AppendEntriesResponse(state.id, state.leaderId(), state.storageId(), state.term(), true, ack,
                0, 0, logView.lastIndex(), roundSeen));
    }

    private void rejectAppend(String leader, long conflictTerm, long conflictIndex) {
        outbox.send(new AppendEntriesResponse(state.id, leader, state.storageId(), state.term(), false,
                ackableIndex(), conflictTerm, conflictIndex, logView.lastIndex(), roundSeen));
    }
}
