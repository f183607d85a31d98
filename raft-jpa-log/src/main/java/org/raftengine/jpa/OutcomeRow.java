package org.raftengine.jpa;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;

/** {@code raft_outcome}: what the command applied at an index gave: its output, or why it was rejected. */
@Entity(name = "RaftOutcome")
@Table(name = "raft_outcome")
@IdClass(IndexKey.class)
class OutcomeRow {
    @Id
    @Column(name = "cluster_id", length = 64)
    String clusterId;
    @Id
    @Column(name = "node_id", length = 64)
    String nodeId;
    @Id
    @Column(name = "idx")
    long index;
    @Column(name = "output", length = Integer.MAX_VALUE)
    byte[] output;
    @Column(name = "rejection", length = 4000)
    String rejection;

    protected OutcomeRow() {
    }

    OutcomeRow(String clusterId, String nodeId, long index, byte[] output, String rejection) {
        this.clusterId = clusterId;
        this.nodeId = nodeId;
        this.index = index;
        this.output = output;
        this.rejection = rejection;
    }
}
