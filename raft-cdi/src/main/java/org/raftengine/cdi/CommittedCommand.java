package org.raftengine.cdi;

import java.util.Objects;

/**
 * A committed command being applied: its log index, its bytes, and the result the client that submitted it
 * will get. Fired as {@code @Committed CommittedCommand} for every command; an observer of a typed command
 * takes it as a parameter ({@code @Committed CommittedCommand command}) to set the result.
 */
public final class CommittedCommand {
    private static final byte[] EMPTY = new byte[0];

    private final long index;
    private final byte[] command;
    private final Object typed;
    private byte[] result = EMPTY;

    CommittedCommand(long index, byte[] command, Object typed) {
        this.index = index;
        this.command = command;
        this.typed = typed;
    }

    /** The command's index in the log: the same on every replica. */
    public long index() {
        return index;
    }

    /** The command's bytes, as submitted (do not modify them). */
    public byte[] command() {
        return command;
    }

    /** The typed command these bytes decode to (see {@link RaftCommand}), or {@code null}. */
    public Object typed() {
        return typed;
    }

    /** Sets the result the client gets (empty unless set). Deterministic, like everything an observer does. */
    public void result(byte[] result) {
        this.result = Objects.requireNonNull(result, "result");
    }

    /** The result set so far. */
    public byte[] result() {
        return result;
    }

    @Override
    public String toString() {
        return "CommittedCommand[index=" + index + ", " + command.length + " bytes"
                + (typed != null ? ", " + typed.getClass().getSimpleName() : "") + "]";
    }
}
