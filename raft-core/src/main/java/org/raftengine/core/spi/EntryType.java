package org.raftengine.core.spi;

/** What a log entry holds. The numeric {@link #code()} is part of the wire and storage format. */
public enum EntryType {
    /** A command of the application, applied to the {@link StateMachine}. */
    COMMAND(1),
    /** The entry a new leader appends at the start of its term (Raft paper, section 8). */
    NOOP(2),
    /** A {@code ClusterConfiguration}: members and cluster-wide settings. */
    CONFIGURATION(3),
    /**
     * A command of a client session: its data is a {@code SessionCommand} (client id, sequence, lowest
     * unanswered sequence, the leader's time, then the command; see {@code SessionCommandCodec}). The engine
     * applies the command to the {@link StateMachine} at most once per session and sequence.
     */
    SESSION_COMMAND(4);

    private final int code;

    EntryType(int code) {
        this.code = code;
    }

    /** The stable code used on the wire and in storage. */
    public int code() {
        return code;
    }

    /** The type with this code, or {@code null} if no type has it. */
    public static EntryType ofCode(int code) {
        return switch (code) {
            case 1 -> COMMAND;
            case 2 -> NOOP;
            case 3 -> CONFIGURATION;
            case 4 -> SESSION_COMMAND;
            default -> null;
        };
    }
}
