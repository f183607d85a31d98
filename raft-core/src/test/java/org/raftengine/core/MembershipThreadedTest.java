package org.raftengine.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.raftengine.core.log.InMemoryRaftLog;
import org.raftengine.core.spi.EntryType;
import org.raftengine.core.spi.LogEntry;
import org.raftengine.core.transport.LocalNetwork;
import org.raftengine.core.wire.ConfigurationCodec;

/**
 * Configuration changes on real threads, through the public API (the simulator covers the rules under faults):
 * a fresh node joins as a voter, a learner is promoted, the leader removes itself and hands over, settings
 * change through the log, and a second bootstrap makes an incarnation the first one refuses.
 */
class MembershipThreadedTest {
    private static final long WAIT_SECONDS = 30;
    private final LocalNetwork network = new LocalNetwork();
    private final Map<String, RaftNode> nodes = new LinkedHashMap<>();
    private final Map<String, InMemoryRaftLog> logs = new LinkedHashMap<>();
    private final Map<String, ReadmeExampleTest.Journal> journals = new LinkedHashMap<>();
    private final Map<String, AtomicReference<ClusterConfiguration>> told = new LinkedHashMap<>();

    @AfterEach
    void stopAll() throws Exception {
        for (RaftNode n : nodes.values()) {
            n.stop().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    private RaftNode start(String id, ClusterConfiguration bootstrap) {
        RaftNodeConfig config = RaftNodeConfig.of(id, "members-threaded");
        if (bootstrap != null) {
            config = config.withBootstrap(bootstrap);
        }
        InMemoryRaftLog log = new InMemoryRaftLog();
        ReadmeExampleTest.Journal journal = new ReadmeExampleTest.Journal();
        RaftNode node = new RaftNode(config, log, network.transport(id), journal);
        AtomicReference<ClusterConfiguration> last = new AtomicReference<>();
        node.addListener(new RaftListener() {
            @Override
            public void onConfigurationChange(ClusterConfiguration configuration, long index) {
                last.set(configuration);
            }
        });
        node.start();
        nodes.put(id, node);
        logs.put(id, log);
        journals.put(id, journal);
        told.put(id, last);
        return node;
    }

    private void threeNodes(ClusterSettings settings) {
        ClusterConfiguration members = ClusterConfiguration.of(settings, "n1", "n2", "n3");
        start("n1", members);
        start("n2", null);
        start("n3", null);
    }

    private static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("not within " + WAIT_SECONDS + " s: " + what);
            }
            LockSupport.parkNanos(2_000_000);
        }
    }

    private RaftNode leader() {
        await("a leader", () -> nodes.values().stream().anyMatch(n -> n.status().role() == Role.LEADER));
        return nodes.values().stream().filter(n -> n.status().role() == Role.LEADER).findFirst().orElseThrow();
    }

    private void submitUntilOk(String command) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (System.nanoTime() < deadline) { // real threads: no leader yet, or a change under way
            CommandResult r = leader().submit(command.getBytes(StandardCharsets.UTF_8)).toCompletableFuture()
                    .get(WAIT_SECONDS, TimeUnit.SECONDS);
            if (r.isOk()) {
                return;
            }
        }
        throw new AssertionError("never committed: " + command);
    }

    private static <T> T result(java.util.concurrent.CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(WAIT_SECONDS, TimeUnit.SECONDS);
    }

    private List<String> linesOf(String id) {
        ReadmeExampleTest.Journal j = journals.get(id);
        synchronized (j) {
            return List.copyOf(j.lines);
        }
    }

    @Test
    void aFreshNodeJoinsAsAVoterAndCatchesUp() throws Exception {
        threeNodes(ClusterSettings.DEFAULTS);
        for (int i = 0; i < 50; i++) {
            submitUntilOk("before " + i);
        }
        RaftNode fresh = start("n4", null);
        assertThat(fresh.status().voters()).as("a fresh node knows no configuration").isEmpty();

        ConfigurationResult added = result(leader().addVoter("n4"));

        assertThat(added).isInstanceOf(ConfigurationResult.Done.class);
        ClusterConfiguration c = ((ConfigurationResult.Done) added).configuration();
        assertThat(c.voters()).extracting(Member::id).containsExactly("n1", "n2", "n3", "n4");
        assertThat(c.quorum()).isEqualTo(3);
        await("n4 applies what was committed before it joined", () -> linesOf("n4").size() >= 50);
        assertThat(linesOf("n4").subList(0, 50)).isEqualTo(linesOf("n1").subList(0, 50));
        await("n4 sees itself a voter", () -> fresh.status().isVoter());
        // Asked again (a caller that did not see the answer): done, with the configuration that holds it; nothing
        // new is appended for it (the leader may meanwhile have appended one recording n4's storage id).
        ConfigurationResult again = result(leader().addVoter("n4"));
        assertThat(again).isInstanceOf(ConfigurationResult.Done.class);
        assertThat(((ConfigurationResult.Done) again).configuration().voters()).extracting(Member::id)
                .containsExactly("n1", "n2", "n3", "n4");
        assertThat(((ConfigurationResult.Done) again).index())
                .isGreaterThanOrEqualTo(((ConfigurationResult.Done) added).index());
        submitUntilOk("after");
        await("every node applies the command after the change", () -> nodes.keySet().stream()
                .allMatch(id -> linesOf(id).contains("after")));
    }

    @Test
    void aLearnerReceivesTheLogWithoutVotingThenIsPromoted() throws Exception {
        threeNodes(ClusterSettings.DEFAULTS);
        submitUntilOk("one");
        RaftNode learner = start("n4", null);

        assertThat(result(leader().addLearner("n4"))).isInstanceOf(ConfigurationResult.Done.class);
        await("the learner applies the log", () -> linesOf("n4").contains("one"));
        assertThat(leader().status().voters()).containsExactly("n1", "n2", "n3");
        assertThat(leader().status().learners()).containsExactly("n4");
        assertThat(leader().status().matchIndex()).containsKey("n4");
        assertThat(learner.status().role()).isEqualTo(Role.FOLLOWER);
        // A learner is not a voter: asking it to take over is refused, and it cannot be made a learner twice.
        assertThat(result(leader().transferLeadership("n4"))).isInstanceOf(TransferResult.InvalidTarget.class);
        assertThat(result(leader().addLearner("n4"))).isInstanceOf(ConfigurationResult.Done.class);

        assertThat(result(leader().addVoter("n4"))).isInstanceOf(ConfigurationResult.Done.class);
        assertThat(leader().status().voters()).containsExactly("n1", "n2", "n3", "n4");
        assertThat(leader().status().learners()).isEmpty();
        assertThat(result(leader().addLearner("n4"))).as("a voter is not made a learner")
                .isInstanceOf(ConfigurationResult.Rejected.class);
    }

    @Test
    void theLeaderRemovesItselfThenStepsDownAndAnotherLeads() throws Exception {
        threeNodes(ClusterSettings.DEFAULTS);
        submitUntilOk("one");
        RaftNode old = leader();

        ConfigurationResult removed = result(old.removeMember(old.id()));

        assertThat(removed).isInstanceOf(ConfigurationResult.Done.class);
        assertThat(((ConfigurationResult.Done) removed).configuration().isMember(old.id())).isFalse();
        await("another node leads", () -> nodes.values().stream()
                .anyMatch(n -> n != old && n.status().role() == Role.LEADER));
        await("the old leader steps down", () -> old.status().role() == Role.FOLLOWER);
        assertThat(old.status().isVoter()).isFalse();
        submitUntilOk("two");
        RaftNode now = leader();
        assertThat(now).isNotSameAs(old);
        assertThat(now.status().voters()).hasSize(2).doesNotContain(old.id());
        assertThat(result(now.removeMember(old.id()))).as("removing a non-member again: done")
                .isInstanceOf(ConfigurationResult.Done.class);
        // The last voter cannot go.
        String other = now.status().voters().stream().filter(v -> !v.equals(now.id())).findFirst().orElseThrow();
        assertThat(result(now.removeMember(other))).isInstanceOf(ConfigurationResult.Done.class);
        assertThat(result(leader().removeMember(leader().id()))).isInstanceOf(ConfigurationResult.Rejected.class);
    }

    @Test
    void settingsChangeThroughTheLogOnEveryNode() throws Exception {
        threeNodes(ClusterSettings.DEFAULTS.withPreVote(false));
        submitUntilOk("one");
        ClusterSettings next = ClusterSettings.DEFAULTS.withPreVote(true).withTimeouts(50, 400, 800);

        assertThat(result(leader().updateSettings(next))).isInstanceOf(ConfigurationResult.Done.class);

        await("every node runs with the new settings", () -> told.values().stream()
                .allMatch(c -> c.get() != null && c.get().settings().equals(next)));
        assertThat(result(leader().updateSettings(next))).as("the same settings again: done")
                .isInstanceOf(ConfigurationResult.Done.class);
        assertThat(result(nodes.values().stream().filter(n -> n.status().role() != Role.LEADER).findFirst()
                .orElseThrow().updateSettings(next))).isInstanceOf(ConfigurationResult.NotLeader.class);
        submitUntilOk("two");
    }

    @Test
    void aSecondBootstrapMakesAnotherIncarnationThatIsRefused() throws Exception {
        ClusterConfiguration members = ClusterConfiguration.of(ClusterSettings.DEFAULTS, "n1", "n2", "n3");
        start("n1", members);
        start("n2", members); // the deployment mistake: told to bootstrap too
        start("n3", null);
        submitUntilOk("one");

        await("the other incarnation's messages are refused", () -> nodes.values().stream()
                .mapToLong(RaftNode::foreignIncarnationRefused).sum() > 0);
        // No log mixes the two: every configuration entry of a log names one incarnation.
        for (String id : nodes.keySet()) {
            InMemoryRaftLog log = logs.get(id);
            List<Long> incarnations = new ArrayList<>();
            for (LogEntry e : log.read(log.firstIndex(), log.lastIndex(), Long.MAX_VALUE)) {
                if (e.type() == EntryType.CONFIGURATION) {
                    long inc = ConfigurationCodec.decode(e.data()).incarnation();
                    assertThat(inc).isNotZero();
                    if (!incarnations.contains(inc)) {
                        incarnations.add(inc);
                    }
                }
            }
            assertThat(incarnations).as("incarnations in %s's log", id).hasSize(1);
        }
        assertThat(told.get("n1").get().incarnation()).isNotEqualTo(told.get("n2").get().incarnation());
    }
}
