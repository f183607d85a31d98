package org.raftengine.testkit.sim;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Renders trace rows as a fixed-width text table: one line per row, then one column group per node
 * (role, term, last index/term, commit, applied), then the notes of the step.
 *
 * <pre>
 *  step  time ms node event                              | n1                | n2                | notes
 *                                                        | R t  last  c  a   | R t  last  c  a   |
 *    12   50.000 n2   deliver AppendEntries n1-&gt;n2 ...  | L 3  5/3   4  4   | F 3  5/3   4  3   | send ...
 * </pre>
 */
public final class TraceTable {

    /** Labels longer than this are cut, so node columns stay aligned and readable. */
    public static final int MAX_EVENT_WIDTH = 72;

    private static final String[] SUB_HEADERS = {"R", "t", "last", "c", "a"};

    private TraceTable() {
    }

    /** The table for {@code rows}, with a header; node groups in the order the nodes first appear. */
    public static String render(List<TraceRow> rows) {
        Set<String> nodeIds = new LinkedHashSet<>();
        for (TraceRow r : rows) {
            for (NodeState s : r.nodes()) {
                nodeIds.add(s.nodeId());
            }
        }
        List<String> nodes = new ArrayList<>(nodeIds);

        int stepW = "step".length();
        int timeW = "time ms".length();
        int nodeW = "node".length();
        int eventW = "event".length();
        for (TraceRow r : rows) {
            stepW = Math.max(stepW, Long.toString(r.step()).length());
            timeW = Math.max(timeW, r.timeMillis().length());
            nodeW = Math.max(nodeW, r.nodeId() == null ? 1 : r.nodeId().length());
            eventW = Math.max(eventW, Math.min(MAX_EVENT_WIDTH, event(r).length()));
        }
        // One set of sub-column widths for every group, so the groups read alike.
        int[] subW = new int[SUB_HEADERS.length];
        for (int k = 0; k < SUB_HEADERS.length; k++) {
            subW[k] = SUB_HEADERS[k].length();
        }
        for (TraceRow r : rows) {
            for (NodeState s : r.nodes()) {
                String[] cells = cells(s);
                for (int k = 0; k < cells.length; k++) {
                    subW[k] = Math.max(subW[k], cells[k].length());
                }
            }
        }
        int subTotal = SUB_HEADERS.length - 1;
        for (int w : subW) {
            subTotal += w;
        }
        int[] groupW = new int[nodes.size()];
        for (int n = 0; n < nodes.size(); n++) {
            groupW[n] = Math.max(subTotal, nodes.get(n).length());
        }

        StringBuilder out = new StringBuilder();
        StringBuilder line = new StringBuilder();
        line.append(left("step", stepW)).append(' ').append(left("time ms", timeW)).append(' ')
                .append(left("node", nodeW)).append(' ').append(left("event", eventW));
        for (int n = 0; n < nodes.size(); n++) {
            line.append(" | ").append(left(nodes.get(n), groupW[n]));
        }
        line.append(" | notes");
        endLine(out, line);

        line.append(" ".repeat(stepW + timeW + nodeW + eventW + 3));
        for (int n = 0; n < nodes.size(); n++) {
            line.append(" | ").append(left(group(SUB_HEADERS, subW), groupW[n]));
        }
        line.append(" |");
        endLine(out, line);

        for (TraceRow r : rows) {
            line.append(right(Long.toString(r.step()), stepW)).append(' ')
                    .append(right(r.timeMillis(), timeW)).append(' ')
                    .append(left(r.nodeId() == null ? "-" : r.nodeId(), nodeW)).append(' ')
                    .append(left(cut(event(r), MAX_EVENT_WIDTH), eventW));
            for (int n = 0; n < nodes.size(); n++) {
                NodeState s = r.node(nodes.get(n));
                String cell = s == null ? "" : group(cells(s), subW);
                line.append(" | ").append(left(cell, groupW[n]));
            }
            line.append(" | ").append(String.join("; ", r.notes()));
            endLine(out, line);
        }
        return out.toString();
    }

    private static String event(TraceRow r) {
        return r.label().isEmpty() ? r.kind().shortName() : r.kind().shortName() + " " + r.label();
    }

    private static String[] cells(NodeState s) {
        return new String[] {String.valueOf(s.role()), Long.toString(s.term()),
            s.lastIndex() + "/" + s.lastTerm(), Long.toString(s.commit()), Long.toString(s.applied())};
    }

    private static String group(String[] cells, int[] widths) {
        StringBuilder sb = new StringBuilder();
        for (int k = 0; k < cells.length; k++) {
            if (k > 0) {
                sb.append(' ');
            }
            // Role and last index/term read best left-aligned, counters right-aligned.
            sb.append(k == 0 || k == 2 ? left(cells[k], widths[k]) : right(cells[k], widths[k]));
        }
        return sb.toString();
    }

    private static void endLine(StringBuilder out, StringBuilder line) {
        int end = line.length();
        while (end > 0 && line.charAt(end - 1) == ' ') {
            end--;
        }
        out.append(line, 0, end).append('\n');
        line.setLength(0);
    }

    private static String cut(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 2) + "..";
    }

    private static String left(String s, int w) {
        return s.length() >= w ? s : s + " ".repeat(w - s.length());
    }

    private static String right(String s, int w) {
        return s.length() >= w ? s : " ".repeat(w - s.length()) + s;
    }
}
