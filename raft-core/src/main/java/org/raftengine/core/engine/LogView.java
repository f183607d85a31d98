package org.raftengine.core.engine;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import org.raftengine.core.ClusterConfiguration;
import org.raftengine.core.ClusterSettings;
import org.raftengine.core.spi.EntryType;
import org.raftengine.core.spi.LogEntry;
import org.raftengine.core.spi.RaftLog;
import org.raftengine.core.spi.SnapshotMeta;
import org.raftengine.core.wire.ConfigurationCodec;

/**
 * The log as this node sees it, ahead of storage: the term of every index ({@link TermIndex}), the recent
 * entries in memory ({@link EntryTail}), the configuration in force, and how far the log is handed to
 * storage, durable, committed and applied. Appending and truncating keep all of these consistent.
 *
 * <p>The configuration in force is the last configuration entry appended, committed or not; truncating
 * that entry reverts to the one before, or to the snapshot's. Its cluster settings are the settings in force.
 *
 * <p>Below the entries lies the latest snapshot: entries up to {@link #firstIndex()} - 1 were compacted
 * away (their terms are gone too, but for the last one's), and a follower that needs them gets the snapshot.
 */
final class LogView {
    private static final System.Logger LOG = System.getLogger(RaftEngine.class.getName());
    /** Bytes per storage read while loading. */
    private static final long LOAD_CHUNK_BYTES = 16L << 20;

    private final String nodeId;
    private final int maxTailEntries;
    /** Settings while the log holds no configuration: the bootstrap values, or the defaults. */
    private final ClusterSettings fallbackSettings;
    private final SeenRequests seenRequests;

    private TermIndex terms;
    private EntryTail tail;
    /** Configuration entries that may still be in force after a truncation: from the newest committed one on. */
    private final TreeMap<Long, ClusterConfiguration> configurations = new TreeMap<>();
    private ClusterConfiguration configuration;
    private long configurationIndex;
    /** The latest durable snapshot, or null. */
    private SnapshotMeta snapshot;

    /** The first index not yet handed to storage. */
    private long writeFrom;
    private long durableIndex;
    private long commitIndex;
    private long appliedIndex;

    LogView(String nodeId, int maxTailEntries, ClusterSettings fallbackSettings, SeenRequests seenRequests) {
        this.nodeId = nodeId;
        this.maxTailEntries = maxTailEntries;
        this.fallbackSettings = fallbackSettings;
        this.seenRequests = seenRequests;
    }

    // ---- loading at start

    /** Reads the log's terms, its tail behind {@code applied} and its configuration (on the calling thread). */
    void load(RaftLog log, long applied) {
        long first = log.firstIndex();
        long last = log.lastIndex();
        snapshot = log.snapshot();
        if (applied > last) {
            throw new IllegalStateException("node " + nodeId + ": the state machine applied up to " + applied
                    + " but the log ends at " + last + "; the log lost entries the state machine has");
        }
        if (applied < first - 1) {
            throw new IllegalStateException("node " + nodeId + ": the state machine applied up to " + applied
                    + " but the log starts at " + first + " and no snapshot restored the entries between");
        }
        terms = new TermIndex(first - 1, log.termAt(first - 1));
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
        long tailFrom = Math.max(first, applied + 1 - maxTailEntries);
        tail = new EntryTail(tailFrom);
        for (long from = tailFrom; from <= last; ) {
            List<LogEntry> chunk = log.read(from, last, LOAD_CHUNK_BYTES);
            for (LogEntry e : chunk) {
                tail.append(e);
                if (e.type() == EntryType.CONFIGURATION) {
                    configurations.put(e.index(), decodeConfiguration(e));
                }
                seenRequests.recordEntry(e);
            }
            from += chunk.size();
        }
        // The configuration in force at the applied index is needed too (a snapshot taken there records it).
        if (configurations.isEmpty() || configurations.firstKey() > applied) {
            LogEntry before = findConfigurationBefore(log, tailFrom, first);
            if (before != null) {
                configurations.put(before.index(), decodeConfiguration(before));
            } else if (snapshot != null) {
                configurations.put(snapshot.index(), snapshot.configuration());
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
    private static LogEntry findConfigurationBefore(RaftLog log, long beforeIndex, long first) {
        long to = beforeIndex - 1;
        while (to >= first) {
            long from = Math.max(first, to - 255);
            List<LogEntry> chunk = new ArrayList<>();
            for (long i = from; i <= to; ) {
                List<LogEntry> part = log.read(i, to, LOAD_CHUNK_BYTES);
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

    // ---- entries and terms

    long lastIndex() {
        return terms.lastIndex();
    }

    /** The first index held; those before it are compacted away, covered by the snapshot. */
    long firstIndex() {
        return terms.baseIndex() + 1;
    }

    long lastTerm() {
        return terms.lastTerm();
    }

    /** The term at {@code index}, for any index of the log (0 for index 0). */
    long termAt(long index) {
        return terms.termAt(index);
    }

    /** First index of the run of one term that holds {@code index}. */
    long firstIndexOfRunAt(long index) {
        return terms.firstIndexOfRunAt(index);
    }

    /** Last index holding {@code term}, or 0 if the log has no entry of that term. */
    long lastIndexOfTerm(long term) {
        return terms.lastIndexOfTerm(term);
    }

    /** The first index still in memory; older entries are read from storage. */
    long tailStart() {
        return tail.start();
    }

    /** The entry at {@code index}, which must be in memory. */
    LogEntry entry(long index) {
        return tail.get(index);
    }

    /** Entries from {@code from} to {@code to} in memory, at most {@code maxEntries} and about {@code maxBytes}. */
    List<LogEntry> slice(long from, long to, int maxEntries, long maxBytes) {
        return tail.slice(from, to, maxEntries, maxBytes);
    }

    /** Bytes of the entries from {@code from} to {@code to} that are in memory. */
    long bytesInMemory(long from, long to) {
        long bytes = 0;
        for (long i = Math.max(from, tail.start()); i <= to; i++) {
            bytes += tail.get(i).sizeBytes();
        }
        return bytes;
    }

    /** Appends {@code e} at {@code lastIndex() + 1}; a configuration entry comes into force at once. */
    void append(LogEntry e) {
        terms.append(e.index(), e.term());
        tail.append(e);
        seenRequests.recordEntry(e);
        if (e.type() == EntryType.CONFIGURATION) {
            ClusterConfiguration c = decodeConfiguration(e);
            configurations.put(e.index(), c);
            configuration = c;
            configurationIndex = e.index();
        }
    }

    /**
     * Drops the suffix from {@code index}. Never a committed entry, so only entries appended since the last
     * commit: whatever of them was durable is not any more (storage rewrites from {@code index}), and a
     * configuration among them reverts to the one before.
     */
    void truncateFrom(long index) {
        LOG.log(Level.DEBUG, "node {0} truncates its log from {1}", nodeId, index);
        if (index < firstIndex()) {
            throw new IllegalStateException("truncation from " + index + " below the first index " + firstIndex());
        }
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

    // ---- configuration in force

    /** The configuration in force, or null while the log holds none (a node waiting to hear from a leader). */
    ClusterConfiguration configuration() {
        return configuration;
    }

    long configurationIndex() {
        return configurationIndex;
    }

    ClusterSettings settings() {
        return configuration != null ? configuration.settings() : fallbackSettings;
    }

    /** The configuration in force at {@code index}, which must not be below the applied index's one. */
    ClusterConfiguration configurationAt(long index) {
        var e = configurations.floorEntry(index);
        if (e == null) {
            throw new IllegalStateException("no configuration known at index " + index);
        }
        return e.getValue();
    }

    // ---- snapshots and compaction

    /** The latest durable snapshot, or null. */
    SnapshotMeta snapshot() {
        return snapshot;
    }

    /** A snapshot of this node's own state was committed to storage; the log holds every entry it covers. */
    void snapshotTaken(SnapshotMeta meta) {
        if (snapshot == null || meta.index() > snapshot.index()) {
            snapshot = meta;
        }
    }

    /**
     * Entries up to {@code index} (covered by the snapshot, applied and durable) leave the view; storage is
     * told to discard them too.
     */
    void compactTo(long index) {
        terms.compactTo(index);
        if (tail.start() <= index) {
            tail.evictUpTo(index);
        }
    }

    /**
     * A snapshot from the leader was committed to storage. If storage kept its entries (it held the
     * snapshot's last entry), so does the view; otherwise the snapshot replaced the whole log, and the view
     * starts over after it. Either way the snapshot's entries are committed.
     */
    void snapshotInstalled(SnapshotMeta meta, boolean entriesKept) {
        snapshot = meta;
        if (!entriesKept) {
            terms.resetTo(meta.index(), meta.term());
            tail = new EntryTail(meta.index() + 1);
            writeFrom = meta.index() + 1;
            durableIndex = meta.index();
            configurations.clear();
            configurations.put(meta.index(), meta.configuration());
            configuration = meta.configuration();
            configurationIndex = meta.index();
        }
        if (meta.index() > commitIndex) {
            commitIndex = meta.index();
        }
    }

    private static ClusterConfiguration decodeConfiguration(LogEntry e) {
        return ConfigurationCodec.decode(e.data());
    }

    // ---- storage: written, durable

    boolean hasUnwritten() {
        return writeFrom <= lastIndex();
    }

    /** The entries not yet handed to storage, in one batch; they count as handed from now on. */
    List<LogEntry> takeUnwritten() {
        List<LogEntry> batch = tail.slice(writeFrom, lastIndex(), Integer.MAX_VALUE, Long.MAX_VALUE);
        writeFrom = lastIndex() + 1;
        return batch;
    }

    /** A write from {@code index} on failed: those entries go in the next write again. */
    void rewriteFrom(long index) {
        writeFrom = Math.min(writeFrom, Math.min(index, lastIndex() + 1));
    }

    long durableIndex() {
        return durableIndex;
    }

    /**
     * Storage made the log durable up to {@code last}. Only if the log still holds that very entry: a late
     * completion must not confirm a rewrite (a term-of-issue check would not do).
     */
    void durableUpTo(LogEntry last) {
        if (last.index() <= lastIndex() && terms.termAt(last.index()) == last.term()
                && last.index() > durableIndex) {
            durableIndex = last.index();
        }
    }

    // ---- commit and apply

    long commitIndex() {
        return commitIndex;
    }

    void commitTo(long index) {
        commitIndex = index;
    }

    long appliedIndex() {
        return appliedIndex;
    }

    void appliedUpTo(long index) {
        appliedIndex = index;
        // Configurations older than the one in force at the applied index can never come back, nor be
        // asked for by a snapshot (which covers at least the applied index).
        Long inForce = configurations.size() > 1 ? configurations.floorKey(index) : null;
        if (inForce != null) {
            configurations.headMap(inForce, false).clear();
        }
    }

    /** Only entries both durable and applied leave memory, and the last {@code maxTailEntries} of them stay. */
    void evictFromMemory() {
        long evictUpTo = Math.min(appliedIndex, durableIndex) - maxTailEntries;
        if (evictUpTo >= tail.start()) {
            tail.evictUpTo(evictUpTo);
        }
    }
}
