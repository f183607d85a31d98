package org.raftengine.core;

/**
 * Told of a node's role, term and leader changes. Called on the node's callback executor, never on
 * its protocol thread, in the order the changes happened.
 */
public interface RaftListener {
    default void onRoleChange(Role role, long term) {
    }

    default void onTermChange(long term) {
    }

    /** {@code leaderId} is {@code null} when the node knows of no leader. */
    default void onLeaderChange(String leaderId, long term) {
    }
}
