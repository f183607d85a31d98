package org.raftengine.testkit.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class TraceTableTest {

    private static List<NodeState> states(long commit) {
        return List.of(new NodeState("n1", 'L', 3, 12, 3, commit, commit),
                new NodeState("n2", 'F', 3, 11, 3, commit - 1, commit - 2),
                new NodeState("n3", '-', 2, 7, 2, 0, 5));
    }

    @Test
    void rendersOneLinePerRowWithAColumnGroupPerNode() {
        List<TraceRow> rows = List.of(
                new TraceRow(1, 1_500_000, "n1", EventKind.TIMER, "timer 50.000 ms", List.of(), states(10)),
                new TraceRow(2, 2_250_001, "n2", EventKind.DELIVER, "AppendEntries n1->n2 t3 prev=11/3 n=1 c=10 #4",
                        List.of("send AppendResp n2->n1 t3 ok m=12 #5"), states(11)),
                new TraceRow(3, 1_002_000_000, null, EventKind.FAULT, "crash n3", List.of(), states(11)));
        String table = TraceTable.render(rows);
        String[] lines = table.split("\n");
        assertThat(lines).hasSize(2 + rows.size());
        assertThat(lines[0]).contains("step", "time ms", "node", "event", "| n1", "| n2", "| n3", "| notes");
        assertThat(lines[1]).contains("R t last  c  a");
        assertThat(lines[2]).contains("1.500", "timer timer 50.000 ms", "L 3 12/3 10 10", "F 3 11/3  9  8",
                "- 2 7/2   0  5");
        assertThat(lines[3]).contains("2.250", "deliver AppendEntries n1->n2", "send AppendResp n2->n1");
        assertThat(lines[4]).contains("1002.000", "fault crash n3");
        // Node groups line up: each group's separator is at the same column on every row.
        int group2 = lines[0].indexOf("| n2");
        for (int i = 1; i < lines.length; i++) {
            assertThat(lines[i].charAt(group2)).as("line %d", i).isEqualTo('|');
        }
    }

    @Test
    void cutsLongLabelsButKeepsNotesWhole() {
        String longLabel = "x".repeat(200);
        String table = TraceTable.render(List.of(new TraceRow(1, 0, "n1", EventKind.NOTE, longLabel,
                List.of("y".repeat(100)), List.of())));
        assertThat(table).doesNotContain("x".repeat(TraceTable.MAX_EVENT_WIDTH)).contains("..")
                .contains("y".repeat(100));
    }

    @Test
    void anEmptyTraceHasJustTheHeader() {
        assertThat(TraceTable.render(List.of()).split("\n")).hasSize(2);
    }
}
