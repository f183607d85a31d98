package org.raftengine.jpa;

import java.io.Serializable;
import java.util.Objects;

/** The key of the per-index tables (entries, outcomes): cluster id, node id and log index. (A JPA id class.) */
final class IndexKey implements Serializable {
    private static final long serialVersionUID = 1L;

    private String clusterId;
    private String nodeId;
    private long index;

    /** For JPA. */
    IndexKey() {
    }

    IndexKey(String clusterId, String nodeId, long index) {
        this.clusterId = clusterId;
        this.nodeId = nodeId;
        this.index = index;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof IndexKey o && clusterId.equals(o.clusterId) && nodeId.equals(o.nodeId) && index == o.index;
    }

    @Override
    public int hashCode() {
        return Objects.hash(clusterId, nodeId, index);
    }
}
