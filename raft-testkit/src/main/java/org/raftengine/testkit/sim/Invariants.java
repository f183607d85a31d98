package org.raftengine.testkit.sim;

import org.raftengine.core.message.RaftMessage;
import org.raftengine.core.message.VoteResponse;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import org.raftengine.core.ClusterConfiguration;
import org.raftengine.core.CommandResult;
import org.raftengine.core.Member;
import org.raftengine.core.NodeStatus;
import org.raftengine.core.Role;
import org.raftengine.core.spi.EntryType;
import org.raftengine.core.spi.LogEntry;
import org.raftengine.core.wire.ConfigurationCodec;

/**
 * The safety invariants of RELIABILITY.md, checked on a simulated cluster.
 *
 * <p>After every step ({@link #afterStep}), failing at the first violation:
 * <ul>
 * <li>ONE-LEADER: at most one leader per term over the whole run;
 * <li>ONE-VOTE: a storage never grants its vote to two candidates in one term (from every message
 *     sent, {@link #onSend});
 * <li>LOG-MATCH: every entry written to any log ({@link #onAppend}) is keyed by its index and term; all
 *     writes of one key carry the same entry after an entry of the same term. By induction on the index,
 *     that is exactly "two logs with an entry of the same index and term agree on every entry up to it";
 * <li>COMPLETE: every entry a node knows committed (its durable log up to its commit index) is recorded
 *     with its term; nodes never disagree about one, and every leader holds all of them (checked in its
 *     durable log, and none may lie beyond its last index);
 * <li>MONOTONIC: commit and applied index never go back within one incarnation of a node, and the
 *     applied index never goes below the state machine's applied index at restart;
 * <li>SAME-APPLY: no two state machines apply different things at one index, across wipes too;
 * <li>DURABLE: an acknowledged command is what every state machine applies at its index.
 * </ul>
 *
 * <p>{@link #checkLogs()} reads every log and so runs at the end of a run rather than after every step:
 * LOG-MATCH again, over whole logs as they stand, and DURABLE (every acknowledged command is at its index
 * in the logs of enough voters of the latest committed configuration that every majority of them holds it, so no
 * crash can lose it: a majority of an odd number of voters, half of an even number).
 * Entries that fail their checksum (injected corruption) are treated as absent, since the engine must not use
 * them.
 *
 * <p>Membership: the voters that DURABLE counts are those of the latest configuration entry known committed; a
 * removed node or a learner does not count, a spare (a node never added) holds nothing. A leader commits by a
 * majority of the configuration it appended last, which may be one change ahead of the committed one (a voter
 * more or less); such a majority need not be a majority of the committed configuration, but it meets every one
 * of its majorities, which is what the check asks. A cluster bootstrapped twice is two clusters ({@link ClusterView#clusterIncarnation}): LOG-MATCH
 * compares the writes and logs of one incarnation only.
 *
 * <p>State is kept incrementally (cursors over each state machine's applies, the committed prefix and
 * the history's acknowledgements), so the per-step cost does not grow with the length of the run.
 *
 * <p>{@link #reportOnly} limits which invariants fail a run: a test that proves one checker catches a
 * deliberately broken engine turns the others off, so the catch is that checker's own.
 */
public final class Invariants implements StepListener {

    private record Seen(String node, AppliedEntry entry) {
    }

    private static final class Track {
        final int incarnation;
        final long floor;
        long commit;
        long applied;

        Track(int incarnation, long floor) {
            this.incarnation = incarnation;
            this.floor = floor;
        }
    }

    private final ClusterView view;
    private final Map<Long, String> leaders = new TreeMap<>();
    private final Map<String, Track> tracks = new HashMap<>();
    private final Map<Long, Seen> appliedByIndex = new HashMap<>();
    private final Map<SimStateMachine, Integer> cursors = new IdentityHashMap<>();
    private final Map<SimStateMachine, Integer> restoreCursors = new IdentityHashMap<>();
    private final Map<Long, ClientOperation> ackedByIndex = new HashMap<>();
    private int ackCursor;
    private boolean majorityCheck = true;
    /** Votes granted, by voter storage and term: a storage never votes for two candidates in one term. */
    private final Map<String, String> votes = new HashMap<>();
    private String pendingVoteViolation;
    /** LOG-MATCH: every entry written, by index and term, with the term of the entry before it. */
    private final Map<EntryId, Written> written = new HashMap<>();
    private String pendingLogMatchViolation;
    /** COMPLETE: the term of every index known committed, 1..knownCommit (slot 0 unused). */
    private long[] committedTerms = new long[1024];
    /**
     * For each index known committed, a term by which it was committed: the lowest current term of a
     * node that knew it committed. Leaders of later terms must hold it.
     */
    private long[] committedBy = new long[1024];
    private long knownCommit;
    /** Per node incarnation, how far its committed prefix was read. */
    private final Map<String, Long> commitScanned = new HashMap<>();
    /** Per leader (node, incarnation, term), how far its log was checked against the committed prefix. */
    private final Map<String, Long> leaderChecked = new HashMap<>();
    private Set<String> reported;
    /** Every configuration entry written to any log, by index (for DURABLE's voters). */
    private final TreeMap<Long, List<WrittenConfiguration>> configurations = new TreeMap<>();

    private record EntryId(long incarnation, long index, long term) {
    }

    /** A configuration entry written to some log, by index and term. */
    private record WrittenConfiguration(long term, ClusterConfiguration configuration) {
    }

    private record Written(String node, long previousTerm, LogEntry entry) {
    }

    public Invariants(ClusterView view) {
        this.view = Objects.requireNonNull(view, "view");
    }

    /**
     * Turns the DURABLE majority check of {@link #checkLogs()} on or off. Scenarios that wipe nodes can leave
     * an acknowledged entry on fewer than a majority until it is re-replicated.
     */
    public void setMajorityCheck(boolean on) {
        this.majorityCheck = on;
    }

    /**
     * Only these invariants fail a run from now on (null: all of them). The others are still computed,
     * so turning them back on loses nothing.
     */
    public void reportOnly(Set<String> invariants) {
        this.reported = invariants == null ? null : Set.copyOf(invariants);
    }

    /** True if a violation of {@code invariant} fails the run (see {@link #reportOnly}). */
    public boolean reports(String invariant) {
        return reported == null || reported.contains(invariant);
    }

    /** Every leader seen, by term. */
    public Map<Long, String> leaders() {
        return Collections.unmodifiableMap(leaders);
    }

    @Override
    public void afterStep(TraceRow row) {
        checkStep();
    }

    /** Every per-step invariant (see the class comment). */
    public void checkStep() {
        if (pendingVoteViolation != null) {
            String detail = pendingVoteViolation;
            pendingVoteViolation = null;
            fail("ONE-VOTE", detail);
        }
        if (pendingLogMatchViolation != null) {
            String detail = pendingLogMatchViolation;
            pendingLogMatchViolation = null;
            fail("LOG-MATCH", detail);
        }
        for (String id : view.nodeIds()) {
            if (!view.isUp(id)) {
                continue;
            }
            NodeStatus s = view.status(id);
            if (s == null || s.role() == Role.STOPPED) {
                continue;
            }
            checkOneLeader(id, s);
            checkMonotonic(id, s);
            scanCommitted(id, s);
        }
        for (String id : view.nodeIds()) {
            NodeStatus s = view.isUp(id) ? view.status(id) : null;
            if (s != null && s.role() == Role.LEADER) {
                checkLeaderHoldsCommitted(id, s);
            }
        }
        for (String id : view.nodeIds()) {
            scanApplies(id, view.stateMachine(id));
        }
        for (String id : view.nodeIds()) {
            scanRestores(id, view.stateMachine(id));
        }
        scanAcks();
    }

    private void checkOneLeader(String id, NodeStatus s) {
        if (s.role() != Role.LEADER) {
            return;
        }
        String earlier = leaders.putIfAbsent(s.term(), id);
        if (earlier != null && !earlier.equals(id)) {
            fail("ONE-LEADER", "term " + s.term() + " has two leaders: " + earlier + " and " + id);
        }
    }

    private void checkMonotonic(String id, NodeStatus s) {
        int incarnation = view.incarnation(id);
        Track t = tracks.get(id);
        if (t == null || t.incarnation != incarnation) {
            t = new Track(incarnation, view.appliedAtRestart(id));
            tracks.put(id, t);
        }
        if (s.commitIndex() < t.commit) {
            fail("MONOTONIC", id + " commit index went back from " + t.commit + " to " + s.commitIndex()
                    + " (incarnation " + incarnation + ")");
        }
        if (s.appliedIndex() < t.applied) {
            fail("MONOTONIC", id + " applied index went back from " + t.applied + " to " + s.appliedIndex()
                    + " (incarnation " + incarnation + ")");
        }
        if (s.appliedIndex() < t.floor) {
            fail("MONOTONIC", id + " reports applied index " + s.appliedIndex() + " but its state machine had "
                    + "applied " + t.floor + " when incarnation " + incarnation + " started");
        }
        t.commit = s.commitIndex();
        t.applied = s.appliedIndex();
    }

    /**
     * Records the node's committed prefix: entries up to its commit index that are durable in its log.
     * A node never knows an entry committed that is not, so two nodes must agree on each.
     */
    private void scanCommitted(String id, NodeStatus s) {
        String key = id + "#" + view.incarnation(id);
        long from = commitScanned.getOrDefault(key, 0L);
        long to = Math.min(s.commitIndex(), s.durableIndex());
        // Entries compacted away are covered by the snapshot; the last one's term is still known.
        long i = Math.max(from + 1, Math.max(1, view.logFirstIndex(id) - 1));
        for (; i <= to; i++) {
            long term = view.logTermAt(id, i);
            if (term == 0) {
                break; // not in this log (yet): read it again on a later step
            }
            if (i <= knownCommit && committedTerms[(int) i] != 0) {
                if (committedTerms[(int) i] != term) {
                    fail("COMPLETE", id + " knows index " + i + " committed with term " + term + " but it was "
                            + "committed with term " + committedTerms[(int) i]);
                }
                committedBy[(int) i] = Math.min(committedBy[(int) i], s.term());
            } else {
                if (i >= committedTerms.length) {
                    int size = (int) Math.max(i + 1, committedTerms.length * 2L);
                    committedTerms = Arrays.copyOf(committedTerms, size);
                    committedBy = Arrays.copyOf(committedBy, size);
                }
                // Indexes skipped on the way (compacted on every node before any was scanned) stay unknown: 0.
                committedTerms[(int) i] = term;
                committedBy[(int) i] = s.term();
                knownCommit = Math.max(knownCommit, i);
            }
        }
        commitScanned.put(key, i - 1);
    }

    /**
     * COMPLETE: a leader's log holds every entry committed in an earlier term, with the term it was
     * written in. An entry counts as committed by the lowest term of a node seen knowing it committed
     * (an upper bound of the term it was really committed in), so a deposed leader that never heard of
     * a later commit is not blamed for lacking it.
     */
    private void checkLeaderHoldsCommitted(String id, NodeStatus s) {
        long beyond = s.lastIndex() + 1;
        if (beyond <= knownCommit && committedTerms[(int) beyond] != 0 && committedBy[(int) beyond] < s.term()) {
            fail("COMPLETE", id + " leads term " + s.term() + " with a log ending at " + s.lastIndex()
                    + ", but index " + beyond + " was committed by term " + committedBy[(int) beyond]);
        }
        String key = id + "#" + view.incarnation(id) + "@" + s.term();
        long from = leaderChecked.getOrDefault(key, 0L);
        long to = Math.min(knownCommit, s.durableIndex());
        // Below its first index - 1 the leader's log was compacted into its snapshot: nothing to compare.
        long i = Math.max(from + 1, view.logFirstIndex(id) - 1);
        // Commits of later indexes come in the same or later terms: stop at the first one not yet due.
        for (; i <= to && committedBy[(int) i] < s.term(); i++) {
            if (committedTerms[(int) i] == 0) {
                continue;
            }
            long have = view.logTermAt(id, i);
            if (have != committedTerms[(int) i]) {
                fail("COMPLETE", id + " leads term " + s.term() + " but holds term " + have + " at index " + i
                        + ", where an entry of term " + committedTerms[(int) i] + " was committed by term "
                        + committedBy[(int) i]);
            }
        }
        leaderChecked.put(key, i - 1);
    }

    private void scanApplies(String id, SimStateMachine sm) {
        int from = cursors.getOrDefault(sm, 0);
        int to = sm.appliedCount();
        for (int i = from; i < to; i++) {
            AppliedEntry e = sm.appliedAt(i);
            Seen first = appliedByIndex.putIfAbsent(e.index(), new Seen(id, e));
            if (first != null && !first.entry().sameAs(e)) {
                fail("SAME-APPLY", "index " + e.index() + ": " + first.node() + " applied " + first.entry()
                        + " but " + id + " applied " + e);
            }
            ClientOperation acked = ackedByIndex.get(e.index());
            if (acked != null) {
                checkAckedMatches(acked, id, e);
            }
        }
        cursors.put(sm, to);
    }

    /**
     * SAME-APPLY for snapshots: the state a restore brings must be what the replicas applied up to the
     * snapshot's index (the commands applied at 1..index, rejected ones and reads left out). Checked when
     * every one of those indexes was seen applied by some node.
     */
    private void scanRestores(String id, SimStateMachine sm) {
        int from = restoreCursors.getOrDefault(sm, 0);
        int to = sm.restoreCount();
        if (from == to) {
            return;
        }
        List<SimStateMachine.Restore> restores = sm.restores();
        for (int i = from; i < to; i++) {
            SimStateMachine.Restore r = restores.get(i);
            List<String> expected = valuesAppliedUpTo(r.index());
            if (expected != null && !expected.equals(r.values())) {
                fail("SAME-APPLY", id + " restored a snapshot of index " + r.index() + " holding " + r.values().size()
                        + " values, but the replicas applied " + expected.size() + " commands up to it"
                        + (expected.size() == r.values().size() ? " (different ones)" : ""));
            }
        }
        restoreCursors.put(sm, to);
    }

    /** The values the replicas applied at indexes 1..index, or null if some index was never seen applied. */
    private List<String> valuesAppliedUpTo(long index) {
        List<String> values = new ArrayList<>();
        for (long k = 1; k <= index; k++) {
            Seen seen = appliedByIndex.get(k);
            if (seen == null) {
                return null;
            }
            AppliedEntry e = seen.entry();
            if (!e.rejected() && e.command() != null && !SimStateMachine.isRead(e.command())) {
                values.add(new String(e.command(), StandardCharsets.UTF_8));
            }
        }
        return values;
    }

    private void scanAcks() {
        ClientHistory history = view.history();
        int to = history.acknowledgedCount();
        for (int i = ackCursor; i < to; i++) {
            ClientOperation op = history.acknowledgedAt(i);
            long index = ((CommandResult.Ok) op.result()).index();
            ClientOperation other = ackedByIndex.putIfAbsent(index, op);
            if (other != null && !Arrays.equals(other.command(), op.command())) {
                fail("DURABLE", "two different commands acknowledged at index " + index + ": " + other + " and " + op);
            }
            Seen seen = appliedByIndex.get(index);
            if (seen != null) {
                checkAckedMatches(op, seen.node(), seen.entry());
            }
        }
        ackCursor = to;
    }

    private void checkAckedMatches(ClientOperation op, String node, AppliedEntry e) {
        if (e.rejected() || !Arrays.equals(e.command(), op.command())) {
            fail("DURABLE", op + " was acknowledged at index " + e.index() + " but " + node + " applied " + e
                    + " there");
        }
    }

    /**
     * ONE-VOTE: sees every message a node sends. A granted vote (not a pre-vote) is remembered by the
     * voter's storage id and term; a grant to another candidate in the same term, by the same storage,
     * fails the run at the end of the step. Keyed by storage, since a wiped node is a new voter (which
     * its peers refuse by its new storage id).
     */
    public void onSend(RaftMessage message) {
        if (message instanceof VoteResponse v && v.granted() && !v.preVote()) {
            String key = v.from() + "/" + Long.toHexString(v.fromStorageId()) + "@" + v.term();
            String earlier = votes.putIfAbsent(key, v.to());
            if (earlier != null && !earlier.equals(v.to()) && pendingVoteViolation == null) {
                pendingVoteViolation = v.from() + " voted for " + earlier + " and for " + v.to() + " in term "
                        + v.term();
            }
        }
    }

    /**
     * LOG-MATCH, as each batch is written to {@code node}'s log (the batch replaces the log from its first
     * index on): the batch's entries, and the term of the entry before the first, must agree with every
     * earlier write of the same index and term. Reported at the end of the step.
     */
    public void onAppend(String node, long previousTerm, List<LogEntry> entries) {
        onAppend(node, 0, previousTerm, entries);
    }

    /**
     * As {@link #onAppend(String, long, List)}, for a log of cluster incarnation {@code incarnation} (0: unknown):
     * writes are compared with those of the same incarnation only.
     */
    public void onAppend(String node, long incarnation, long previousTerm, List<LogEntry> entries) {
        long before = previousTerm;
        for (LogEntry e : entries) {
            if (e.type() == EntryType.CONFIGURATION) {
                recordConfiguration(e);
            }
            Written w = new Written(node, before, e);
            Written first = written.putIfAbsent(new EntryId(incarnation, e.index(), e.term()), w);
            if (first != null && pendingLogMatchViolation == null
                    && (first.previousTerm() != before || !first.entry().equals(e))) {
                pendingLogMatchViolation = node + " wrote " + e + " after an entry of term " + before + ", but "
                        + first.node() + " wrote " + first.entry() + " after an entry of term "
                        + first.previousTerm() + ": same index and term, different logs";
            }
            before = e.term();
        }
    }

    /** LOG-MATCH and (unless turned off) DURABLE's majority check, over every node's durable log. */
    public void checkLogs() {
        List<String> ids = view.nodeIds();
        Map<String, Map<Long, LogEntry>> logs = new HashMap<>();
        for (String id : ids) {
            Map<Long, LogEntry> byIndex = new HashMap<>();
            for (LogEntry e : view.logEntries(id)) {
                if (e.isIntact()) {
                    byIndex.put(e.index(), e);
                }
            }
            logs.put(id, byIndex);
        }
        for (int i = 0; i < ids.size(); i++) {
            for (int j = i + 1; j < ids.size(); j++) {
                long a = view.clusterIncarnation(ids.get(i));
                long b = view.clusterIncarnation(ids.get(j));
                if (a != 0 && b != 0 && a != b) {
                    continue; // two clusters (bootstrapped twice): nothing in common to compare
                }
                checkLogMatch(ids.get(i), logs.get(ids.get(i)), ids.get(j), logs.get(ids.get(j)));
            }
        }
        if (majorityCheck) {
            checkAckedOnMajority(voters(ids), logs);
        }
    }

    private void recordConfiguration(LogEntry e) {
        ClusterConfiguration c;
        try {
            c = ConfigurationCodec.decode(e.data());
        } catch (RuntimeException unreadable) {
            return; // not the checker's business: the engine writes them
        }
        List<WrittenConfiguration> at = configurations.computeIfAbsent(e.index(), k -> new ArrayList<>(1));
        for (WrittenConfiguration w : at) {
            if (w.term() == e.term() && w.configuration().equals(c)) {
                return;
            }
        }
        at.add(new WrittenConfiguration(e.term(), c));
    }

    /**
     * The voters of the latest configuration entry known committed: the highest index up to the highest index known
     * committed holding a configuration entry of the committed term. All of {@code ids} when no configuration entry
     * was seen written (a view that does not report writes).
     */
    List<String> voters(List<String> ids) {
        for (Map.Entry<Long, List<WrittenConfiguration>> e : configurations.headMap(knownCommit, true)
                .descendingMap().entrySet()) {
            long index = e.getKey();
            long term = index < committedTerms.length ? committedTerms[(int) index] : 0;
            ClusterConfiguration found = null;
            boolean ambiguous = false;
            for (WrittenConfiguration w : e.getValue()) {
                if (term == 0 || w.term() == term) {
                    if (found != null && !found.voters().stream().map(Member::id).toList()
                            .equals(w.configuration().voters().stream().map(Member::id).toList())) {
                        ambiguous = true;
                    }
                    found = found == null ? w.configuration() : found;
                }
            }
            if (found != null && !ambiguous) {
                return found.voters().stream().map(Member::id).toList();
            }
        }
        return configurations.isEmpty() ? ids : List.of();
    }

    private void checkLogMatch(String a, Map<Long, LogEntry> la, String b, Map<Long, LogEntry> lb) {
        // The highest index where both hold an entry of the same term: everything below must agree.
        long top = 0;
        for (Map.Entry<Long, LogEntry> e : la.entrySet()) {
            LogEntry other = lb.get(e.getKey());
            if (other != null && other.term() == e.getValue().term() && e.getKey() > top) {
                top = e.getKey();
            }
        }
        for (long k = top; k >= 1; k--) {
            LogEntry ea = la.get(k);
            LogEntry eb = lb.get(k);
            if (ea == null || eb == null) {
                continue; // compacted, or corrupt on one side
            }
            if (!ea.equals(eb)) {
                fail("LOG-MATCH", a + " and " + b + " agree on index " + top + " (term " + la.get(top).term()
                        + ") but differ at index " + k + ": " + ea + " vs " + eb);
            }
        }
    }

    private void checkAckedOnMajority(List<String> ids, Map<String, Map<Long, LogEntry>> logs) {
        if (ids.isEmpty()) {
            return; // no committed configuration known yet: nothing can have been acknowledged
        }
        // Every majority of the voters must include a holder: more than the voters a majority leaves out. That is
        // a majority of an odd number of voters, half of an even number: an entry committed by a majority of the
        // configuration that follows (a leader counts the configuration it appended last, one voter apart) holds
        // that much of the committed one, whose majorities all meet each of the next one's.
        int needed = ids.size() - (ids.size() / 2 + 1) + 1;
        for (ClientOperation op : ackedByIndex.values()) {
            long index = ((CommandResult.Ok) op.result()).index();
            int holders = 0;
            for (String id : ids) {
                Map<Long, LogEntry> log = logs.get(id);
                if (log == null) {
                    continue; // a voter the simulation does not run
                }
                LogEntry e = log.get(index);
                boolean compacted = index < view.logFirstIndex(id);
                if (compacted || (e != null && Arrays.equals(EntryCommands.commandOf(e), op.command()))) {
                    holders++;
                }
            }
            if (holders < needed) {
                fail("DURABLE", op + " was acknowledged at index " + index + " but only " + holders + " of "
                        + ids.size() + " voters " + ids + " hold it there in their logs: a majority of them could"
                        + " elect a leader without it");
            }
        }
    }

    private void fail(String invariant, String detail) {
        if (!reports(invariant)) {
            return;
        }
        throw InvariantViolation.of(view.simulation(), invariant, detail);
    }
}
