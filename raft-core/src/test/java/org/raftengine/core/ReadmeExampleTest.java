package org.raftengine.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.raftengine.core.log.InMemoryRaftLog;
import org.raftengine.core.spi.StateMachine;
import org.raftengine.core.transport.LocalNetwork;

/**
 * The README's first sample, verbatim between the markers, so it cannot rot: a 3-node cluster in one
 * JVM on the in-memory assists, submitting commands.
 */
class ReadmeExampleTest {

    // README-SAMPLE-START
    /** The application's state: a list of strings, and the index of the last entry it applied. */
    static final class Journal implements StateMachine {
        final List<String> lines = new ArrayList<>();
        long applied;

        @Override
        public synchronized byte[] apply(long index, byte[] command) {
            lines.add(new String(command, StandardCharsets.UTF_8));
            applied = index;
            return ("line " + lines.size()).getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public synchronized void recordApplied(long index) {
            applied = index;
        }

        @Override
        public synchronized long lastApplied() {
            return applied;
        }

        @Override
        public boolean neverBlocks() {
            return true; // all in memory: the node may apply on its protocol thread, one hand-off fewer
        }
    }

    @Test
    void threeNodeClusterCommitsCommands() throws Exception {
        LocalNetwork network = new LocalNetwork();
        ClusterConfiguration members = ClusterConfiguration.of(ClusterSettings.DEFAULTS, "n1", "n2", "n3");
        List<RaftNode> nodes = new ArrayList<>();
        List<Journal> journals = new ArrayList<>();
        for (String id : List.of("n1", "n2", "n3")) {
            RaftNodeConfig config = RaftNodeConfig.of(id, "readme-cluster");
            if (id.equals("n1")) {
                config = config.withBootstrap(members); // exactly one node creates the cluster
            }
            Journal journal = new Journal();
            RaftNode node = new RaftNode(config, new InMemoryRaftLog(), network.transport(id), journal);
            node.start();
            nodes.add(node);
            journals.add(journal);
        }

        // Any node takes commands: followers forward them to the leader.
        for (int i = 1; i <= 10; i++) {
            RaftNode node = nodes.get(i % 3);
            CommandResult result = node.submit(("hello " + i).getBytes(StandardCharsets.UTF_8))
                    .toCompletableFuture().get(30, TimeUnit.SECONDS);
            if (result instanceof CommandResult.Retry) { // no leader yet: try again
                i--;
                continue;
            }
            assertThat(result).isInstanceOf(CommandResult.Ok.class);
        }
        // README-SAMPLE-END

        RaftNode leader = nodes.stream().filter(n -> n.status().role() == Role.LEADER).findFirst().orElseThrow();
        long commit = leader.status().commitIndex();
        for (RaftNode n : nodes) {
            n.stop().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        assertThat(journals.get(0).lines).hasSize(10).startsWith("hello 1", "hello 2");
        assertThat(commit).isGreaterThanOrEqualTo(12); // configuration + term-start entry + 10 commands
    }

    /** The README shows exactly the code between the markers above (less its indentation). */
    @Test
    void readmeShowsThisSampleVerbatim() throws Exception {
        String source = Files.readString(Path.of("src/test/java/org/raftengine/core/ReadmeExampleTest.java"));
        String region = source.substring(source.indexOf("// README-SAMPLE-START\n") + 23,
                source.indexOf("        // README-SAMPLE-END"));
        String readme = Files.readString(Path.of("../README.md"));
        assertThat(readme).contains(region.stripTrailing().stripIndent());
    }
}
