package org.raftengine.core;

import java.util.List;
import java.util.Map;

/**
 * A consistent picture of one node, taken on its protocol thread.
 *
 * @param matchIndex    for a leader, each follower's highest index known replicated, refreshed every heartbeat
 *                      period (and when the followers change); empty otherwise
 * @param firstIndex    the first index the log holds: those before were compacted into a snapshot
 * @param snapshotIndex the last index the latest snapshot covers, 0 if there is none
 * @param transferTarget while this node leads and hands leadership over, the node it hands it to (it
 *                       answers new commands with {@link CommandResult.Retry} meanwhile); {@code null} otherwise
 * @param voters         the voting members in the configuration in force on this node (empty while it has none)
 * @param learners       the learners (non-voting members) in that configuration
 */
public record NodeStatus(String nodeId, Role role, long term, String leaderId,
                         long lastIndex, long lastTerm, long commitIndex, long durableIndex, long appliedIndex,
                         Map<String, Long> matchIndex, long firstIndex, long snapshotIndex, String transferTarget,
                         List<String> voters, List<String> learners) {

    public NodeStatus {
        voters = List.copyOf(voters);
        learners = List.copyOf(learners);
    }

    /** A status that names no members. */
    public NodeStatus(String nodeId, Role role, long term, String leaderId, long lastIndex, long lastTerm,
                      long commitIndex, long durableIndex, long appliedIndex, Map<String, Long> matchIndex,
                      long firstIndex, long snapshotIndex, String transferTarget) {
        this(nodeId, role, term, leaderId, lastIndex, lastTerm, commitIndex, durableIndex, appliedIndex, matchIndex,
                firstIndex, snapshotIndex, transferTarget, List.of(), List.of());
    }

    /** A status with no leadership transfer under way. */
    public NodeStatus(String nodeId, Role role, long term, String leaderId, long lastIndex, long lastTerm,
                      long commitIndex, long durableIndex, long appliedIndex, Map<String, Long> matchIndex,
                      long firstIndex, long snapshotIndex) {
        this(nodeId, role, term, leaderId, lastIndex, lastTerm, commitIndex, durableIndex, appliedIndex, matchIndex,
                firstIndex, snapshotIndex, null);
    }

    /** The status of a node that does not run. */
    public static NodeStatus stopped(String nodeId) {
        return new NodeStatus(nodeId, Role.STOPPED, 0, null, 0, 0, 0, 0, 0, Map.of(), 1, 0, null, List.of(),
                List.of());
    }

    /** True if this node is a voter in the configuration in force on it. */
    public boolean isVoter() {
        return voters.contains(nodeId);
    }
}
