package org.raftengine.cdi.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.smallrye.config.inject.ConfigExtension;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
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

/** A node whose observer fails a command with a bug: the node marks its log broken, and both checks go DOWN. */
@EnableWeld
class BrokenLogHealthTest {

    @WeldSetup
    WeldInitiator weld = WeldInitiator.from(WeldInitiator.createWeld()
                    .addBeanClasses(RaftNodeProducer.class, RaftClient.class, RaftReadinessCheck.class,
                            RaftLivenessCheck.class, Poison.class)
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
    @Inject
    RaftClient client;

    @BeforeAll
    static void settings() {
        SingleNodeSettings.set();
    }

    @AfterAll
    static void clear() {
        SingleNodeSettings.clear();
    }

    @Test
    void aBrokenLogIsNeitherReadyNorLive() {
        Awaitility.await().atMost(Duration.ofSeconds(30))
                .until(() -> readiness.call().getStatus() == HealthCheckResponse.Status.UP);
        assertThat(liveness.call().getStatus()).isEqualTo(HealthCheckResponse.Status.UP);

        client.submit("poison".getBytes(StandardCharsets.UTF_8));

        Awaitility.await().atMost(Duration.ofSeconds(60))
                .until(() -> liveness.call().getStatus() == HealthCheckResponse.Status.DOWN);
        assertThat(liveness.call().getData().orElseThrow()).containsEntry("logBroken", true);
        HealthCheckResponse ready = readiness.call();
        assertThat(ready.getStatus()).isEqualTo(HealthCheckResponse.Status.DOWN);
        assertThat(ready.getData().orElseThrow()).containsEntry("logBroken", true);
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> node.status().role() == Role.STOPPED);
    }
}
