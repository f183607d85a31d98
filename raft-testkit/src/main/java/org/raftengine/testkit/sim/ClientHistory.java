package org.raftengine.testkit.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.raftengine.core.CommandResult;

/**
 * The record of every client operation of a run, in invocation order, for the durability check and
 * the linearizability checker. Acknowledgements are also kept in the order they arrived.
 */
public final class ClientHistory {
    private final List<ClientOperation> operations = new ArrayList<>();
    private final List<ClientOperation> acknowledged = new ArrayList<>();

    /** Records a call; complete it with {@link #complete}. */
    public ClientOperation invoke(String node, byte[] command, long invokeNanos) {
        ClientOperation op = new ClientOperation(operations.size() + 1, Objects.requireNonNull(node, "node"),
                Objects.requireNonNull(command, "command"), invokeNanos);
        operations.add(op);
        return op;
    }

    /**
     * Records a linearizable read (nothing in the log); {@code label} must start with
     * {@link SimStateMachine#READ_MARKER}. Complete it with {@link #complete}: an Ok result carries the read
     * index and {@link SimStateMachine#readResult} of what the query saw.
     */
    public ClientOperation invokeRead(String node, byte[] label, long invokeNanos) {
        if (!SimStateMachine.isRead(label)) {
            throw new IllegalArgumentException("a read's label starts with " + (char) SimStateMachine.READ_MARKER);
        }
        ClientOperation op = new ClientOperation(operations.size() + 1, Objects.requireNonNull(node, "node"),
                label, invokeNanos, true);
        operations.add(op);
        return op;
    }

    /**
     * Records the response of {@code op}; a second response for the same operation is ignored. An Ok of a
     * linearizable read is not an acknowledged command: it is not in {@link #acknowledged()}.
     *
     * @return false if it already had one
     */
    public boolean complete(ClientOperation op, long responseNanos, CommandResult result) {
        Objects.requireNonNull(result, "result");
        if (!op.complete(responseNanos, result)) {
            return false;
        }
        if (result instanceof CommandResult.Ok && !op.isLinearizableRead()) {
            acknowledged.add(op);
        }
        return true;
    }

    /**
     * {@code op}, a session command, is submitted again under its sequence: it stays one operation, from its
     * first call to the answer of the last attempt.
     *
     * @return false if it already has a definite outcome
     */
    public boolean reopen(ClientOperation op) {
        return op.reopen();
    }

    /** Every operation, in invocation order. */
    public List<ClientOperation> operations() {
        return List.copyOf(operations);
    }

    /** Commands (not linearizable reads) answered {@link CommandResult.Ok}, in the order the answers came. */
    public List<ClientOperation> acknowledged() {
        return List.copyOf(acknowledged);
    }

    /** Number of acknowledged operations (for incremental readers). */
    public int acknowledgedCount() {
        return acknowledged.size();
    }

    /** The {@code position}-th acknowledged operation, from 0. */
    public ClientOperation acknowledgedAt(int position) {
        return acknowledged.get(position);
    }

    /** Number of operations. */
    public int size() {
        return operations.size();
    }
}
