package org.raftengine.core.wire;

import java.util.Objects;

/**
 * The data of a {@link org.raftengine.core.spi.EntryType#SESSION_COMMAND SESSION_COMMAND} log entry (and of a
 * forwarded command): which client session sent the command, as which of its sequence numbers, the lowest
 * sequence the session still awaits an answer for (results below it may be dropped), the leader's time
 * when it appended the entry, then the application's command. Encoded by {@link SessionCommandCodec}.
 *
 * @param clientId         the session's id: never blank
 * @param sequence         the command's number within its session, from 1
 * @param lowestUnanswered the lowest sequence whose answer the session still awaits; at most {@code sequence}
 * @param leaderTimeMillis the appending leader's clock in ms since the epoch (0 in a forward: the leader
 *                         stamps it); drives session expiry on every replica alike
 * @param opens            this is the first submission of {@code sequence}, so it may open the session if the
 *                         cluster does not know it (with {@code lowestUnanswered} as its mark); a command
 *                         submitted again, or a forward re-sent, never opens one: it could be a duplicate of a
 *                         command applied under a session that has expired since
 * @param command          the application's command, handed to the state machine as it is
 */
public record SessionCommand(String clientId, long sequence, long lowestUnanswered, long leaderTimeMillis,
                             boolean opens, byte[] command) {

    /**
     * @throws IllegalArgumentException if the id is blank, the sequence not positive, or the lowest unanswered
     *                                  sequence not between 1 and {@code sequence}
     */
    public SessionCommand {
        Objects.requireNonNull(clientId, "clientId");
        Objects.requireNonNull(command, "command");
        if (clientId.isBlank()) {
            throw new IllegalArgumentException("a session's client id is never blank");
        }
        if (sequence < 1) {
            throw new IllegalArgumentException("sequence " + sequence + " is not positive");
        }
        if (lowestUnanswered < 1 || lowestUnanswered > sequence) {
            throw new IllegalArgumentException("lowest unanswered sequence " + lowestUnanswered
                    + " is not between 1 and the sequence " + sequence);
        }
    }

    /** The same command stamped with the leader's time. */
    public SessionCommand stamped(long timeMillis) {
        return new SessionCommand(clientId, sequence, lowestUnanswered, timeMillis, opens, command);
    }

    /** The same command, not opening a session: a copy sent again. */
    public SessionCommand notOpening() {
        return opens ? new SessionCommand(clientId, sequence, lowestUnanswered, leaderTimeMillis, false, command) : this;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SessionCommand c && clientId.equals(c.clientId) && sequence == c.sequence
                && lowestUnanswered == c.lowestUnanswered && leaderTimeMillis == c.leaderTimeMillis
                && opens == c.opens && java.util.Arrays.equals(command, c.command);
    }

    @Override
    public int hashCode() {
        return clientId.hashCode() * 31 + Long.hashCode(sequence);
    }

    @Override
    public String toString() {
        return "SessionCommand[" + clientId + "#" + sequence + " low=" + lowestUnanswered + " t=" + leaderTimeMillis
                + (opens ? " opens" : "") + " " + command.length + "B]";
    }
}
