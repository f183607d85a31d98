package org.raftengine.core.message;

/**
 * A command a follower forwards to the leader on behalf of its client (one hop only).
 *
 * @param requestId unique id of this command, so a duplicate delivered by the transport is appended once
 */
public record ForwardCommand(String from, String to, long fromStorageId, long term, long requestId, byte[] command)
        implements RaftMessage {
}
