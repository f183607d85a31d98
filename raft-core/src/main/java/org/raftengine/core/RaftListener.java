package org.raftengine.core;

/**
 * Told of a node's role, term and leader changes, of its configuration changes (members and settings), and of
 * the leadership transfers it runs. Called on the
 * node's callback executor, never on its protocol thread, in the order the changes happened.
 */
public interface RaftListener {
    default void onRoleChange(Role role, long term) {
    }

    default void onTermChange(long term) {
    }

    /** {@code leaderId} is {@code null} when the node knows of no leader. */
    default void onLeaderChange(String leaderId, long term) {
    }

    /** This node, leading {@code term}, began to hand leadership to {@code targetId}. */
    default void onTransferStarted(String targetId, long term) {
    }

    /** The transfer this node began ended, with {@code result}. */
    default void onTransferEnded(TransferResult result) {
    }

    /**
     * The configuration in force on this node changed: a configuration entry was appended at {@code index}
     * (committed or not: a configuration takes effect when appended), a truncation reverted to an earlier one,
     * or a snapshot brought one; also once at start, with the configuration the log holds.
     */
    default void onConfigurationChange(ClusterConfiguration configuration, long index) {
    }
}
