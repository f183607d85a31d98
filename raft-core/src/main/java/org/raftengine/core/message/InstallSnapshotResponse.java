package org.raftengine.core.message;

/**
 * A follower's answer to an {@link InstallSnapshot} chunk of the snapshot {@code index}/{@code snapshotTerm}.
 *
 * @param nextOffset the offset of the next chunk the follower expects (what it holds of the transfer);
 *                   0 asks the leader to start over
 * @param installed  true once the snapshot is installed (or the follower's log already commits past it):
 *                   the follower's log then matches the leader's up to {@code index}
 */
public record InstallSnapshotResponse(String from, String to, long fromStorageId, long term, long index,
                                      long snapshotTerm, long nextOffset, boolean installed)
        implements RaftMessage {
}
