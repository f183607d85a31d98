package org.raftengine.testkit.sim;

import java.util.List;
import java.util.Locale;

/**
 * One step of a simulation as recorded in the trace: the event that ran, what it caused (notes such as
 * messages sent or dropped), and every node's state after it.
 *
 * @param step      the step number, from 1, counting recorded rows
 * @param timeNanos the virtual time of the step
 * @param nodeId    the node the event belongs to, or {@code null}
 * @param kind      what kind of event it was
 * @param label     a short human description
 * @param notes     what happened during the step (sends, drops, faults), in order
 * @param nodes     every node's state after the step
 */
public record TraceRow(long step, long timeNanos, String nodeId, EventKind kind, String label,
                       List<String> notes, List<NodeState> nodes) {

    public TraceRow {
        notes = List.copyOf(notes);
        nodes = List.copyOf(nodes);
    }

    /** The time in milliseconds with three decimals, e.g. {@code "1250.004"}. */
    public String timeMillis() {
        return formatMillis(timeNanos);
    }

    static String formatMillis(long nanos) {
        return String.format(Locale.ROOT, "%.3f", nanos / 1_000_000.0);
    }

    /** The state of {@code id} in this row, or {@code null} if the row does not show it. */
    public NodeState node(String id) {
        for (NodeState s : nodes) {
            if (s.nodeId().equals(id)) {
                return s;
            }
        }
        return null;
    }
}
