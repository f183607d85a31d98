package org.raftengine.cdi;

/**
 * Fired (synchronously, on the node's callback thread, in order) when the leader this node knows of changes:
 * {@code void on(@Observes LeaderChanged e)}.
 *
 * @param nodeId   this node's id
 * @param leaderId the leader's id, or {@code null} while this node knows of none
 * @param term     the term
 */
public record LeaderChanged(String nodeId, String leaderId, long term) {
}
