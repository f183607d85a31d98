package org.raftengine.jpa;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;

/** {@code raft_node}: a node's storage id, where its log begins, and the broken flag. */
@Entity(name = "RaftNode")
@Table(name = "raft_node")
@IdClass(NodeKey.class)
class NodeRow {
    @Id
    @Column(name = "cluster_id", length = 64)
    String clusterId;
    @Id
    @Column(name = "node_id", length = 64)
    String nodeId;
    @Column(name = "storage_id", nullable = false)
    long storageId;
    /** The index of the first entry held. */
    @Column(name = "first_index", nullable = false)
    long firstIndex;
    /** The term of the entry at {@code firstIndex - 1}, discarded by compaction or a snapshot (0 if none). */
    @Column(name = "compacted_term", nullable = false)
    long compactedTerm;
    @Column(name = "broken", nullable = false)
    boolean broken;
    @Column(name = "broken_reason", length = 4000)
    String brokenReason;

    protected NodeRow() {
    }

    NodeRow(String clusterId, String nodeId, long storageId) {
        this.clusterId = clusterId;
        this.nodeId = nodeId;
        this.storageId = storageId;
        this.firstIndex = 1;
    }
}
