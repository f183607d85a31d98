package org.raftengine.testkit.sim;

import org.raftengine.core.CommandResult;

/**
 * One client call in a {@link ClientHistory}: what was submitted where and when, and how and when it
 * ended. An operation with no response yet (or ever: its node crashed) counts as indeterminate, as
 * does one answered {@link CommandResult.Indeterminate}.
 */
public final class ClientOperation {
    private final long id;
    private final String node;
    private final byte[] command;
    private final long invokeNanos;
    private long responseNanos = -1;
    private CommandResult result;

    ClientOperation(long id, String node, byte[] command, long invokeNanos) {
        this.id = id;
        this.node = node;
        this.command = command.clone();
        this.invokeNanos = invokeNanos;
    }

    /** Number of this operation in its history, from 1. */
    public long id() {
        return id;
    }

    /** The node the command was submitted to. */
    public String node() {
        return node;
    }

    /** The command (a copy). */
    public byte[] command() {
        return command.clone();
    }

    /** Virtual time of the call. */
    public long invokeNanos() {
        return invokeNanos;
    }

    /** Virtual time of the response, or -1 while there is none. */
    public long responseNanos() {
        return responseNanos;
    }

    /** The outcome, or {@code null} while there is none. */
    public CommandResult result() {
        return result;
    }

    /** True once a response arrived. */
    public boolean isComplete() {
        return result != null;
    }

    /** True if it was acknowledged as committed and applied. */
    public boolean isOk() {
        return result instanceof CommandResult.Ok;
    }

    /** True if it may or may not have taken effect: no response, or an indeterminate one. */
    public boolean isIndeterminate() {
        return result == null || result instanceof CommandResult.Indeterminate;
    }

    boolean complete(long nanos, CommandResult outcome) {
        if (result != null) {
            return false;
        }
        responseNanos = nanos;
        result = outcome;
        return true;
    }

    @Override
    public String toString() {
        return "op" + id + " " + node + " " + MessageLabels.printable(command, 40) + " @"
                + TraceRow.formatMillis(invokeNanos) + "ms -> " + MessageLabels.describe(result)
                + (responseNanos >= 0 ? " @" + TraceRow.formatMillis(responseNanos) + "ms" : "");
    }
}
