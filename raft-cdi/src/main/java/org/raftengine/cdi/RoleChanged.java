package org.raftengine.cdi;

import org.raftengine.core.Role;

/**
 * Fired (synchronously, on the node's callback thread, in order) when this node's role changes:
 * {@code void on(@Observes RoleChanged e)}.
 *
 * @param nodeId this node's id
 * @param role   the new role
 * @param term   the term it holds the role in
 */
public record RoleChanged(String nodeId, Role role, long term) {
}
