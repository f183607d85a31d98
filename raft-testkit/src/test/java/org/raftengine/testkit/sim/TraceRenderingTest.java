package org.raftengine.testkit.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A three-node election rendered as a table and as PlantUML. The rendering is also written to
 * {@code target/trace-example/} so docs/tracing.md can show a fresh one.
 */
class TraceRenderingTest {

    @Test
    void aThreeNodeElectionRendersAsATableAndAsPlantUml() throws Exception {
        SimCluster c = SimCluster.builder().seed(2).nodeCount(3).build();
        c.start();
        String leader = c.awaitLeader(Duration.ofSeconds(5));
        assertThat(leader).isNotNull();
        List<TraceRow> rows = c.simulation().trace();

        String table = TraceTable.render(rows);
        assertThat(table.lines().findFirst().orElseThrow()).contains("| n1").contains("| n2").contains("| n3");
        assertThat(table).contains("PreVote").contains("VoteResp");

        String uml = PlantUmlTrace.render(rows);
        assertThat(uml).startsWith("@startuml").endsWith("@enduml\n");
        assertThat(uml).contains("participant n1", "participant n2", "participant n3");
        assertThat(uml).containsPattern("n\\d -> n\\d : Vote ");
        assertThat(uml).contains("hnote over " + leader + " : leader term " + c.status(leader).term());

        Path dir = Path.of("target", "trace-example");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("election.txt"), table);
        Files.writeString(dir.resolve("election.puml"), uml);
    }
}
