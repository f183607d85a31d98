package org.raftengine.testkit.nemesis;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.raftengine.core.CommandResult;
import org.raftengine.testkit.lin.AppendListModel;
import org.raftengine.testkit.lin.CheckResult;
import org.raftengine.testkit.lin.Input;
import org.raftengine.testkit.lin.LinearizabilityChecker;
import org.raftengine.testkit.lin.Operation;
import org.raftengine.testkit.lin.Output;
import org.raftengine.testkit.sim.ClientHistory;
import org.raftengine.testkit.sim.ClientOperation;
import org.raftengine.testkit.sim.SimStateMachine;

/**
 * Adapts a simulated cluster's {@link ClientHistory} to the linearizability checker: the replicated
 * service is one append-only list (key {@value #KEY}) and every submitted command is an append of its
 * text.
 *
 * <p>What each answer tells the checker:
 * <ul>
 *   <li>{@link CommandResult.Ok}: the append took effect; its output is its position in the list, read
 *   from the result the {@link SimStateMachine} returned ({@code "<n>:"} then the command, n counting the
 *   commands applied so far, this one included; see {@link SimStateMachine#resultFor}).</li>
 *   <li>{@link CommandResult.Retry} and {@link CommandResult.Redirect}: certainly not in the log, so no
 *   effect ({@link Output.Failed}). That promise itself is checked by the nemesis (RETRY-SAFE).</li>
 *   <li>{@link CommandResult.ApplicationError}: committed but refused by the state machine, which then
 *   counts nothing: no effect on the list either.</li>
 *   <li>{@link CommandResult.Indeterminate}, {@link CommandResult.Refused} (a session command refused by the
 *   session table may be a duplicate of one that was applied), or no answer at all: may or may not have
 *   taken effect.</li>
 *   <li>A session command re-submitted under its sequence is one operation (its first call to its last
 *   answer); a duplicate answered with the original outcome carries the original position.</li>
 * </ul>
 *
 * <p>A read ({@link SimStateMachine#isRead}) answered Ok must have seen exactly the list as it stood at
 * some point between its call and its answer; a read with any other answer, or none, changes nothing
 * and tells nothing, so it is left out.
 *
 * <p>This only holds when every command in the history is distinct and every command that reaches the
 * state machines went through {@link org.raftengine.testkit.sim.SimCluster#submit}, as in the nemesis.
 */
public final class LogLinearizability {

    /** The one key of the model. */
    public static final String KEY = "log";

    private LogLinearizability() {
    }

    /**
     * The history as checker operations.
     *
     * @throws IllegalArgumentException if an Ok answer does not carry the state machine's result for its
     *     own command (which is itself a wrong answer: the caller should report it)
     */
    public static List<Operation> operations(ClientHistory history) {
        List<ClientOperation> ops = history.operations();
        List<Operation> out = new ArrayList<>(ops.size());
        for (ClientOperation op : ops) {
            byte[] command = op.command();
            if (SimStateMachine.isRead(command)) {
                if (op.result() instanceof CommandResult.Ok ok) {
                    List<String> seen = SimStateMachine.parseReadResult(ok.result());
                    if (seen == null) {
                        throw new IllegalArgumentException(op + " is a read but was answered with "
                                + new String(ok.result(), StandardCharsets.UTF_8));
                    }
                    out.add(Operation.completed(op.id(), op.node(), KEY, Input.read(), Output.values(seen),
                            op.invokeNanos(), op.responseNanos()));
                }
                continue;
            }
            Input append = Input.append(new String(command, StandardCharsets.UTF_8));
            CommandResult r = op.result();
            if (r instanceof CommandResult.Ok ok) {
                out.add(Operation.completed(op.id(), op.node(), KEY, append,
                        Output.length(position(op, ok, command)), op.invokeNanos(), op.responseNanos()));
            } else if (r instanceof CommandResult.Retry || r instanceof CommandResult.Redirect
                    || r instanceof CommandResult.ApplicationError) {
                out.add(Operation.completed(op.id(), op.node(), KEY, append, Output.FAILED, op.invokeNanos(),
                        op.responseNanos()));
            } else {
                out.add(Operation.indeterminate(op.id(), op.node(), KEY, append, op.invokeNanos()));
            }
        }
        return out;
    }

    /** Checks the history against {@link AppendListModel} with a step budget (so the verdict replays). */
    public static CheckResult check(ClientHistory history, long maxSteps) {
        return LinearizabilityChecker.check(operations(history), new AppendListModel(), maxSteps);
    }

    private static int position(ClientOperation op, CommandResult.Ok ok, byte[] command) {
        byte[] result = ok.result();
        int colon = -1;
        for (int i = 0; i < result.length && i < 20; i++) {
            if (result[i] == ':') {
                colon = i;
                break;
            }
        }
        long n = -1;
        if (colon > 0) {
            try {
                n = Long.parseLong(new String(result, 0, colon, StandardCharsets.US_ASCII));
            } catch (NumberFormatException e) {
                n = -1;
            }
        }
        if (n <= 0 || n > Integer.MAX_VALUE || !Arrays.equals(result, SimStateMachine.resultFor(n, command))) {
            throw new IllegalArgumentException(op + " was answered with "
                    + new String(result, StandardCharsets.UTF_8) + ", not the state machine's result for its command");
        }
        return (int) n;
    }
}
