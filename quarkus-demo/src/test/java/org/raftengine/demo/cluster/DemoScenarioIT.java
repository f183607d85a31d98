package org.raftengine.demo.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.raftengine.demo.LeaderForwarder;

/**
 * bin/demo's scenario, run in the build so that it cannot rot: the four nodes as processes on the HTTP transport (no
 * broker; {@link ChaosIT} runs the JMS one), a leader SIGKILLed, the old leader caught up, a snapshot, a fresh node
 * added through a follower and caught up from the snapshot, a transfer, every node checked. Then the leader's
 * requests on a follower: forwarded to the leader, or, forwarded already, a problem naming the leader.
 */
class DemoScenarioIT {
    private static final Duration HTTP = Duration.ofSeconds(30);

    @Test
    void theDemoRunsToItsOkLine() {
        Path app = Path.of(System.getProperty("demo.app", "target/quarkus-app/quarkus-run.jar"));
        DemoCluster cluster = new DemoCluster(new DemoCluster.Options(Path.of("target/demo-it"), app,
                DemoCluster.Transport.HTTP, false, 320, Map.of()));
        try {
            String summary = DemoScenario.run(cluster);
            assertThat(summary).as("the summary line").matches(
                    "demo: OK, leader failover in [0-9]+\\.[0-9] s, [0-9]+ assignments acknowledged, 0 lost");

            String leader = cluster.awaitLeader(null, Duration.ofSeconds(30));
            NodeProcess follower = cluster.running().stream().filter(n -> !n.id().equals(leader)).findFirst()
                    .orElseThrow();
            Api api = cluster.api();
            Api.Reply removed = api.send("DELETE", follower.url(), "/cluster/members/n9", null, Map.of(), HTTP);
            assertThat(removed.status()).as("removing a non-member through " + follower.id() + ": " + removed)
                    .isEqualTo(200);
            assertThat(removed.body().path("voters").size()).isEqualTo(4);

            Api.Reply refused = api.send("POST", follower.url(), "/cluster/leader", Map.of("target", leader),
                    Map.of(LeaderForwarder.FORWARDED, "n9"), HTTP);
            assertThat(refused.status()).as("a forwarded request to a follower: " + refused).isEqualTo(503);
            assertThat(refused.body().path("type").asText()).isEqualTo("urn:raftengine:demo:problem:not-leader");
            assertThat(refused.body().path("leader").asText()).isEqualTo(leader);
            assertThat(refused.body().path("leaderUrl").asText()).isEqualTo(cluster.node(leader).url().toString());
        } finally {
            cluster.close();
        }
        assertThat(cluster.running()).as("nodes still running after close").isEmpty();
    }
}
