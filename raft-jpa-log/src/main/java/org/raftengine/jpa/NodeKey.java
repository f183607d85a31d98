package org.raftengine.jpa;

import java.io.Serializable;
import java.util.Objects;

/** The key of the one-row-per-node tables: cluster id and node id. (A JPA id class.) */
final class NodeKey implements Serializable {
    private static final long serialVersionUID = 1L;

    private String clusterId;
    private String nodeId;

    /** For JPA. */
    NodeKey() {
    }

    NodeKey(String clusterId, String nodeId) {
        this.clusterId = clusterId;
        this.nodeId = nodeId;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof NodeKey o && clusterId.equals(o.clusterId) && nodeId.equals(o.nodeId);
    }

    @Override
    public int hashCode() {
        return Objects.hash(clusterId, nodeId);
    }
}
