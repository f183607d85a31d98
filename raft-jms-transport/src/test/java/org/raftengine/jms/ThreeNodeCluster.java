package org.raftengine.jms;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.raftengine.core.ClusterConfiguration;
import org.raftengine.core.ClusterSettings;
import org.raftengine.core.CommandResult;
import org.raftengine.core.RaftNode;
import org.raftengine.core.RaftNodeConfig;
import org.raftengine.core.Role;
import org.raftengine.core.log.InMemoryRaftLog;
import org.raftengine.core.spi.StateMachine;
import org.raftengine.core.spi.Transport;

/** Three real nodes n1, n2, n3 with in-memory logs and a journal each, over the transports given; n1 bootstraps. */
final class ThreeNodeCluster implements AutoCloseable {

    static final List<String> IDS = List.of("n1", "n2", "n3");
    private static final Duration WAIT = Duration.ofSeconds(60);

    /** The application's state: the commands, in the order applied. */
    static final class Journal implements StateMachine {
        private final List<String> commands = new ArrayList<>();
        private long applied;

        @Override
        public synchronized byte[] apply(long index, byte[] command) {
            commands.add(new String(command, StandardCharsets.UTF_8));
            applied = index;
            return new byte[0];
        }

        @Override
        public synchronized void recordApplied(long index) {
            applied = index;
        }

        @Override
        public synchronized long lastApplied() {
            return applied;
        }

        synchronized List<String> appliedCommands() {
            return List.copyOf(commands);
        }
    }

    final List<RaftNode> nodes = new ArrayList<>();
    final List<Journal> journals = new ArrayList<>();

    ThreeNodeCluster(String clusterId, Function<String, Transport> transportFor) {
        ClusterConfiguration members = ClusterConfiguration.of(ClusterSettings.DEFAULTS, "n1", "n2", "n3");
        for (String id : IDS) {
            RaftNodeConfig config = RaftNodeConfig.of(id, clusterId);
            if (id.equals("n1")) {
                config = config.withBootstrap(members);
            }
            Journal journal = new Journal();
            RaftNode node = new RaftNode(config, new InMemoryRaftLog(), transportFor.apply(id), journal);
            node.start();
            nodes.add(node);
            journals.add(journal);
        }
    }

    /** The node that is leader now, or {@code null}. */
    RaftNode leader() {
        return nodes.stream().filter(n -> n.status().role() == Role.LEADER).findFirst().orElse(null);
    }

    /** The leader, or n1 when none is known (it forwards, or answers Retry). */
    RaftNode leaderOrAny() {
        RaftNode leader = leader();
        return leader != null ? leader : nodes.get(0);
    }

    /** Stops every node, each within a minute. */
    @Override
    public void close() throws ExecutionException, TimeoutException {
        for (RaftNode node : nodes) {
            try {
                node.stop().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while stopping " + node.id(), e);
            }
        }
    }

    /**
     * Closed-loop clients: at most {@code window} commands in flight, each sent to the leader (or any
     * node when none is known) and resubmitted after a short pause until it is acknowledged. A command
     * whose outcome was indeterminate may thus be applied twice; that is the client's business, not a loss.
     */
    final class Clients {
        private final int window;
        private final Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        private final Executor retryLater = CompletableFuture.delayedExecutor(20, TimeUnit.MILLISECONDS);
        private final AtomicReference<Throwable> failure = new AtomicReference<>();

        Clients(int window) {
            this.window = window;
        }

        Set<String> acknowledged() {
            return Set.copyOf(acknowledged);
        }

        /** Commits commands {@code c-from} to {@code c-(to-1)}; fails if they are not all acknowledged in time. */
        void commit(int from, int to) throws InterruptedException {
            Semaphore inFlight = new Semaphore(window);
            CountDownLatch done = new CountDownLatch(to - from);
            for (int i = from; i < to; i++) {
                if (!inFlight.tryAcquire(WAIT.toSeconds(), TimeUnit.SECONDS)) {
                    throw new AssertionError("no command acknowledged for " + WAIT + "; acknowledged so far: "
                            + acknowledged.size() + ", failure: " + failure.get());
                }
                submit("c-" + i, inFlight, done);
            }
            assertThat(done.await(WAIT.toSeconds(), TimeUnit.SECONDS))
                    .as("all of commands %d..%d acknowledged (failure: %s)", from, to - 1, failure.get()).isTrue();
        }

        private void submit(String command, Semaphore inFlight, CountDownLatch done) {
            leaderOrAny().submit(command.getBytes(StandardCharsets.UTF_8)).whenComplete((result, error) -> {
                if (result instanceof CommandResult.Ok) {
                    acknowledged.add(command);
                    inFlight.release();
                    done.countDown();
                } else {
                    if (error != null) {
                        failure.compareAndSet(null, error);
                    }
                    retryLater.execute(() -> submit(command, inFlight, done));
                }
            });
        }
    }
}
