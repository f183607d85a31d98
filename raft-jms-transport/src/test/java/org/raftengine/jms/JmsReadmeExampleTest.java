package org.raftengine.jms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import jakarta.jms.ConnectionFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.junit.jupiter.api.Test;
import org.raftengine.core.ClusterConfiguration;
import org.raftengine.core.ClusterSettings;
import org.raftengine.core.CommandResult;
import org.raftengine.core.RaftNode;
import org.raftengine.core.RaftNodeConfig;
import org.raftengine.core.Role;
import org.raftengine.core.log.InMemoryRaftLog;
import org.raftengine.core.wire.FrameAuthenticator;
import org.raftengine.jms.ThreeNodeCluster.Journal;
import org.raftengine.jms.brokers.ArtemisBroker;

/** The README's JMS sample, verbatim between the markers, run on an embedded Artemis broker over TCP. */
class JmsReadmeExampleTest {

    @Test
    void threeNodesOverAJmsBrokerCommitCommands() throws Exception {
        try (ArtemisBroker broker = new ArtemisBroker().start()) {
            String brokerUrl = "tcp://127.0.0.1:" + broker.tcpPort();
            String clusterSecret = "a secret of at least 16 bytes, from your configuration";
            List<RaftNode> nodes = new ArrayList<>();
            // README-JMS-START
            ConnectionFactory factory = new ActiveMQConnectionFactory(brokerUrl); // or your broker's factory
            ClusterConfiguration members = ClusterConfiguration.of(ClusterSettings.DEFAULTS, "n1", "n2", "n3");
            for (String id : List.of("n1", "n2", "n3")) { // in production: one node per server
                JmsTransportConfig transportConfig = JmsTransportConfig.of(id, "orders") // queue raft.orders.<id>
                        .withAuthenticator(FrameAuthenticator.fromSecrets(clusterSecret, null)); // optional HMAC
                RaftNodeConfig config = RaftNodeConfig.of(id, "orders");
                if (id.equals("n1")) {
                    config = config.withBootstrap(members); // exactly one node creates the cluster
                }
                RaftNode node = new RaftNode(config, new InMemoryRaftLog(),
                        new JmsTransport(factory, transportConfig), new Journal());
                node.start(); // starts the transport: it connects, and reconnects by itself after an outage
                nodes.add(node);
            }
            // README-JMS-END

            await().atMost(Duration.ofSeconds(60))
                    .until(() -> nodes.stream().anyMatch(n -> n.status().role() == Role.LEADER));
            int ok = 0;
            for (int attempt = 0; ok < 10 && attempt < 1_000; attempt++) {
                CommandResult result = nodes.get(attempt % 3).submit(("hello " + ok).getBytes(StandardCharsets.UTF_8))
                        .toCompletableFuture().get(30, TimeUnit.SECONDS);
                if (result instanceof CommandResult.Ok) {
                    ok++;
                }
            }
            for (RaftNode node : nodes) {
                node.stop().toCompletableFuture().get(30, TimeUnit.SECONDS);
            }
            assertThat(ok).isEqualTo(10);
        }
    }

    /** The README shows exactly the code between the markers above (less its indentation). */
    @Test
    void readmeShowsThisSampleVerbatim() throws Exception {
        String source = Files.readString(Path.of("src/test/java/org/raftengine/jms/JmsReadmeExampleTest.java"));
        String region = source.substring(source.indexOf("// README-JMS-START\n") + 20,
                source.indexOf("            // README-JMS-END"));
        String readme = Files.readString(Path.of("../README.md"));
        assertThat(readme).contains(region.stripTrailing().stripIndent());
    }
}
