package org.raftengine.core.spi;

/**
 * A snapshot being written into a {@link RaftLog}, from {@link RaftLog#beginSnapshot}. Its bytes come in
 * order through {@link #write}; nothing of it is visible, or survives a crash, until {@link #commit}.
 *
 * <p>A sink is used by one thread at a time, but not necessarily the storage executor, and while the
 * node goes on appending entries: implementations write the data apart from the log (a file of its own,
 * rows written in a transaction of their own) until the commit.
 */
public interface SnapshotSink {

    /**
     * Appends {@code len} bytes of {@code data} at {@code off} to the snapshot's data; the caller may reuse
     * the array afterwards.
     */
    void write(byte[] data, int off, int len);

    /**
     * Makes the snapshot durable and the log's latest, in one atomic step, and returns its metadata (size
     * and CRC32C of the bytes written). In the same step, if the log does not hold the snapshot's last
     * entry (an entry at its index with its term), every entry is discarded, as the snapshot replaces a
     * log that disagrees with it (Raft paper, section 7); otherwise the entries stay, to be discarded by
     * {@link RaftLog#compactUpTo}. A crash at any point leaves the old snapshot and log, or the new ones.
     * Called on the storage executor.
     *
     * @throws IllegalStateException if the log already holds a snapshot at the same or a later index
     */
    SnapshotMeta commit();

    /**
     * Drops what was written; the log is as it was. Safe to call more than once, or after a failed commit.
     * A sink may also be abandoned without it (a crash, a node stopping mid-transfer): a log that keeps
     * a sink's data outside memory cleans up what an abandoned sink left, at the latest when the next
     * snapshot begins or commits.
     */
    void abort();
}
