package org.raftengine.cdi;

import java.util.List;
import org.raftengine.core.ClusterSettings;

/**
 * Fired (synchronously, on the node's callback thread, in order) when the configuration in force on this node
 * changes: members added, promoted or removed, or the cluster settings changed (see
 * {@link org.raftengine.core.RaftListener#onConfigurationChange}); also once at start.
 * {@code void on(@Observes MembershipChanged e)}.
 *
 * @param nodeId   this node's id
 * @param voters   the voting members
 * @param learners the learners (non-voting members)
 * @param settings the cluster settings in force
 * @param index    the log index of the configuration entry (appended, not necessarily committed yet)
 */
public record MembershipChanged(String nodeId, List<String> voters, List<String> learners, ClusterSettings settings,
                                long index) {
    public MembershipChanged {
        voters = List.copyOf(voters);
        learners = List.copyOf(learners);
    }
}
