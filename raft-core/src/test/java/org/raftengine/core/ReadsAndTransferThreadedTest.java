package org.raftengine.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.raftengine.core.log.InMemoryRaftLog;
import org.raftengine.core.transport.LocalNetwork;

/**
 * Linearizable reads and leadership transfer on real threads (the simulator covers the rules): queries run
 * on the apply thread and answer on the callback thread, and a stop answers every read still pending.
 */
class ReadsAndTransferThreadedTest {
    private final List<RaftNode> nodes = new ArrayList<>();

    @AfterEach
    void stopAll() throws Exception {
        for (RaftNode n : nodes) {
            n.stop().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    private List<RaftNode> cluster(String clusterId) {
        LocalNetwork network = new LocalNetwork();
        ClusterConfiguration members = ClusterConfiguration.of(ClusterSettings.DEFAULTS, "n1", "n2", "n3");
        for (String id : List.of("n1", "n2", "n3")) {
            RaftNodeConfig config = RaftNodeConfig.of(id, clusterId);
            if (id.equals("n1")) {
                config = config.withBootstrap(members);
            }
            RaftNode node = new RaftNode(config, new InMemoryRaftLog(), network.transport(id),
                    new ReadmeExampleTest.Journal());
            node.start();
            nodes.add(node);
        }
        return nodes;
    }

    private static CommandResult submitUntilOk(RaftNode node, String command) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) { // real threads: no leader yet, or a transfer under way
            CommandResult r = node.submit(command.getBytes(StandardCharsets.UTF_8)).toCompletableFuture()
                    .get(30, TimeUnit.SECONDS);
            if (r.isOk()) {
                return r;
            }
        }
        throw new AssertionError("never committed: " + command);
    }

    private static <T> ReadResult<T> readUntilOk(RaftNode node, java.util.function.Function<Object, T> query)
            throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            ReadResult<T> r = node.<T>read(query::apply).toCompletableFuture().get(30, TimeUnit.SECONDS);
            if (r.isOk()) {
                return r;
            }
        }
        throw new AssertionError("no read served by " + node.id());
    }

    @Test
    void readsOnEveryNodeAndATransfer() throws Exception {
        List<RaftNode> c = cluster("reads-threaded");
        submitUntilOk(c.get(1), "one");
        for (RaftNode n : c) {
            List<String> threads = new ArrayList<>();
            ReadResult<List<String>> r = readUntilOk(n, sm -> {
                threads.add(Thread.currentThread().getName());
                return List.copyOf(((ReadmeExampleTest.Journal) sm).lines);
            });
            assertThat(((ReadResult.Ok<List<String>>) r).value()).contains("one");
            // On the apply side: the Journal never blocks, so the node applies, and runs queries, on its
            // protocol thread (a state machine that may block gets an apply thread, and the query runs there).
            assertThat(threads).containsOnly("raft-" + n.id() + "-protocol");
        }
        TransferResult t = null;
        String target = null;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!(t instanceof TransferResult.Done) && System.nanoTime() < deadline) {
            // On real threads an election may still be settling: the node asked may have just lost office.
            RaftNode leader = c.stream().filter(n -> n.status().role() == Role.LEADER)
                    .max(java.util.Comparator.comparingLong(n -> n.status().term())).orElse(null);
            if (leader == null) {
                continue;
            }
            target = c.stream().filter(n -> n != leader).findFirst().orElseThrow().id();
            t = leader.transferLeadership(target).toCompletableFuture().get(30, TimeUnit.SECONDS);
            assertThat(t).isInstanceOfAny(TransferResult.Done.class, TransferResult.NotLeader.class,
                    TransferResult.TimedOut.class);
        }
        assertThat(t).isInstanceOf(TransferResult.Done.class);
        assertThat(((TransferResult.Done) t).leaderId()).isEqualTo(target);
        submitUntilOk(c.get(0), "two");
        for (RaftNode n : c) {
            ReadResult<List<String>> r = readUntilOk(n, sm -> List.copyOf(((ReadmeExampleTest.Journal) sm).lines));
            assertThat(((ReadResult.Ok<List<String>>) r).value()).contains("one", "two");
        }
    }

    @Test
    void stopAnswersPendingReads() throws Exception {
        List<RaftNode> c = cluster("reads-stop");
        submitUntilOk(c.get(0), "x");
        RaftNode follower = c.stream().filter(n -> n.status().role() != Role.LEADER).findFirst().orElseThrow();
        List<CompletableFuture<ReadResult<Object>>> reads = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            reads.add(follower.<Object>read(sm -> sm.lastApplied()).toCompletableFuture());
        }
        follower.stop().toCompletableFuture().get(10, TimeUnit.SECONDS);
        for (CompletableFuture<ReadResult<Object>> f : reads) {
            ReadResult<Object> r = f.get(10, TimeUnit.SECONDS);
            assertThat(r).isInstanceOfAny(ReadResult.Ok.class, ReadResult.Retry.class);
        }
        assertThat(follower.read(sm -> sm).toCompletableFuture().get(1, TimeUnit.SECONDS))
                .isInstanceOf(ReadResult.Retry.class);
    }
}
