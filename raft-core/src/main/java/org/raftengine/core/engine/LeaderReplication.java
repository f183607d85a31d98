package org.raftengine.core.engine;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.ToLongFunction;
import org.raftengine.core.ClusterConfiguration;
import org.raftengine.core.ClusterSettings;
import org.raftengine.core.Member;
import org.raftengine.core.Role;
import org.raftengine.core.internal.RuleBreach;
import org.raftengine.core.message.AppendEntries;
import org.raftengine.core.message.AppendEntriesResponse;
import org.raftengine.core.message.InstallSnapshot;
import org.raftengine.core.message.InstallSnapshotResponse;
import org.raftengine.core.message.RaftMessage;
import org.raftengine.core.runtime.NodeRuntime;
import org.raftengine.core.spi.EntryType;
import org.raftengine.core.spi.LogEntry;
import org.raftengine.core.spi.RaftLog;
import org.raftengine.core.spi.CorruptEntryException;
import org.raftengine.core.spi.CorruptSnapshotException;
import org.raftengine.core.spi.SnapshotMeta;
import org.raftengine.core.wire.ConfigurationCodec;

/**
 * The leader's side of the log: what it knows of each follower ({@link FollowerProgress}), sending them
 * what they lack (from memory, or read from storage for a follower that lags behind the tail),
 * heartbeats, CheckQuorum, counting replicas to commit, and recording members' storage ids. A follower
 * that needs entries compacted away is sent the snapshot, one chunk at a time, read from storage on the
 * snapshot executor while the leader serves everyone else. Handles {@link AppendEntriesResponse} and
 * {@link InstallSnapshotResponse}.
 */
final class LeaderReplication {
    private static final System.Logger LOG = System.getLogger(RaftEngine.class.getName());
    private static final byte[] EMPTY = new byte[0];
    private static final long MILLIS = 1_000_000L;

    private final RaftEngine engine;
    private final NodeState state;
    private final RaftLog raftLog;
    private final NodeRuntime runtime;
    private final EventLoop events;
    private final LogView logView;
    private final Outbox outbox;
    private final int chunkBytes;
    /** Told when this node's stored snapshot turns out corrupt, so a new one replaces it. */
    private final Consumer<SnapshotMeta> storedSnapshotCorrupt;
    /** The last snapshot read through because a follower found it corrupt. */
    private SnapshotMeta checkedSnapshot;
    /** Deliberately broken rules, for tests of the checkers only (RuleBreach). */
    private final boolean breakCurrentTermRule;
    private final boolean breakRoundCheck;
    private final boolean breakRemovedLeaderRule;
    /**
     * The voters of the configuration in force, whose quorum commits and confirms rounds; with {@link #leaving},
     * set when that configuration changes ({@link #followTheConfiguration}), not on every acknowledgement.
     */
    private List<Member> voters = List.of();

    private final Map<String, FollowerProgress> followers = new HashMap<>();
    /** Storage ids members answered with, to record in the configuration (never forgotten). */
    private final Map<String, Long> seenStorageIds = new HashMap<>();
    /** Bytes of the entries appended but not yet committed, for back-pressure. */
    private long uncommittedBytes;
    private long quorumCheckStartedNanos;
    /**
     * The confirmation round in progress: every AppendEntries carries it and followers echo it back (see
     * {@link AppendEntries#round()}). It only grows, over every term of this run, so no answer of an earlier
     * round can ever be mistaken for one of a later round.
     */
    private long sentRound;
    /** When each of the last {@link #ROUND_TIMES} rounds began, by round number modulo their count. */
    private final long[] roundStarts = new long[ROUND_TIMES];
    private static final int ROUND_TIMES = 64;
    /** The index of the entry this leader opened its term with: reads wait until it is committed. */
    private long termStartIndex = Long.MAX_VALUE;
    /** The match indexes last published in the status, and whether one changed since. */
    private Map<String, Long> publishedMatch = Map.of();
    private boolean matchChanged;
    /**
     * The published match indexes are rebuilt at most once per heartbeat (and when the followers change): under
     * load every acknowledgement moves one, and a map per acknowledgement was a tenth of the engine's garbage.
     */
    private boolean matchDue = true;
    /** The configuration in force does not count this leader among its voters (see {@link #leaving}). */
    private boolean leaving;

    LeaderReplication(RaftEngine engine, NodeState state, RaftLog raftLog, NodeRuntime runtime, EventLoop events,
                      LogView logView, Outbox outbox, int chunkBytes,
                      Consumer<SnapshotMeta> storedSnapshotCorrupt) {
        this.engine = engine;
        this.state = state;
        this.raftLog = raftLog;
        this.runtime = runtime;
        this.events = events;
        this.logView = logView;
        this.outbox = outbox;
        this.chunkBytes = chunkBytes;
        this.storedSnapshotCorrupt = storedSnapshotCorrupt;
        this.breakCurrentTermRule = engine.breaks(RuleBreach.COMMIT_OLDER_TERM_BY_COUNTING);
        this.breakRoundCheck = engine.breaks(RuleBreach.READ_CONFIRMED_BY_ANY_ROUND);
        this.breakRemovedLeaderRule = engine.breaks(RuleBreach.REMOVED_LEADER_COUNTS_ITSELF);
    }

    long uncommittedBytes() {
        return uncommittedBytes;
    }

    // ---- term start and end

    /** This node was just elected: it learns its followers and opens its term with an entry of its own. */
    void takeOffice() {
        long now = runtime.nanoTime();
        followers.clear();
        followTheConfiguration();
        quorumCheckStartedNanos = now;
        matchChanged = true;
        uncommittedBytes = logView.bytesInMemory(logView.commitIndex() + 1, logView.lastIndex());
        // Raft paper section 8: a leader commits entries of earlier terms only through an entry of its own.
        termStartIndex = appendAsLeader(EntryType.NOOP, 0, EMPTY).index();
        replicateToAll();
        advanceCommit();
    }

    /**
     * True while this leader's removal from the voters is appended and not yet committed: it takes no new
     * commands then (they would only delay the hand-over, and it learns no commit after it steps down).
     */
    boolean leaving() {
        return leaving && !breakRemovedLeaderRule && state.role() == Role.LEADER;
    }

    void leaveOffice() {
        leaving = false;
        followers.clear();
        termStartIndex = Long.MAX_VALUE;
    }

    /**
     * Replicates to every member of the configuration in force but this node, voters and learners alike: a
     * member added is probed from the end of this leader's log, a member removed is sent nothing more (a
     * removed follower may never learn of its removal: the other members refuse its messages from then on).
     */
    private void followTheConfiguration() {
        ClusterConfiguration configuration = logView.configuration();
        leaving = !configuration.isVoter(state.id);
        List<Member> counted = configuration.voters();
        if (breakRemovedLeaderRule && leaving) {
            counted = new java.util.ArrayList<>(counted);
            counted.add(Member.of(state.id));
        }
        voters = List.copyOf(counted);
        followers.keySet().removeIf(id -> !configuration.isMember(id));
        for (Member m : configuration.members()) {
            if (!m.id().equals(state.id) && !followers.containsKey(m.id())) {
                FollowerProgress p = new FollowerProgress(m.id(), logView.lastIndex() + 1,
                        logView.settings().maxInflightAppends());
                p.lastProgressNanos = runtime.nanoTime();
                followers.put(m.id(), p);
            }
        }
        matchChanged = true;
        matchDue = true;
    }

    /**
     * True once this leader has committed the entry it opened its term with. Before that its commit index
     * may be behind what earlier leaders committed (Raft paper, section 8), so it serves no read.
     */
    boolean committedInTerm() {
        return state.role() == Role.LEADER && logView.commitIndex() >= termStartIndex;
    }

    LogEntry appendAsLeader(EntryType type, long requestId, byte[] data) {
        LogEntry e = LogEntry.of(logView.lastIndex() + 1, state.term(), type, requestId, data);
        logView.append(e);
        uncommittedBytes += e.sizeBytes();
        if (type == EntryType.CONFIGURATION) {
            followTheConfiguration(); // a configuration is in force once appended (Raft thesis 4.1)
        }
        return e;
    }

    // ---- replication

    void replicateToAll() {
        for (FollowerProgress p : followers.values()) {
            replicateTo(p);
        }
    }

    /**
     * Sends what the follower lacks: in probe, one AppendEntries at a time (possibly empty, to find
     * where the logs match); in replicate, pipelined batches up to the in-flight limit.
     */
    private void replicateTo(FollowerProgress p) {
        ClusterSettings s = logView.settings();
        while (true) {
            if (p.snapshot != null) {
                sendNextChunk(p);
                return;
            }
            if (p.nextIndex < logView.firstIndex()) {
                startSnapshot(p);
                return;
            }
            if (p.readingStorage) {
                return;
            }
            if (!p.replicating && p.probeSent) {
                return;
            }
            if (p.replicating && p.inflightFull()) {
                return;
            }
            long last = logView.lastIndex();
            if (p.replicating && p.nextIndex > last) {
                return;
            }
            if (p.nextIndex <= last && p.nextIndex < logView.tailStart()) {
                readForFollower(p);
                return;
            }
            long prev = p.nextIndex - 1;
            List<LogEntry> entries = logView.slice(p.nextIndex, last, s.maxEntriesPerAppend(), s.maxBytesPerAppend());
            sendAppend(p.id, prev, entries);
            if (!p.replicating) {
                p.probeSent = true;
                return;
            }
            p.nextIndex = prev + entries.size() + 1;
            p.addInflight(p.nextIndex - 1);
        }
    }

    private void sendAppend(String follower, long prev, List<LogEntry> entries) {
        outbox.send(new AppendEntries(state.id, follower, state.storageId(), state.term(), prev,
                logView.termAt(prev), logView.commitIndex(), entries, sentRound,
                logView.configuration().incarnation()));
    }

    /** Entries no longer in memory are read on the storage executor; they are committed, so immutable. */
    private void readForFollower(FollowerProgress p) {
        p.readingStorage = true;
        long from = p.nextIndex;
        long to = Math.min(logView.tailStart() - 1, from + logView.settings().maxEntriesPerAppend() - 1);
        long maxBytes = logView.settings().maxBytesPerAppend();
        long readTerm = state.term();
        String follower = p.id;
        runtime.storageExecutor().execute(() -> {
            List<LogEntry> entries;
            try {
                entries = raftLog.read(from, to, maxBytes);
            } catch (CorruptEntryException e) {
                // Never served: this node's own storage is damaged, and a leader cannot repair from itself.
                events.execute(() -> engine.storageCorrupt("entries " + from + ".." + to + " in storage fail their"
                        + " checksum (" + e.getMessage() + ")"));
                return;
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "node " + state.id + ": reading entries " + from + ".." + to + " for "
                        + follower + " failed", e);
                entries = null;
            }
            List<LogEntry> read = entries;
            events.execute(() -> onFollowerEntriesRead(follower, readTerm, from, read));
        });
    }

    /** Sent only if still leader of the same term and the follower still needs them from there. */
    private void onFollowerEntriesRead(String follower, long readTerm, long from, List<LogEntry> entries) {
        FollowerProgress p = followers.get(follower);
        if (state.role() != Role.LEADER || state.term() != readTerm || p == null) {
            return;
        }
        p.readingStorage = false;
        // Entries acknowledged while the read ran are not sent (nor counted in flight) again; entries
        // compacted while it ran leave the follower to the snapshot.
        if (entries != null && !entries.isEmpty() && p.nextIndex == from && from > p.matchIndex
                && from >= logView.firstIndex()) {
            long prev = from - 1;
            sendAppend(follower, prev, entries);
            if (p.replicating) {
                p.nextIndex = prev + entries.size() + 1;
                p.addInflight(p.nextIndex - 1);
            } else {
                p.probeSent = true;
            }
        }
        replicateTo(p);
    }

    /**
     * The follower that sent an answer, its contact and storage id noted; null if the answer is not for this
     * leader (an older term, or this node no longer leads). A newer term makes this node step down.
     */
    private FollowerProgress answering(RaftMessage r) {
        if (r.term() > state.term()) {
            engine.becomeFollower(r.term(), null);
            return null;
        }
        if (state.role() != Role.LEADER || r.term() < state.term()) {
            return null;
        }
        FollowerProgress p = followers.get(r.from());
        if (p != null) {
            seenStorageIds.put(r.from(), r.fromStorageId());
            p.lastContactNanos = runtime.nanoTime();
        }
        return p;
    }

    void onAppendEntriesResponse(AppendEntriesResponse r) {
        FollowerProgress p = answering(r);
        if (p == null) {
            return;
        }
        // The follower took this node for its leader after round r.round() began, and says nothing of later ones.
        p.ackedRound = Math.max(p.ackedRound, breakRoundCheck ? sentRound : Math.min(r.round(), sentRound));
        if (p.snapshot != null) {
            // The transfer decides where the follower goes next; answers to heartbeats only confirm matches.
            if (r.success() && r.matchIndex() > p.matchIndex) {
                p.matchIndex = Math.min(r.matchIndex(), logView.lastIndex());
                p.lastProgressNanos = runtime.nanoTime();
                matchChanged = true;
                advanceCommit();
            }
            return;
        }
        if (r.success()) {
            if (r.matchIndex() > p.matchIndex) {
                p.matchIndex = Math.min(r.matchIndex(), logView.lastIndex());
                p.lastProgressNanos = runtime.nanoTime();
                matchChanged = true;
                advanceCommit();
            }
            // On every success, not only on progress: a slot taken by a re-send of acknowledged entries
            // must not keep the pipeline full.
            p.freeInflightUpTo(p.matchIndex);
            if (p.replicating && p.nextIndex <= p.matchIndex) {
                p.nextIndex = p.matchIndex + 1;
            }
            if (!p.replicating) {
                p.becomeReplicate();
            }
        } else {
            // Fast back-off: skip the follower's whole conflicting term, or jump to its end of log.
            long next;
            if (r.conflictTerm() > 0) {
                long lastOfTerm = logView.lastIndexOfTerm(r.conflictTerm());
                next = lastOfTerm > 0 ? lastOfTerm + 1 : r.conflictIndex();
            } else {
                next = r.lastIndex() + 1;
            }
            p.becomeProbe(Math.min(next, logView.lastIndex() + 1));
        }
        replicateTo(p);
    }

    // ---- snapshots

    /**
     * True while this node leads and sends its snapshot to a follower that took a chunk within the minimum
     * election timeout (a follower that is down does not hold off newer snapshots).
     */
    boolean sendingSnapshot() {
        if (state.role() != Role.LEADER) {
            return false;
        }
        long recent = runtime.nanoTime() - logView.settings().electionTimeoutMinMillis() * MILLIS;
        for (FollowerProgress p : followers.values()) {
            if (p.snapshot != null && p.lastChunkProgressNanos - recent > 0) {
                return true;
            }
        }
        return false;
    }

    /** The follower needs entries compacted away: it is sent the latest snapshot, from its first byte. */
    private void startSnapshot(FollowerProgress p) {
        SnapshotMeta meta = logView.snapshot();
        if (meta == null) {
            throw new IllegalStateException("entries before " + logView.firstIndex() + " were compacted without a"
                    + " snapshot");
        }
        LOG.log(Level.DEBUG, "node {0} sends snapshot {1}/{2} to {3} (it needs index {4})", state.id, meta.index(),
                meta.term(), p.id, p.nextIndex);
        p.snapshot = meta;
        p.snapshotOffset = 0;
        p.lastChunkProgressNanos = runtime.nanoTime();
        p.chunkOut = false;
        p.readingChunk = false;
        sendNextChunk(p);
    }

    /** One chunk at a time: read on the snapshot executor, sent when read, the next once it is answered. */
    private void sendNextChunk(FollowerProgress p) {
        if (p.chunkOut || p.readingChunk) {
            return;
        }
        p.readingChunk = true;
        SnapshotMeta meta = p.snapshot;
        long offset = p.snapshotOffset;
        long readTerm = state.term();
        String follower = p.id;
        runtime.snapshotExecutor().execute(() -> {
            byte[] chunk;
            boolean failed = false;
            try {
                chunk = raftLog.readSnapshot(meta, offset, chunkBytes);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "node " + state.id + ": reading snapshot " + meta.index() + " at " + offset
                        + " for " + follower + " failed", e);
                chunk = null;
                failed = true;
            }
            byte[] read = chunk;
            boolean readFailed = failed;
            events.execute(() -> onChunkRead(follower, readTerm, meta, offset, read, readFailed));
        });
    }

    private void onChunkRead(String follower, long readTerm, SnapshotMeta meta, long offset, byte[] chunk,
                             boolean failed) {
        FollowerProgress p = followers.get(follower);
        if (state.role() != Role.LEADER || state.term() != readTerm || p == null || p.snapshot != meta) {
            return;
        }
        p.readingChunk = false;
        if (failed) {
            return; // tried again at the next tick
        }
        if (chunk == null) {
            // A newer snapshot replaced this one: the follower gets that one, from the start.
            startSnapshot(p);
            return;
        }
        if (offset != p.snapshotOffset) {
            sendNextChunk(p);
            return;
        }
        outbox.send(new InstallSnapshot(state.id, follower, state.storageId(), state.term(), meta.index(), meta.term(),
                meta.configuration(), meta.sizeBytes(), meta.checksum(), offset, chunk));
        p.chunkOut = true;
    }

    void onInstallSnapshotResponse(InstallSnapshotResponse r) {
        FollowerProgress p = answering(r);
        if (p == null) {
            return;
        }
        if (r.installed()) {
            // The follower's log matches this leader's up to the snapshot (or beyond, if it already committed
            // past it): replication resumes with a probe just after it.
            if (r.index() > p.matchIndex) {
                p.matchIndex = Math.min(r.index(), logView.lastIndex());
                p.lastProgressNanos = runtime.nanoTime();
                matchChanged = true;
                advanceCommit();
            }
            if (p.snapshot != null) {
                p.snapshot = null;
                p.chunkOut = false;
                p.becomeProbe(p.matchIndex + 1);
                replicateTo(p);
            }
            return;
        }
        SnapshotMeta meta = p.snapshot;
        if (meta == null || r.index() != meta.index() || r.snapshotTerm() != meta.term()) {
            return; // an answer about another transfer
        }
        if (!p.chunkOut || r.chunkOffset() != p.snapshotOffset) {
            // A late or duplicated answer to an earlier chunk: acting on it would send a second copy of the
            // chunk out now, and every duplicate would double the copies in flight.
            return;
        }
        p.chunkAnswers++;
        p.chunkOut = false;
        if (r.nextOffset() > p.snapshotOffset) {
            p.lastChunkProgressNanos = runtime.nanoTime();
        }
        if (r.nextOffset() == InstallSnapshotResponse.CORRUPT) {
            checkStoredSnapshot(meta);
        }
        p.snapshotOffset = Math.max(0, Math.min(r.nextOffset(), meta.sizeBytes()));
        sendNextChunk(p);
    }

    /**
     * A follower received the whole of {@code meta} and it failed its checksum: torn in transit, or this
     * node's stored copy is corrupt. The copy is read through once (per snapshot) to tell; a corrupt copy is
     * never sent again: a new snapshot replaces it.
     */
    private void checkStoredSnapshot(SnapshotMeta meta) {
        if (meta.sameAs(checkedSnapshot)) {
            return;
        }
        checkedSnapshot = meta;
        runtime.snapshotExecutor().execute(() -> {
            try (InputStream in = raftLog.openSnapshot(meta)) {
                in.transferTo(OutputStream.nullOutputStream());
            } catch (CorruptSnapshotException e) {
                events.execute(() -> storedSnapshotCorrupt.accept(meta));
            } catch (IOException | RuntimeException e) {
                LOG.log(Level.DEBUG, "node {0}: could not check snapshot {1}: {2}", state.id, meta.index(), e);
            }
        });
    }

    // ---- commit

    /**
     * Commit by counting replicas, only for an entry of the leader's own term (Raft paper, Figure 8),
     * and counting the leader itself only up to its own durable index.
     */
    void advanceCommit() {
        if (state.role() != Role.LEADER) {
            return;
        }
        long n = reachedByQuorum(logView.durableIndex(), p -> p.matchIndex);
        // Only an entry of this leader's term is committed by counting (Raft 5.4.2, Figure 8).
        if (n > logView.commitIndex() && (logView.termAt(n) == state.term() || breakCurrentTermRule)) {
            uncommittedBytes -= logView.bytesInMemory(logView.commitIndex() + 1, n);
            logView.commitTo(n);
            if (leaving && n >= logView.configurationIndex()) {
                engine.removedFromVoters(); // Raft thesis 4.2.2: it led the change, then steps down
            }
        }
    }

    // ---- tick

    /**
     * Every heartbeat period: CheckQuorum (a leader that has not heard from a majority within the minimum
     * election timeout steps down), then per follower a probe if its pipeline stalled, what it lacks, and
     * a heartbeat.
     */
    void tick(long now) {
        ClusterSettings s = logView.settings();
        ClusterConfiguration configuration = logView.configuration();
        if (s.checkQuorum() && now - quorumCheckStartedNanos >= s.electionTimeoutMinMillis() * MILLIS) {
            int heard = configuration.isVoter(state.id) ? 1 : 0;
            for (FollowerProgress p : followers.values()) {
                if (p.lastContactNanos >= quorumCheckStartedNanos && configuration.isVoter(p.id)) {
                    heard++;
                }
            }
            if (heard < configuration.quorum()) {
                LOG.log(Level.INFO, "node {0} heard from {1} of {2} voters within the election timeout:"
                        + " stepping down (CheckQuorum)", state.id, heard, configuration.voters().size());
                engine.becomeFollower(state.term(), null);
                return;
            }
            quorumCheckStartedNanos = now;
        }
        matchDue = true;
        nextRound(); // this tick's heartbeats confirm a new round
        for (FollowerProgress p : followers.values()) {
            if (p.snapshot != null && p.chunkOut && p.chunkAnswers == p.chunkAnswersAtLastTick) {
                p.chunkOut = false; // the chunk or its answer was lost: send it again
            }
            p.chunkAnswersAtLastTick = p.chunkAnswers;
            // A pipeline that made no progress over a whole tick lost a message: probe again from the match.
            boolean stalled = p.matchIndex == p.matchAtLastTick;
            if (p.replicating && p.inflightCount() > 0 && stalled) {
                p.becomeProbe(p.matchIndex + 1);
            } else if (!p.replicating && p.probeSent && stalled) {
                p.probeSent = false;
            }
            p.matchAtLastTick = p.matchIndex;
            replicateTo(p);
            sendHeartbeat(p);
        }
        recordLearnedStorageIds();
    }

    /**
     * The heartbeat: anchored at the match index, which the follower is known to hold (or, if that was
     * compacted away, at the first index the leader still knows the term of).
     */
    private void sendHeartbeat(FollowerProgress p) {
        sendAppend(p.id, Math.max(p.matchIndex, logView.firstIndex() - 1), List.of());
    }

    // ---- confirmation rounds (ReadIndex)

    /** A new round begins: every heartbeat tick is one. */
    private void nextRound() {
        sentRound++;
        roundStarts[(int) (sentRound % ROUND_TIMES)] = runtime.nanoTime();
    }

    /**
     * When the highest round a majority confirmed began ({@link #confirmedRound}), or null if none is known
     * (none confirmed, or too old to be remembered): a lease can run from then at the earliest, since every
     * voter that confirmed it heard from this leader after it began.
     */
    Long confirmedRoundStartedNanos() {
        long r = confirmedRound();
        if (r == 0 || r <= sentRound - ROUND_TIMES) {
            return null;
        }
        return roundStarts[(int) (r % ROUND_TIMES)];
    }

    /**
     * Begins a confirmation round now, with a heartbeat to every follower, for reads that arrived since the
     * last one began; returns its number.
     */
    long startRound() {
        nextRound();
        for (FollowerProgress p : followers.values()) {
            sendHeartbeat(p);
        }
        return sentRound;
    }

    /** The round in progress (the last one begun). */
    long currentRound() {
        return sentRound;
    }

    /** When the round in progress began, on this node's clock. */
    long roundStartedNanos() {
        return roundStarts[(int) (sentRound % ROUND_TIMES)];
    }

    /**
     * The highest round a majority of the members has confirmed (this leader confirms its own rounds): a
     * moment after that round began, a majority still took this node for the leader of its term, so no other
     * leader could have committed anything yet that this node's commit index of then did not hold.
     * 0 when not leading.
     */
    long confirmedRound() {
        if (state.role() != Role.LEADER) {
            return 0;
        }
        return reachedByQuorum(sentRound, p -> p.ackedRound);
    }

    /**
     * The highest value a majority of the voters has reached: this leader's own is {@code own} (not counted if
     * it is no voter: a leader that removes itself commits its removal without counting itself, Raft thesis
     * 4.2.2), a follower's {@code ofFollower} (0 for a voter that is no follower yet). Learners never count.
     */
    private long reachedByQuorum(long own, ToLongFunction<FollowerProgress> ofFollower) {
        long[] values = new long[voters.size()];
        int k = 0;
        for (Member m : voters) {
            if (m.id().equals(state.id)) {
                values[k++] = own;
            } else {
                FollowerProgress p = followers.get(m.id());
                values[k++] = p == null ? 0 : ofFollower.applyAsLong(p);
            }
        }
        Arrays.sort(values);
        return values[values.length - logView.configuration().quorum()];
    }

    // ---- what a leadership transfer needs to know

    /**
     * When the follower last made progress: its match index grew, or it took a snapshot chunk (or, if neither
     * yet, when it became a follower); {@link Long#MIN_VALUE} if {@code id} is no follower of this leader.
     */
    long lastProgressOf(String id) {
        FollowerProgress p = followers.get(id);
        if (p == null) {
            return Long.MIN_VALUE;
        }
        return p.snapshot != null && p.lastChunkProgressNanos - p.lastProgressNanos > 0
                ? p.lastChunkProgressNanos : p.lastProgressNanos;
    }

    /** The follower's match index, or -1 if {@code id} is no follower of this leader. */
    long matchIndexOf(String id) {
        FollowerProgress p = followers.get(id);
        return p == null ? -1 : p.matchIndex;
    }

    /**
     * The voter best placed to take over: the highest match index, then the most recent answer; null if this
     * leader has no follower that is a member.
     */
    String mostUpToDateFollower() {
        ClusterConfiguration configuration = logView.configuration();
        FollowerProgress best = null;
        for (FollowerProgress p : followers.values()) {
            if (!configuration.isVoter(p.id)) {
                continue;
            }
            if (best == null || p.matchIndex > best.matchIndex
                    || (p.matchIndex == best.matchIndex && p.lastContactNanos - best.lastContactNanos > 0)
                    || (p.matchIndex == best.matchIndex && p.lastContactNanos == best.lastContactNanos
                    && p.id.compareTo(best.id) < 0)) {
                best = p;
            }
        }
        return best == null ? null : best.id;
    }

    /**
     * Records members' storage ids in the configuration the first time the leader learns them, so a
     * member that later comes back with wiped storage is recognised and refused. One configuration
     * entry at a time: only when the last one is committed.
     */
    private void recordLearnedStorageIds() {
        if (logView.configurationIndex() > logView.commitIndex()) {
            return;
        }
        ClusterConfiguration configuration = logView.configuration();
        ClusterConfiguration updated = configuration;
        for (Member m : configuration.members()) {
            if (m.storageId() != 0) {
                continue;
            }
            Long seen = m.id().equals(state.id) ? Long.valueOf(state.storageId()) : seenStorageIds.get(m.id());
            if (seen != null && seen != 0) {
                updated = updated.withStorageId(m.id(), seen);
            }
        }
        if (updated != configuration) {
            appendAsLeader(EntryType.CONFIGURATION, 0, ConfigurationCodec.encode(updated));
            replicateToAll();
        }
    }

    // ---- status

    /** Followers' match indexes for the status: the same map until one changes; empty when not leading. */
    Map<String, Long> matchIndexes() {
        if (state.role() != Role.LEADER) {
            publishedMatch = Map.of();
        } else if (matchChanged && matchDue) {
            Map<String, Long> m = new HashMap<>();
            for (FollowerProgress p : followers.values()) {
                m.put(p.id, p.matchIndex);
            }
            publishedMatch = Map.copyOf(m);
            matchChanged = false;
            matchDue = false;
        }
        return publishedMatch;
    }
}
