package org.raftengine.jpa;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;
import org.raftengine.core.spi.LogEntry;

/** {@code raft_entry}: one log entry, with the checksum it was made with. */
@Entity(name = "RaftEntry")
@Table(name = "raft_entry")
@IdClass(IndexKey.class)
class EntryRow {
    @Id
    @Column(name = "cluster_id", length = 64)
    String clusterId;
    @Id
    @Column(name = "node_id", length = 64)
    String nodeId;
    @Id
    @Column(name = "idx")
    long index;
    @Column(name = "term", nullable = false)
    long term;
    @Column(name = "entry_type", nullable = false)
    short type;
    @Column(name = "request_id", nullable = false)
    long requestId;
    @Column(name = "data", nullable = false, length = Integer.MAX_VALUE)
    byte[] data;
    @Column(name = "checksum", nullable = false)
    int checksum;

    protected EntryRow() {
    }

    EntryRow(String clusterId, String nodeId, LogEntry e) {
        this.clusterId = clusterId;
        this.nodeId = nodeId;
        this.index = e.index();
        this.term = e.term();
        this.type = (short) e.type().code();
        this.requestId = e.requestId();
        this.data = e.data();
        this.checksum = e.checksum();
    }
}
