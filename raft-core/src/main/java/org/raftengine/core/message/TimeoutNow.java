package org.raftengine.core.message;

/**
 * The last step of a leadership transfer: the leader of {@code term}, having brought the target's log up to
 * its own, tells it to campaign at once. The target starts an election in the next term without PreVote, and
 * its vote requests are marked {@link VoteRequest#transfer() transfer}, so voters set leader stickiness aside
 * for that one election.
 *
 * <p>Nothing answers it: the transfer is done when the target leads. A copy that arrives late finds the
 * target in a newer term (it campaigned, or another election happened) and is ignored, so a duplicate never
 * starts a second election.
 *
 * @param transferId the leader's id of this transfer, unique per leader run (for logs and traces)
 */
public record TimeoutNow(String from, String to, long fromStorageId, long term, long transferId)
        implements RaftMessage {
}
