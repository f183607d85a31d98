package org.raftengine.core;

import java.util.Map;

/**
 * A consistent picture of one node, taken on its protocol thread.
 *
 * @param matchIndex    for a leader, each follower's highest index known replicated; empty otherwise
 * @param firstIndex    the first index the log holds: those before were compacted into a snapshot
 * @param snapshotIndex the last index the latest snapshot covers, 0 if there is none
 */
public record NodeStatus(String nodeId, Role role, long term, String leaderId,
                         long lastIndex, long lastTerm, long commitIndex, long durableIndex, long appliedIndex,
                         Map<String, Long> matchIndex, long firstIndex, long snapshotIndex) {
    public static NodeStatus stopped(String nodeId) {
        return new NodeStatus(nodeId, Role.STOPPED, 0, null, 0, 0, 0, 0, 0, Map.of(), 1, 0);
    }
}
