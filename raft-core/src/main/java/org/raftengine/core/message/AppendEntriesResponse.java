package org.raftengine.core.message;

/**
 * A follower's answer to {@link AppendEntries}.
 *
 * <p>On success, {@code matchIndex} is the last index the follower holds durably and knows to match
 * the leader of {@code term}: it confirms exactly that, whatever request it answers, so a late or
 * duplicated response can never confirm more. On failure, {@code conflictTerm} is the term of the
 * follower's entry at the leader's {@code prevLogIndex} (0 if it has none there), {@code conflictIndex}
 * the first index the follower holds of that term (or its last index + 1), and {@code lastIndex} the
 * follower's last index, so the leader backs off over a whole term in one step.
 *
 * <p>{@code round} is the highest confirmation round ({@link AppendEntries#round()}) of the leader of
 * {@code term} that the follower has seen: success or not, the answer confirms that the follower took the
 * sender for its leader after that round began, and nothing about any later round.
 */
public record AppendEntriesResponse(String from, String to, long fromStorageId, long term, boolean success,
                                    long matchIndex, long conflictTerm, long conflictIndex, long lastIndex,
                                    long round)
        implements RaftMessage {

    public AppendEntriesResponse {
        if (round < 0) {
            throw new IllegalArgumentException("negative round " + round);
        }
    }

    /** An answer that confirms no round (round 0). */
    public AppendEntriesResponse(String from, String to, long fromStorageId, long term, boolean success,
                                 long matchIndex, long conflictTerm, long conflictIndex, long lastIndex) {
        this(from, to, fromStorageId, term, success, matchIndex, conflictTerm, conflictIndex, lastIndex, 0);
    }
}
