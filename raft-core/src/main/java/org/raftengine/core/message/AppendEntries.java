package org.raftengine.core.message;

import java.util.List;
import org.raftengine.core.spi.LogEntry;

/**
 * Entries from the leader (none for a heartbeat), to be appended after the entry at
 * {@code prevLogIndex}, which must have term {@code prevLogTerm} in the follower's log.
 *
 * @param leaderCommit the leader's commit index
 */
public record AppendEntries(String from, String to, long fromStorageId, long term,
                            long prevLogIndex, long prevLogTerm, long leaderCommit, List<LogEntry> entries)
        implements RaftMessage {

    public AppendEntries {
        entries = List.copyOf(entries);
    }

    /** Index of the last entry carried, or {@code prevLogIndex} for a heartbeat. */
    public long lastIndex() {
        return prevLogIndex + entries.size();
    }
}
