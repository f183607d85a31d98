package org.raftengine.core.message;

/**
 * A follower's answer to an {@link InstallSnapshot} chunk of the snapshot {@code index}/{@code snapshotTerm}.
 * It names the chunk it answers ({@code chunkOffset}), so a late or duplicated answer to an earlier chunk is
 * never taken for the answer to the chunk out now.
 *
 * @param chunkOffset the offset of the chunk this answers
 * @param nextOffset the offset of the next chunk the follower expects (what it holds of the transfer);
 *                   0 asks the leader to start over; {@link #CORRUPT} says the whole snapshot arrived but
 *                   failed its checksum (the leader checks its stored copy, and starts over)
 * @param installed  true once the snapshot is installed (or the follower's log already commits past it):
 *                   the follower's log then matches the leader's up to {@code index}
 */
public record InstallSnapshotResponse(String from, String to, long fromStorageId, long term, long index,
                                      long snapshotTerm, long chunkOffset, long nextOffset, boolean installed)
        implements RaftMessage {

    /** The {@code nextOffset} of an answer saying the snapshot's data failed its checksum. */
    public static final long CORRUPT = -1;
}
