package org.raftengine.core.message;

/**
 * A follower asks the leader for a read index on behalf of reads its clients made: the leader answers with
 * its commit index as of a moment after this request arrived, once a majority has confirmed its leadership
 * since (ReadIndex). The follower then serves the reads once it has applied up to that index.
 *
 * @param requestId unique per follower run; the answer names it, and a re-sent request gets a new one
 */
public record ReadIndexRequest(String from, String to, long fromStorageId, long term, long requestId)
        implements RaftMessage {
}
