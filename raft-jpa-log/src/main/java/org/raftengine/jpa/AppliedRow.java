package org.raftengine.jpa;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;

/** {@code raft_applied}: the last index the application's state includes. */
@Entity(name = "RaftApplied")
@Table(name = "raft_applied")
@IdClass(NodeKey.class)
class AppliedRow {
    @Id
    @Column(name = "cluster_id", length = 64)
    String clusterId;
    @Id
    @Column(name = "node_id", length = 64)
    String nodeId;
    @Column(name = "applied_index", nullable = false)
    long appliedIndex;

    protected AppliedRow() {
    }

    AppliedRow(String clusterId, String nodeId, long appliedIndex) {
        this.clusterId = clusterId;
        this.nodeId = nodeId;
        this.appliedIndex = appliedIndex;
    }
}
