package org.raftengine.jpa;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;

/** {@code raft_snapshot_chunk}: a piece of a snapshot's data, starting at {@code startOffset}. */
@Entity(name = "RaftSnapshotChunk")
@Table(name = "raft_snapshot_chunk")
@IdClass(ChunkKey.class)
class SnapshotChunkRow {
    @Id
    @Column(name = "cluster_id", length = 64)
    String clusterId;
    @Id
    @Column(name = "node_id", length = 64)
    String nodeId;
    @Id
    @Column(name = "snapshot_id")
    long snapshotId;
    @Id
    @Column(name = "chunk_no")
    int chunkNo;
    @Column(name = "start_offset", nullable = false)
    long startOffset;
    @Column(name = "data", nullable = false, length = Integer.MAX_VALUE)
    byte[] data;

    protected SnapshotChunkRow() {
    }

    SnapshotChunkRow(String clusterId, String nodeId, long snapshotId, int chunkNo, long startOffset, byte[] data) {
        this.clusterId = clusterId;
        this.nodeId = nodeId;
        this.snapshotId = snapshotId;
        this.chunkNo = chunkNo;
        this.startOffset = startOffset;
        this.data = data;
    }
}
