package org.raftengine.core;

import java.lang.System.Logger.Level;
import java.util.List;
import java.util.Objects;
import org.raftengine.core.spi.EntryType;
import org.raftengine.core.spi.HardState;
import org.raftengine.core.spi.LogEntry;
import org.raftengine.core.spi.RaftLog;
import org.raftengine.core.spi.SnapshotMeta;
import org.raftengine.core.wire.ConfigurationCodec;

/**
 * The last resort after a majority of a cluster is lost for good (their disks gone): turns one surviving
 * node's log into the log of a new one-member cluster, as etcd's {@code --force-new-cluster} does.
 *
 * <p><b>This is unsafe, by design.</b> Raft's guarantees rest on a majority; with the majority gone, no
 * procedure can know what it had committed. The survivor keeps what its own log holds: entries the lost
 * majority had committed but this node never received are lost, and entries it holds that were never
 * committed become committed. Use it only when the lost members can never come back; a lost member that does
 * come back must be wiped first (its storage id then differs, and the node refuses it until it is added again).
 *
 * <p>How: with the node stopped, {@link #restartAlone} appends to its log a configuration entry whose only
 * member is the node itself (keeping the cluster's settings), in a new term. Started again, the node is the
 * only voter: it elects itself, and its first entry of the new leader's term commits everything before it.
 * Other servers join afterwards as new members.
 */
public final class DisasterRecovery {
    private static final System.Logger LOG = System.getLogger(DisasterRecovery.class.getName());
    /** How much of the log is read at a time while looking back for the configuration in force. */
    private static final long READ_BYTES = 1 << 20;

    private DisasterRecovery() {
    }

    /**
     * Rewrites the log of the stopped node {@code nodeId} so that it restarts as the only member of its
     * cluster. Unsafe: see the class comment.
     *
     * @return the configuration now in force in the log
     * @throws LogBrokenException       if the log is marked broken
     * @throws IllegalArgumentException if the log holds no configuration (a node that never joined), or
     *                                  {@code nodeId} is not a member of the configuration it holds
     */
    public static ClusterConfiguration restartAlone(RaftLog log, String nodeId) {
        Objects.requireNonNull(log, "log");
        if (nodeId == null || nodeId.isBlank()) {
            throw new IllegalArgumentException("a node id is needed");
        }
        if (log.isBroken()) {
            throw new LogBrokenException("the log of node " + nodeId + " is marked broken (" + log.brokenReason()
                    + "): it cannot seed a new cluster");
        }
        ClusterConfiguration current = configurationInForce(log);
        if (current == null) {
            throw new IllegalArgumentException("the log of node " + nodeId + " holds no configuration: the node"
                    + " never joined a cluster, so there is nothing to recover");
        }
        Member me = current.member(nodeId);
        if (me == null) {
            throw new IllegalArgumentException("node " + nodeId + " is not a member of the configuration in its"
                    + " log " + current.members() + ": wrong node id, or the wrong log");
        }
        long storageId = log.storageId();
        ClusterConfiguration alone = new ClusterConfiguration(List.of(new Member(nodeId, storageId)),
                current.settings(), current.incarnation()); // the same cluster goes on
        long last = log.lastIndex();
        long lastTerm = last == 0 ? 0 : log.termAt(last);
        HardState hard = log.hardState();
        long term = Math.max(hard.term(), lastTerm) + 1;
        log.saveHardState(new HardState(term, nodeId));
        log.append(List.of(LogEntry.of(last + 1, term, EntryType.CONFIGURATION, 0,
                ConfigurationCodec.encode(alone))));
        LOG.log(Level.WARNING, "node {0}: DISASTER RECOVERY: its log now ends with a configuration of itself alone"
                        + " (entry {1}, term {2}); it was one of {3}. Entries the lost members had committed beyond"
                        + " entry {4} are gone; every entry up to {4} will be committed.", nodeId, last + 1, term,
                current.members(), last);
        return alone;
    }

    /** The last configuration entry of the log, or the latest snapshot's configuration; null if neither. */
    private static ClusterConfiguration configurationInForce(RaftLog log) {
        long first = log.firstIndex();
        long windowEnd = log.lastIndex();
        // Windows of up to 1024 entries from the end back; each read forward within the byte limit.
        while (windowEnd >= first) {
            long windowStart = Math.max(first, windowEnd - 1023);
            ClusterConfiguration found = null;
            for (long next = windowStart; next <= windowEnd; ) {
                List<LogEntry> entries = log.read(next, windowEnd, READ_BYTES);
                if (entries.isEmpty()) {
                    throw new IllegalStateException("the log returned no entry " + next + " of " + first + ".."
                            + log.lastIndex());
                }
                for (LogEntry e : entries) {
                    if (e.type() == EntryType.CONFIGURATION) {
                        found = ConfigurationCodec.decode(e.data());
                    }
                }
                next += entries.size();
            }
            if (found != null) {
                return found;
            }
            windowEnd = windowStart - 1;
        }
        SnapshotMeta snapshot = log.supportsSnapshots() ? log.snapshot() : null;
        return snapshot == null ? null : snapshot.configuration();
    }
}
