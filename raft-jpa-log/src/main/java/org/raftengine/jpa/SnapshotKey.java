package org.raftengine.jpa;

import java.io.Serializable;
import java.util.Objects;

/** The key of a snapshot: cluster id, node id and a random snapshot id. (A JPA id class.) */
final class SnapshotKey implements Serializable {
    private static final long serialVersionUID = 1L;

    private String clusterId;
    private String nodeId;
    private long snapshotId;

    /** For JPA. */
    SnapshotKey() {
    }

    SnapshotKey(String clusterId, String nodeId, long snapshotId) {
        this.clusterId = clusterId;
        this.nodeId = nodeId;
        this.snapshotId = snapshotId;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof SnapshotKey o && clusterId.equals(o.clusterId) && nodeId.equals(o.nodeId) && snapshotId == o.snapshotId;
    }

    @Override
    public int hashCode() {
        return Objects.hash(clusterId, nodeId, snapshotId);
    }
}
