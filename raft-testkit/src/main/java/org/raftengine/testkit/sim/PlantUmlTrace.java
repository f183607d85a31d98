package org.raftengine.testkit.sim;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Renders a trace as a PlantUML sequence diagram: one participant per node, an arrow per delivered
 * message (a lost one ends in a cross), a note whenever a node's role or term changes, and a divider
 * for every fault. Paste the text into any PlantUML renderer.
 */
public final class PlantUmlTrace {
    private static final Pattern ROUTE = Pattern.compile("^(\\S+) (\\S+)->(\\S+) (.*?)( #\\d+.*)?$");
    private static final Pattern DROP = Pattern.compile("^drop\\(([^)]*)\\) (.*)$");

    private PlantUmlTrace() {
    }

    /** The diagram of {@code rows}, for the nodes the first row shows. */
    public static String render(List<TraceRow> rows) {
        StringBuilder out = new StringBuilder("@startuml\n");
        if (rows.isEmpty()) {
            return out.append("@enduml\n").toString();
        }
        for (NodeState n : rows.get(0).nodes()) {
            out.append("participant ").append(n.nodeId()).append('\n');
        }
        Map<String, String> lastRole = new HashMap<>();
        for (TraceRow row : rows) {
            if (row.kind() == EventKind.DELIVER) {
                Matcher m = ROUTE.matcher(row.label());
                if (m.matches()) {
                    out.append(m.group(2)).append(" -> ").append(m.group(3)).append(" : ")
                            .append(m.group(1)).append(' ').append(clean(m.group(4))).append('\n');
                }
            } else if (row.kind() == EventKind.FAULT || row.kind() == EventKind.ACTION) {
                out.append("== ").append(row.timeMillis()).append(" ms: ").append(clean(row.label())).append(" ==\n");
            }
            for (String note : row.notes()) {
                Matcher drop = DROP.matcher(note);
                if (drop.matches()) {
                    Matcher m = ROUTE.matcher(drop.group(2));
                    if (m.matches()) {
                        out.append(m.group(2)).append(" ->x ").append(m.group(3)).append(" : ").append(m.group(1))
                                .append(" (").append(drop.group(1)).append(")\n");
                    }
                }
            }
            for (NodeState n : row.nodes()) {
                String role = n.role() + " t" + n.term();
                String before = lastRole.put(n.nodeId(), role);
                if (before != null && !before.equals(role)) {
                    out.append("hnote over ").append(n.nodeId()).append(" : ").append(roleName(n.role()))
                            .append(" term ").append(n.term()).append(" @").append(row.timeMillis()).append(" ms\n");
                }
            }
        }
        return out.append("@enduml\n").toString();
    }

    private static String roleName(char role) {
        return switch (role) {
            case 'L' -> "leader";
            case 'C' -> "candidate";
            case 'P' -> "pre-candidate";
            case 'F' -> "follower";
            default -> "down";
        };
    }

    private static String clean(String s) {
        // PlantUML reads a few characters specially in message text.
        return s.replace("\n", " ").replace(";", ",");
    }
}
