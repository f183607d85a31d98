package org.raftengine.jpa;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;

/** {@code raft_hard_state}: a node's current term and vote. */
@Entity(name = "RaftHardState")
@Table(name = "raft_hard_state")
@IdClass(NodeKey.class)
class HardStateRow {
    @Id
    @Column(name = "cluster_id", length = 64)
    String clusterId;
    @Id
    @Column(name = "node_id", length = 64)
    String nodeId;
    @Column(name = "term", nullable = false)
    long term;
    @Column(name = "voted_for", length = 255)
    String votedFor;

    protected HardStateRow() {
    }

    HardStateRow(String clusterId, String nodeId) {
        this.clusterId = clusterId;
        this.nodeId = nodeId;
    }
}
