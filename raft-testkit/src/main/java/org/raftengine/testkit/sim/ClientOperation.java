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
    /** A linearizable read (ReadIndex), not a command: nothing goes into the log. */
    private final boolean linearizableRead;
    private long responseNanos = -1;
    private CommandResult result;
    /** Submissions of it: more than 1 for a session command re-submitted under its sequence. */
    private int attempts = 1;
    /** An earlier attempt may have put it in the log. */
    private boolean earlierAttemptMayBeInLog;

    ClientOperation(long id, String node, byte[] command, long invokeNanos) {
        this(id, node, command, invokeNanos, false);
    }

    ClientOperation(long id, String node, byte[] command, long invokeNanos, boolean linearizableRead) {
        this.linearizableRead = linearizableRead;
        this.id = id;
        this.node = node;
        this.command = command.clone();
        this.invokeNanos = invokeNanos;
    }

    /** Number of this operation in its history, from 1. */
    public long id() {
        return id;
    }

    /**
     * True for a linearizable read ({@link SimCluster#read}): its {@link #command()} is a label that starts with
     * {@link SimStateMachine#READ_MARKER}, an Ok result carries the read index and what the query saw
     * ({@link SimStateMachine#readResult}), and it is never in a log.
     */
    public boolean isLinearizableRead() {
        return linearizableRead;
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

    /** Times it was submitted: more than once for a session command re-submitted under its sequence. */
    public int attempts() {
        return attempts;
    }

    /**
     * A session command is submitted again under its sequence: one operation still, open again until the
     * new attempt answers. Only while it has no definite outcome (none, or indeterminate).
     */
    boolean reopen() {
        if (!isIndeterminate()) {
            return false;
        }
        earlierAttemptMayBeInLog = true;
        attempts++;
        result = null;
        responseNanos = -1;
        return true;
    }

    boolean complete(long nanos, CommandResult outcome) {
        if (result != null) {
            return false;
        }
        if (earlierAttemptMayBeInLog && (outcome instanceof CommandResult.Retry
                || outcome instanceof CommandResult.Redirect)) {
            // That attempt is in no log, but an earlier one may be: the operation as a whole is not certain.
            outcome = new CommandResult.Indeterminate("this attempt " + MessageLabels.describe(outcome)
                    + ", an earlier one may be in the log");
        }
        responseNanos = nanos;
        result = outcome;
        return true;
    }

    @Override
    public String toString() {
        return "op" + id + " " + node + " " + MessageLabels.printable(command, 40) + " @"
                + TraceRow.formatMillis(invokeNanos) + "ms -> " + MessageLabels.describe(result)
                + (responseNanos >= 0 ? " @" + TraceRow.formatMillis(responseNanos) + "ms" : "")
                + (attempts > 1 ? " (" + attempts + " attempts)" : "");
    }
}
