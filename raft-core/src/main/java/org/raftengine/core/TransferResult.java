package org.raftengine.core;

/**
 * How a {@link RaftNode#transferLeadership leadership transfer} ended, as the node that was asked saw it.
 *
 * <ul>
 *   <li>{@link Done}: the target leads (this node heard from it as the leader of a newer term).</li>
 *   <li>{@link NotLeader}: this node did not lead when asked, or another node than the target took over.</li>
 *   <li>{@link InvalidTarget}: the target is not a voting member (or there is no other voter to pick).</li>
 *   <li>{@link Busy}: a transfer to another target is under way; it was not started.</li>
 *   <li>{@link TimedOut}: the target did not take over within an election timeout; if this node still
 *   leads, it takes commands again.</li>
 *   <li>{@link Aborted}: the node stopped before the transfer ended; its outcome is not known here.</li>
 * </ul>
 */
public sealed interface TransferResult {

    /** True for {@link Done}. */
    default boolean isDone() {
        return this instanceof Done;
    }

    /** The target leads term {@code term}. */
    record Done(String leaderId, long term) implements TransferResult {
    }

    /** This node does not lead; {@code leaderId} is the leader it knows, or {@code null}. */
    record NotLeader(String leaderId) implements TransferResult {
    }

    /** The target cannot lead: unknown, or not a voting member; nothing was started. */
    record InvalidTarget(String reason) implements TransferResult {
    }

    /** A transfer to {@code targetId} is under way already; this one was not started. */
    record Busy(String targetId) implements TransferResult {
    }

    /** The target did not take over in time; this node gave up (and leads on, if it still does). */
    record TimedOut(String reason) implements TransferResult {
    }

    /** The node stopped while the transfer ran: the target may or may not lead. */
    record Aborted(String reason) implements TransferResult {
    }
}
