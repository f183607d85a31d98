package org.raftengine.core;

/**
 * A member of the cluster: a voter, or a learner (it receives the log and applies it, but neither votes nor
 * counts toward a commit, and never campaigns; it may be promoted to voter).
 *
 * @param id        the node id, unique in the cluster
 * @param storageId the storage id the member was first seen with, or 0 until the leader learns it;
 *                  once recorded, a node that shows up under this id with other storage is refused
 * @param voter     true for a voter, false for a learner
 */
public record Member(String id, long storageId, boolean voter) {
    public Member {
        if (id == null || id.isBlank()) {
            throw new IllegalArgumentException("a member needs an id");
        }
    }

    /** A voter. */
    public Member(String id, long storageId) {
        this(id, storageId, true);
    }

    /** A voter whose storage id is not known yet. */
    public static Member of(String id) {
        return new Member(id, 0, true);
    }

    /** A learner whose storage id is not known yet. */
    public static Member learner(String id) {
        return new Member(id, 0, false);
    }

    /** This member as a voter, its storage id kept. */
    public Member promoted() {
        return new Member(id, storageId, true);
    }
}
