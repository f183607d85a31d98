package org.raftengine.jms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import jakarta.jms.ConnectionFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.raftengine.core.ClusterConfiguration;
import org.raftengine.core.ClusterSettings;
import org.raftengine.core.CommandResult;
import org.raftengine.core.RaftNode;
import org.raftengine.core.RaftNodeConfig;
import org.raftengine.core.Role;
import org.raftengine.core.log.InMemoryRaftLog;
import org.raftengine.core.spi.StateMachine;

/**
 * Three real nodes (in-memory logs) over {@link JmsTransport} on a real broker: they elect a leader and
 * commit 10,000 commands, half before and half after the broker goes away (long enough for the leader to
 * step down) and comes back, without any node being restarted; every acknowledged command is then applied, in the same order, on every node.
 */
class JmsClusterTest {

    private static final int COMMANDS = 10_000;
    private static final int CLIENTS = 64;
    private static final Duration WAIT = Duration.ofSeconds(60);

    /** The application's state: the commands, in the order applied. */
    static final class Journal implements StateMachine {
        final List<String> commands = new ArrayList<>();
        long applied;

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

        synchronized List<String> snapshot() {
            return List.copyOf(commands);
        }
    }

    @Test
    void artemisOverTcpSurvivesABrokerRestart() throws Exception {
        try (ArtemisBroker broker = new ArtemisBroker().start()) {
            runCluster(broker.tcpFactory(), broker::stop, broker::start, new LinkedHashSet<>());
        }
    }

    @Test
    void rabbitMqSurvivesEveryConnectionBeingCut() throws Exception {
        RabbitMq.requireRunning();
        Set<String> queues = new LinkedHashSet<>();
        try (TcpProxy proxy = new TcpProxy(RabbitMq.PORT)) {
            runCluster(RabbitMq.factory(proxy.port()), proxy::cut, proxy::restore, queues);
        } finally {
            RabbitMq.deleteQueues(queues);
        }
    }

    interface Step {
        void run() throws Exception;
    }

    private void runCluster(ConnectionFactory factory, Step outage, Step recovery, Set<String> queues)
            throws Exception {
        String cluster = "it-" + UUID.randomUUID().toString().substring(0, 8);
        List<String> ids = List.of("n1", "n2", "n3");
        ClusterConfiguration members = ClusterConfiguration.of(ClusterSettings.DEFAULTS, "n1", "n2", "n3");
        List<RaftNode> nodes = new ArrayList<>();
        List<Journal> journals = new ArrayList<>();
        List<JmsTransport> transports = new ArrayList<>();
        try {
            for (String id : ids) {
                RaftNodeConfig config = RaftNodeConfig.of(id, cluster);
                if (id.equals("n1")) {
                    config = config.withBootstrap(members);
                }
                JmsTransportConfig transportConfig = JmsTransportConfig.of(id, cluster)
                        .withTimeToLiveFor(ClusterSettings.DEFAULTS)
                        .withReconnectBackoff(Duration.ofMillis(50), Duration.ofMillis(500));
                queues.add(transportConfig.ownQueueName());
                JmsTransport transport = new JmsTransport(factory, transportConfig);
                Journal journal = new Journal();
                RaftNode node = new RaftNode(config, new InMemoryRaftLog(), transport, journal);
                node.start();
                nodes.add(node);
                journals.add(journal);
                transports.add(transport);
            }
            await().atMost(WAIT).until(() -> leader(nodes) != null);

            Clients clients = new Clients(nodes);
            clients.commit(0, COMMANDS / 2);

            outage.run();
            await().atMost(WAIT).until(() -> transports.stream().noneMatch(JmsTransport::isConnected));
            // Nothing can commit now; a command submitted meanwhile may or may not commit later.
            CompletableFuture<CommandResult> duringOutage = leaderOrAny(nodes)
                    .submit("during-outage".getBytes(StandardCharsets.UTF_8)).toCompletableFuture();
            // The outage outlasts the election timeout: with CheckQuorum the leader steps down, so the
            // cluster must elect again over the recovered broker before it commits.
            await().atMost(WAIT).until(() -> leader(nodes) == null);
            recovery.run();
            await().atMost(WAIT).until(() -> transports.stream().allMatch(JmsTransport::isConnected));

            clients.commit(COMMANDS / 2, COMMANDS);
            assertThat(duringOutage.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isNotNull();

            // DURABLE: every acknowledged command is applied on every node; SAME-APPLY: in one order.
            Set<String> acked = clients.acknowledged();
            assertThat(acked).hasSize(COMMANDS);
            await().atMost(WAIT).until(() -> journals.stream().allMatch(j -> j.snapshot().containsAll(acked)));
            await().atMost(WAIT).until(() -> journals.get(0).snapshot().equals(journals.get(1).snapshot())
                    && journals.get(1).snapshot().equals(journals.get(2).snapshot()));
            assertThat(transports).allSatisfy(t -> {
                assertThat(t.reconnects()).isGreaterThanOrEqualTo(1);
                assertThat(t.framesRejected()).isZero();
            });
        } finally {
            for (RaftNode node : nodes) {
                node.stop().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
            }
        }
    }

    private static RaftNode leader(List<RaftNode> nodes) {
        return nodes.stream().filter(n -> n.status().role() == Role.LEADER).findFirst().orElse(null);
    }

    private static RaftNode leaderOrAny(List<RaftNode> nodes) {
        RaftNode leader = leader(nodes);
        return leader != null ? leader : nodes.get(0);
    }

    /**
     * Closed-loop clients: at most {@link #CLIENTS} commands in flight, each sent to the leader (or any
     * node when none is known) and resubmitted after a short pause until it is acknowledged. A command
     * whose outcome was indeterminate may thus be applied twice; that is the client's business, not lost.
     */
    private static final class Clients {
        private final List<RaftNode> nodes;
        private final Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        private final Executor retryLater = CompletableFuture.delayedExecutor(20, TimeUnit.MILLISECONDS);
        private final AtomicReference<Throwable> failure = new AtomicReference<>();

        Clients(List<RaftNode> nodes) {
            this.nodes = nodes;
        }

        Set<String> acknowledged() {
            return Set.copyOf(acknowledged);
        }

        void commit(int from, int to) throws InterruptedException {
            Semaphore window = new Semaphore(CLIENTS);
            CountDownLatch done = new CountDownLatch(to - from);
            for (int i = from; i < to; i++) {
                if (!window.tryAcquire(WAIT.toSeconds(), TimeUnit.SECONDS)) {
                    throw new AssertionError("no command acknowledged for " + WAIT + "; acknowledged so far: "
                            + acknowledged.size() + ", failure: " + failure.get());
                }
                submit("c-" + i, window, done);
            }
            assertThat(done.await(WAIT.toSeconds(), TimeUnit.SECONDS))
                    .as("all of commands %d..%d acknowledged (failure: %s)", from, to - 1, failure.get()).isTrue();
        }

        private void submit(String command, Semaphore window, CountDownLatch done) {
            leaderOrAny(nodes).submit(command.getBytes(StandardCharsets.UTF_8)).whenComplete((result, error) -> {
                if (result instanceof CommandResult.Ok) {
                    acknowledged.add(command);
                    window.release();
                    done.countDown();
                } else {
                    if (error != null) {
                        failure.compareAndSet(null, error);
                    }
                    retryLater.execute(() -> submit(command, window, done));
                }
            });
        }
    }
}
