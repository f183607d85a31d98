package org.raftengine.core;

/**
 * How a change of the cluster's configuration ({@link RaftNode#addVoter}, {@link RaftNode#addLearner},
 * {@link RaftNode#removeMember}, {@link RaftNode#updateSettings}) ended, as the node that was asked saw it.
 *
 * <ul>
 *   <li>{@link Done}: the configuration holding the change is committed (or already held it: each change is
 *   idempotent, so a caller may repeat one whose outcome it does not know).</li>
 *   <li>{@link NotLeader}: this node does not lead; ask {@code leaderId}. A voter being added may be a learner
 *   already: asking the new leader to add it again goes on from there.</li>
 *   <li>{@link Busy}: another change is under way (one at a time); nothing was done.</li>
 *   <li>{@link Rejected}: the change cannot be made (the last voter removed, a learner asked to be added while
 *   it is a voter, invalid settings); nothing was done.</li>
 *   <li>{@link CatchUpFailed}: a voter to be added did not catch up with the leader's log (it is down, or
 *   too slow); it stays a learner, which may be removed or added as a voter again later.</li>
 *   <li>{@link Indeterminate}: the configuration entry was appended but this node stopped leading (or
 *   stopped) before it was committed: it may or may not take effect; {@link RaftNode#status()} of the new
 *   leader tells.</li>
 * </ul>
 */
public sealed interface ConfigurationResult {

    /** True for {@link Done}. */
    default boolean isDone() {
        return this instanceof Done;
    }

    /** The change is committed in {@code configuration}, the configuration entry at {@code index}. */
    record Done(ClusterConfiguration configuration, long index) implements ConfigurationResult {
    }

    /** This node does not lead; {@code leaderId} is the leader it knows, or {@code null}. */
    record NotLeader(String leaderId) implements ConfigurationResult {
    }

    /** Another configuration change is under way; this one was not started. */
    record Busy(String reason) implements ConfigurationResult {
    }

    /** The change is not allowed; nothing was done. */
    record Rejected(String reason) implements ConfigurationResult {
    }

    /** The new voter did not catch up; it stays a learner. */
    record CatchUpFailed(String reason) implements ConfigurationResult {
    }

    /** Appended, then leadership was lost before the commit: the change may or may not take effect. */
    record Indeterminate(String reason) implements ConfigurationResult {
    }
}
