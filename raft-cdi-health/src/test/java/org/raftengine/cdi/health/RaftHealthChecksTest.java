package org.raftengine.cdi.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.smallrye.config.inject.ConfigExtension;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;
import org.jboss.weld.junit5.EnableWeld;
import org.jboss.weld.junit5.WeldInitiator;
import org.jboss.weld.junit5.WeldSetup;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.raftengine.cdi.RaftClient;
import org.raftengine.cdi.RaftNodeProducer;
import org.raftengine.core.RaftNode;
import org.raftengine.core.Role;

/** One node (memory log, local transport) in Weld SE, its checks called as a health implementation would. */
@EnableWeld
class RaftHealthChecksTest {

    @WeldSetup
    WeldInitiator weld = WeldInitiator.from(WeldInitiator.createWeld()
                    .addBeanClasses(RaftNodeProducer.class, RaftClient.class, RaftReadinessCheck.class,
                            RaftLivenessCheck.class)
                    .addExtensions(new ConfigExtension()))
            .build();

    @Inject
    @Readiness
    RaftReadinessCheck readiness;
    @Inject
    @Liveness
    RaftLivenessCheck liveness;
    @Inject
    RaftNode node;

    @BeforeAll
    static void settings() {
        SingleNodeSettings.set();
    }

    @AfterAll
    static void clear() {
        SingleNodeSettings.clear();
    }

    @Test
    void readyOnceTheNodeLeadsAndNotOnceItStopped() throws Exception {
        Awaitility.await().atMost(Duration.ofSeconds(30))
                .until(() -> readiness.call().getStatus() == HealthCheckResponse.Status.UP);

        HealthCheckResponse ready = readiness.call();
        assertThat(ready.getName()).isEqualTo("raft");
        Map<String, Object> data = ready.getData().orElseThrow();
        assertThat(data).containsEntry("node", "n1").containsEntry("role", "LEADER").containsEntry("leader", "n1")
                .containsEntry("logBroken", false);
        assertThat((Long) data.get("term")).isPositive();
        assertThat((Long) data.get("commitIndex")).isEqualTo(node.status().commitIndex()).isPositive();
        assertThat(data).containsKey("appliedIndex");

        HealthCheckResponse alive = liveness.call();
        assertThat(alive.getName()).isEqualTo("raft");
        assertThat(alive.getStatus()).isEqualTo(HealthCheckResponse.Status.UP);

        node.stop().toCompletableFuture().get(30, TimeUnit.SECONDS);
        assertThat(node.status().role()).isEqualTo(Role.STOPPED);
        HealthCheckResponse stopped = readiness.call();
        assertThat(stopped.getStatus()).as("a stopped node is not ready").isEqualTo(HealthCheckResponse.Status.DOWN);
        assertThat(stopped.getData().orElseThrow()).containsEntry("role", "STOPPED");
        assertThat(liveness.call().getStatus()).as("stopped is not broken").isEqualTo(HealthCheckResponse.Status.UP);
    }
}
