package org.raftengine.core;

/**
 * The outcome of {@link RaftNode#submit(byte[])}.
 *
 * <ul>
 *   <li>{@link Ok}: committed and applied; carries the state machine's result.</li>
 *   <li>{@link ApplicationError}: committed, and the state machine rejected it on every replica.</li>
 *   <li>{@link Redirect}: this node is not the leader and does not forward; ask the named one.</li>
 *   <li>{@link Retry}: certainly not in the log (no leader, back-pressure); safe to submit again.</li>
 *   <li>{@link Indeterminate}: it may or may not commit (timed out, leader changed while it was in the
 *   log); submitting it again may apply it twice unless the command is idempotent, or it is a
 *   {@link ClientSession} command re-submitted with its sequence ({@link ClientSession#resubmit}).</li>
 *   <li>{@link Refused}: final; the command can never be accepted as it is (larger than the cluster
 *   could ever take, or a session command whose session expired or whose answer was already dropped).
 *   Do not submit it again unchanged.</li>
 * </ul>
 */
public sealed interface CommandResult {

    /** True for {@link Ok}. */
    default boolean isOk() {
        return this instanceof Ok;
    }

    /**
     * Committed and applied.
     *
     * @param index  the log index of the command
     * @param result what the state machine returned
     */
    record Ok(long index, byte[] result) implements CommandResult {
        @Override
        public String toString() {
            return "Ok[index=" + index + ", " + result.length + "B]";
        }
    }

    /** Committed; the state machine rejected it with {@code message}. */
    record ApplicationError(long index, String message) implements CommandResult {
    }

    /** Not the leader; {@code leaderId} is the leader this node knows of, or {@code null}. */
    record Redirect(String leaderId) implements CommandResult {
    }

    /** Certainly not in the log; the command can be submitted again. */
    record Retry(String reason) implements CommandResult {
    }

    /** May or may not be committed. */
    record Indeterminate(String reason) implements CommandResult {
    }

    /**
     * Final: the command can never be accepted as it is, and submitting it again unchanged gets the same
     * answer. Examples: a command larger than the leader's limit of uncommitted bytes (the reason names the
     * limit); a session command whose session expired, or whose sequence was answered already and its
     * answer dropped because the session said it no longer awaits it. A client may open a new session, or
     * change the command, and try that.
     */
    record Refused(String reason) implements CommandResult {
    }
}
