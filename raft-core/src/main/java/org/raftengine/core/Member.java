package org.raftengine.core;

/**
 * A voting member of the cluster.
 *
 * @param id        the node id, unique in the cluster
 * @param storageId the storage id the member was first seen with, or 0 until the leader learns it;
 *                  once recorded, a node that shows up under this id with other storage is refused
 */
public record Member(String id, long storageId) {
    public Member {
        if (id == null || id.isBlank()) {
            throw new IllegalArgumentException("a member needs an id");
        }
    }

    /** A member whose storage id is not known yet. */
    public static Member of(String id) {
        return new Member(id, 0);
    }
}
