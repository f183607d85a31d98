package org.raftengine.jpa;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;

/**
 * {@code raft_snapshot}: a snapshot's metadata. At most one row per node is committed (the latest); others are
 * snapshots being written, or left by a writer that crashed, and are removed when the next one begins or commits.
 */
@Entity(name = "RaftSnapshot")
@Table(name = "raft_snapshot")
@IdClass(SnapshotKey.class)
class SnapshotRow {
    @Id
    @Column(name = "cluster_id", length = 64)
    String clusterId;
    @Id
    @Column(name = "node_id", length = 64)
    String nodeId;
    @Id
    @Column(name = "snapshot_id")
    long snapshotId;
    @Column(name = "idx", nullable = false)
    long index;
    @Column(name = "term", nullable = false)
    long term;
    @Column(name = "configuration", nullable = false, length = Integer.MAX_VALUE)
    byte[] configuration;
    @Column(name = "size_bytes", nullable = false)
    long sizeBytes;
    @Column(name = "checksum", nullable = false)
    int checksum;
    @Column(name = "committed", nullable = false)
    boolean committed;

    protected SnapshotRow() {
    }

    SnapshotRow(String clusterId, String nodeId, long snapshotId, long index, long term, byte[] configuration) {
        this.clusterId = clusterId;
        this.nodeId = nodeId;
        this.snapshotId = snapshotId;
        this.index = index;
        this.term = term;
        this.configuration = configuration;
    }
}
