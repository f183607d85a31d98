package org.raftengine.demo.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * bin/demo's scenario, run in the build so that it cannot rot: the four nodes as processes on the HTTP transport (no
 * broker; {@link ChaosIT} runs the JMS one), a leader SIGKILLed, the old leader caught up, a snapshot, a fresh node
 * added through a follower and caught up from the snapshot, a transfer, every node checked.
 */
class DemoScenarioIT {

    @Test
    void theDemoRunsToItsOkLine() {
        Path app = Path.of(System.getProperty("demo.app", "target/quarkus-app/quarkus-run.jar"));
        DemoCluster cluster = new DemoCluster(new DemoCluster.Options(Path.of("target/demo-it"), app,
                DemoCluster.Transport.HTTP, false, 320, Map.of()));
        try {
            String summary = DemoScenario.run(cluster);
            assertThat(summary).as("the summary line").matches(
                    "demo: OK, leader failover in [0-9]+\\.[0-9] s, [0-9]+ assignments acknowledged, 0 lost");
        } finally {
            cluster.close();
        }
        assertThat(cluster.running()).as("nodes still running after close").isEmpty();
    }
}
