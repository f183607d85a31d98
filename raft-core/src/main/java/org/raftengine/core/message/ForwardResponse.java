package org.raftengine.core.message;

import org.raftengine.core.CommandResult;

/** The leader's answer to a {@link ForwardCommand}, carrying the outcome for the follower's client. */
public record ForwardResponse(String from, String to, long fromStorageId, long term, long requestId,
                              CommandResult result)
        implements RaftMessage {
}
