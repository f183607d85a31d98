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
 */
public record AppendEntriesResponse(String from, String to, long fromStorageId, long term, boolean success,
                                    long matchIndex, long conflictTerm, long conflictIndex, long lastIndex)
        implements RaftMessage {
}
