package org.raftengine.core.message;

import java.util.List;
import org.raftengine.core.spi.LogEntry;

/**
 * Entries from the leader (none for a heartbeat), to be appended after the entry at
 * {@code prevLogIndex}, which must have term {@code prevLogTerm} in the follower's log.
 *
 * <p>Every AppendEntries, heartbeat or not, carries the leader's current confirmation {@code round}: the
 * follower echoes the highest round of this term it has seen in its answers, and an answer naming round r
 * tells the leader that the follower still took it for the leader of its term after round r began. A
 * linearizable read waits for a majority to confirm a round begun after the read arrived (ReadIndex); as
 * rounds only grow, a late or duplicated answer of an older round confirms nothing newer.
 *
 * @param leaderCommit the leader's commit index
 * @param round        the leader's confirmation round when it sent this (0: none, as from older code)
 * @param incarnation  the incarnation of the leader's cluster
 *                     ({@link org.raftengine.core.ClusterConfiguration#incarnation()}): a follower of another
 *                     incarnation refuses it (0: not known, never refused for it)
 */
public record AppendEntries(String from, String to, long fromStorageId, long term,
                            long prevLogIndex, long prevLogTerm, long leaderCommit, List<LogEntry> entries,
                            long round, long incarnation)
        implements RaftMessage {

    public AppendEntries {
        entries = List.copyOf(entries);
        if (round < 0) {
            throw new IllegalArgumentException("negative round " + round);
        }
    }

    /** An AppendEntries outside any confirmation round (round 0). */
    public AppendEntries(String from, String to, long fromStorageId, long term, long prevLogIndex, long prevLogTerm,
                         long leaderCommit, List<LogEntry> entries) {
        this(from, to, fromStorageId, term, prevLogIndex, prevLogTerm, leaderCommit, entries, 0, 0);
    }

    /** An AppendEntries of no known incarnation. */
    public AppendEntries(String from, String to, long fromStorageId, long term, long prevLogIndex, long prevLogTerm,
                         long leaderCommit, List<LogEntry> entries, long round) {
        this(from, to, fromStorageId, term, prevLogIndex, prevLogTerm, leaderCommit, entries, round, 0);
    }

    /** Index of the last entry carried, or {@code prevLogIndex} for a heartbeat. */
    public long lastIndex() {
        return prevLogIndex + entries.size();
    }
}
