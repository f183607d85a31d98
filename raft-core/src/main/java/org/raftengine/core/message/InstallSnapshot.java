package org.raftengine.core.message;

import java.util.Objects;
import org.raftengine.core.ClusterConfiguration;

/**
 * One chunk of the leader's snapshot, for a follower whose next entry the leader no longer holds. The
 * transfer is named by the leader's term and the snapshot's {@code index} and {@code snapshotTerm}: a
 * chunk of another transfer never mixes into this one. Chunks go one at a time; each is answered by an
 * {@link InstallSnapshotResponse} naming the offset the follower expects next.
 *
 * @param index         the last log index the snapshot covers
 * @param snapshotTerm  the term of the entry at {@code index}
 * @param configuration the configuration in force at {@code index}
 * @param totalBytes    the size of the whole snapshot's data
 * @param checksum      CRC32C of the whole snapshot's data, checked by the follower before it installs it
 * @param offset        where {@code data} starts in the snapshot's data
 * @param data          the chunk (empty only for a snapshot of no bytes)
 */
public record InstallSnapshot(String from, String to, long fromStorageId, long term, long index, long snapshotTerm,
                              ClusterConfiguration configuration, long totalBytes, int checksum, long offset,
                              byte[] data)
        implements RaftMessage {

    public InstallSnapshot {
        Objects.requireNonNull(configuration, "configuration");
        Objects.requireNonNull(data, "data");
        if (index < 1 || snapshotTerm < 1 || offset < 0 || totalBytes < 0 || offset + data.length > totalBytes) {
            throw new IllegalArgumentException("snapshot chunk out of range: index " + index + ", term "
                    + snapshotTerm + ", offset " + offset + ", " + data.length + " of " + totalBytes + " bytes");
        }
    }

    /** True if this chunk ends the snapshot's data. */
    public boolean last() {
        return offset + data.length == totalBytes;
    }

    @Override
    public String toString() {
        return "InstallSnapshot[" + from + "->" + to + ", term " + term + ", snapshot " + index + "/" + snapshotTerm
                + ", " + offset + "+" + data.length + " of " + totalBytes + "]";
    }
}
