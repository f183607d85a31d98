package org.raftengine.jpa;

import java.io.Serializable;
import java.util.Objects;

/** The key of a snapshot's chunk: its snapshot's key and the chunk's number, from 0. (A JPA id class.) */
final class ChunkKey implements Serializable {
    private static final long serialVersionUID = 1L;

    private String clusterId;
    private String nodeId;
    private long snapshotId;
    private int chunkNo;

    /** For JPA. */
    ChunkKey() {
    }

    ChunkKey(String clusterId, String nodeId, long snapshotId, int chunkNo) {
        this.clusterId = clusterId;
        this.nodeId = nodeId;
        this.snapshotId = snapshotId;
        this.chunkNo = chunkNo;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ChunkKey o && clusterId.equals(o.clusterId) && nodeId.equals(o.nodeId) && snapshotId == o.snapshotId && chunkNo == o.chunkNo;
    }

    @Override
    public int hashCode() {
        return Objects.hash(clusterId, nodeId, snapshotId, chunkNo);
    }
}
