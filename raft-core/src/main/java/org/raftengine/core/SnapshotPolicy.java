package org.raftengine.core;

/**
 * When a node takes snapshots of its state machine and compacts its log, and how it sends a snapshot to a
 * follower. A node's own choice (it changes nothing in the protocol), so it lives in {@link RaftNodeConfig},
 * not in the cluster-wide settings.
 *
 * <p>A snapshot is taken automatically once {@code thresholdEntries} entries, or {@code thresholdBytes}
 * bytes of entries, were applied since the last one (0 turns that trigger off), and on demand through
 * {@link RaftNode#takeSnapshot()}. After a snapshot the log keeps the last {@code trailingEntries} entries
 * it covers, so a follower a little behind is sent entries rather than the whole snapshot; a follower
 * further behind gets the snapshot instead of pinning the log. While a leader's transfer of its snapshot
 * progresses, automatic snapshots wait (up to 16 times the thresholds), so a transfer slower than the
 * snapshot interval still ends.
 *
 * @param thresholdEntries entries applied since the last snapshot that trigger the next; 0: no such trigger
 * @param thresholdBytes   bytes of entries applied since the last snapshot that trigger the next; 0: none
 * @param trailingEntries  entries kept in the log behind a snapshot for followers catching up
 * @param chunkBytes       size of the chunks a snapshot is sent in
 */
public record SnapshotPolicy(long thresholdEntries, long thresholdBytes, long trailingEntries, int chunkBytes) {

    /** 100,000 entries or 64 MiB, 5,000 trailing entries, 1 MiB chunks. */
    public static final SnapshotPolicy DEFAULTS = new SnapshotPolicy(100_000, 64L << 20, 5_000, 1 << 20);

    /**
     * @throws IllegalArgumentException if a value is negative, or the chunk size is not positive
     */
    public SnapshotPolicy {
        if (thresholdEntries < 0 || thresholdBytes < 0 || trailingEntries < 0) {
            throw new IllegalArgumentException("snapshot thresholds and trailing entries must not be negative");
        }
        if (chunkBytes <= 0) {
            throw new IllegalArgumentException("chunkBytes must be positive, not " + chunkBytes);
        }
    }

    /** Snapshots only on demand ({@link RaftNode#takeSnapshot()}), never automatically. */
    public SnapshotPolicy onDemandOnly() {
        return new SnapshotPolicy(0, 0, trailingEntries, chunkBytes);
    }

    /** True if a snapshot is due after {@code entries} entries and {@code bytes} bytes applied since the last. */
    public boolean due(long entries, long bytes) {
        return (thresholdEntries > 0 && entries >= thresholdEntries) || (thresholdBytes > 0 && bytes >= thresholdBytes);
    }
}
