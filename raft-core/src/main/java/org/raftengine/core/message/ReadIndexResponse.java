package org.raftengine.core.message;

/**
 * The leader's answer to a {@link ReadIndexRequest}.
 *
 * @param requestId the request this answers
 * @param granted   true if {@code readIndex} is valid: the sender led {@code term} when a majority confirmed
 *                  it, after the request arrived; false if it does not lead (the follower asks again later)
 * @param readIndex the leader's commit index when it began the confirming round (0 if not granted); every
 *                  write acknowledged before the request was sent is at or below it
 */
public record ReadIndexResponse(String from, String to, long fromStorageId, long term, long requestId,
                                boolean granted, long readIndex)
        implements RaftMessage {

    public ReadIndexResponse {
        if (readIndex < 0 || (!granted && readIndex != 0)) {
            throw new IllegalArgumentException("read index " + readIndex + " with granted=" + granted);
        }
    }
}
