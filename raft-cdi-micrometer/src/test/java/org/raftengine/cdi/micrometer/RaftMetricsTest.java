package org.raftengine.cdi.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.config.inject.ConfigExtension;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.jboss.weld.junit5.EnableWeld;
import org.jboss.weld.junit5.WeldInitiator;
import org.jboss.weld.junit5.WeldSetup;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.raftengine.cdi.RaftClient;
import org.raftengine.cdi.RaftNodeProducer;
import org.raftengine.core.CommandResult;
import org.raftengine.core.NodeStatus;
import org.raftengine.core.RaftNode;
import org.raftengine.core.Role;

/** One node (memory log, local transport) in Weld SE with a SimpleMeterRegistry bean. */
@EnableWeld
class RaftMetricsTest {

    @WeldSetup
    WeldInitiator weld = WeldInitiator.from(WeldInitiator.createWeld()
                    .addBeanClasses(RaftNodeProducer.class, RaftClient.class, RaftMetrics.class, TestRegistry.class,
                            Rejecting.class)
                    .addExtensions(new ConfigExtension()))
            .build();

    @Inject
    MeterRegistry registry;
    @Inject
    RaftNode node;
    @Inject
    RaftClient client;

    @BeforeAll
    static void settings() {
        System.setProperty("raft.node-id", "n1");
        System.setProperty("raft.cluster-id", "metrics");
        System.setProperty("raft.members", "n1");
        System.setProperty("raft.bootstrap", "true");
        System.setProperty("raft.transport", "local");
        System.setProperty("raft.log", "memory");
    }

    @AfterAll
    static void clear() {
        for (String p : new String[] {"raft.node-id", "raft.cluster-id", "raft.members", "raft.bootstrap",
                "raft.transport", "raft.log"}) {
            System.clearProperty(p);
        }
    }

    @Test
    void gaugesReadTheNodeAndCommandsAreCountedByOutcome() throws Exception {
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> node.status().role() == Role.LEADER);

        for (String command : new String[] {"a", "b", "bad", "c"}) {
            client.submit(command.getBytes(StandardCharsets.UTF_8)).toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
        Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(count("ok")).isEqualTo(3.0);
            assertThat(count("application_error")).isEqualTo(1.0);
        });

        NodeStatus s = node.status();
        assertThat(s.commitIndex()).isGreaterThanOrEqualTo(5);
        assertThat(gauge("raft.term")).isEqualTo(s.term()).isPositive();
        assertThat(gauge("raft.commit.index")).isEqualTo(s.commitIndex());
        assertThat(gauge("raft.applied.index")).isEqualTo(s.appliedIndex()).isEqualTo(s.commitIndex());
        assertThat(gauge("raft.last.index")).isEqualTo(s.lastIndex());
        assertThat(registry.get("raft.role").tags("node", "n1", "cluster", "metrics", "role", "LEADER").gauge()
                .value()).isEqualTo(1.0);
        assertThat(registry.get("raft.role").tag("role", "FOLLOWER").gauge().value()).isEqualTo(0.0);
        assertThat(registry.get("raft.apply.failures").functionCounter().count()).isEqualTo(0.0);
        assertThat(registry.find("raft.follower.lag").gauges()).as("a single node has no followers").isEmpty();
    }

    @Test
    void followerLagIsTheLeadersLastIndexMinusTheFollowersMatchIndex() {
        NodeStatus leader = new NodeStatus("n1", Role.LEADER, 3, "n1", 120, 3, 110, 120, 110,
                Map.of("n2", 120L, "n3", 95L), 1, 0);
        assertThat(RaftMetrics.lag(leader, "n2")).isEqualTo(0.0);
        assertThat(RaftMetrics.lag(leader, "n3")).isEqualTo(25.0);
        assertThat(RaftMetrics.lag(leader, "n4")).isNaN();
        NodeStatus follower = new NodeStatus("n2", Role.FOLLOWER, 3, "n1", 120, 3, 110, 120, 110,
                Map.of("n3", 95L), 1, 0);
        assertThat(RaftMetrics.lag(follower, "n3")).isNaN();
    }

    private double count(String outcome) {
        var c = registry.find("raft.commands").tags("node", "n1", "cluster", "metrics", "outcome", outcome).counter();
        return c == null ? 0 : c.count();
    }

    private double gauge(String name) {
        return registry.get(name).tags("node", "n1", "cluster", "metrics").gauge().value();
    }
}
