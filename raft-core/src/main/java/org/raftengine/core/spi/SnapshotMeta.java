package org.raftengine.core.spi;

import java.util.Objects;
import org.raftengine.core.ClusterConfiguration;

/**
 * What a stored snapshot covers: every entry up to {@code index} (whose term is {@code term}), the
 * configuration in force at that index, and the size and CRC32C of its data, so a torn or corrupted
 * snapshot is detected before it is used or sent.
 *
 * @param index         the last log index the snapshot includes, from 1
 * @param term          the term of the entry at {@code index}
 * @param configuration the members and cluster settings in force at {@code index}
 * @param sizeBytes     the length of the snapshot's data
 * @param checksum      CRC32C of the snapshot's data
 */
public record SnapshotMeta(long index, long term, ClusterConfiguration configuration, long sizeBytes, int checksum) {

    public SnapshotMeta {
        if (index < 1 || term < 1) {
            throw new IllegalArgumentException("a snapshot covers index >= 1 of term >= 1, not " + index + "/" + term);
        }
        Objects.requireNonNull(configuration, "configuration");
        if (sizeBytes < 0) {
            throw new IllegalArgumentException("sizeBytes must not be negative");
        }
    }

    /** True if this and {@code other} are the same snapshot: same index, term, size and checksum. */
    public boolean sameAs(SnapshotMeta other) {
        return other != null && index == other.index && term == other.term && sizeBytes == other.sizeBytes
                && checksum == other.checksum;
    }
}
