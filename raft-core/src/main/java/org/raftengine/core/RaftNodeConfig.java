package org.raftengine.core;

import java.time.Duration;

/**
 * One node's own configuration. Cluster-wide settings are not here: they are {@link ClusterSettings}
 * in the log.
 *
 * @param nodeId                 this node's id, unique in the cluster
 * @param clusterId              the cluster's id; frames of another cluster are refused
 * @param bootstrap              if not {@code null}, and the log is empty, this node creates the cluster
 *                               with this configuration (do this on one node, once); ignored, with a
 *                               log line, when the log already holds entries
 * @param forwardToLeader        a follower forwards submitted commands to the leader (one hop) instead of
 *                               answering {@link CommandResult.Redirect}
 * @param commandTimeout         after this a pending command completes as {@link CommandResult.Indeterminate}
 * @param maxTailEntries         entries kept in memory behind the applied index, so replication to a
 *                               slightly lagging follower never waits on storage
 * @param snapshots              when this node takes snapshots and compacts its log
 */
public record RaftNodeConfig(String nodeId, String clusterId, ClusterConfiguration bootstrap,
                             boolean forwardToLeader, Duration commandTimeout, int maxTailEntries,
                             SnapshotPolicy snapshots) {

    public RaftNodeConfig {
        if (nodeId == null || nodeId.isBlank()) {
            throw new IllegalArgumentException("nodeId is required");
        }
        if (clusterId == null || clusterId.isBlank()) {
            throw new IllegalArgumentException("clusterId is required");
        }
        if (commandTimeout == null || commandTimeout.isNegative() || commandTimeout.isZero()) {
            throw new IllegalArgumentException("commandTimeout must be positive");
        }
        if (maxTailEntries < 0) {
            throw new IllegalArgumentException("maxTailEntries must not be negative");
        }
        if (bootstrap != null && !bootstrap.isMember(nodeId)) {
            throw new IllegalArgumentException("node " + nodeId + " bootstraps a cluster it is not a member of");
        }
        if (snapshots == null) {
            throw new IllegalArgumentException("snapshots (a SnapshotPolicy) is required");
        }
    }

    /** A node that joins an existing cluster (or waits to be bootstrapped by another). */
    public static RaftNodeConfig of(String nodeId, String clusterId) {
        return new RaftNodeConfig(nodeId, clusterId, null, true, Duration.ofSeconds(10), 1024, SnapshotPolicy.DEFAULTS);
    }

    /** This configuration, creating the cluster with {@code configuration} if the log is empty. */
    public RaftNodeConfig withBootstrap(ClusterConfiguration configuration) {
        return new RaftNodeConfig(nodeId, clusterId, configuration, forwardToLeader, commandTimeout, maxTailEntries,
                snapshots);
    }

    public RaftNodeConfig withForwardToLeader(boolean forward) {
        return new RaftNodeConfig(nodeId, clusterId, bootstrap, forward, commandTimeout, maxTailEntries, snapshots);
    }

    public RaftNodeConfig withCommandTimeout(Duration timeout) {
        return new RaftNodeConfig(nodeId, clusterId, bootstrap, forwardToLeader, timeout, maxTailEntries, snapshots);
    }

    public RaftNodeConfig withMaxTailEntries(int entries) {
        return new RaftNodeConfig(nodeId, clusterId, bootstrap, forwardToLeader, commandTimeout, entries, snapshots);
    }

    /** This configuration with another snapshot policy. */
    public RaftNodeConfig withSnapshots(SnapshotPolicy policy) {
        return new RaftNodeConfig(nodeId, clusterId, bootstrap, forwardToLeader, commandTimeout, maxTailEntries,
                policy);
    }
}
