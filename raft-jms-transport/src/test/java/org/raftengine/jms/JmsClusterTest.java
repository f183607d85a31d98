package org.raftengine.jms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import jakarta.jms.ConnectionFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.raftengine.core.ClusterSettings;
import org.raftengine.core.CommandResult;
import org.raftengine.core.message.VoteRequest;
import org.raftengine.core.wire.FrameAuthenticator;
import org.raftengine.core.wire.WireCodec;
import org.raftengine.jms.brokers.ArtemisBroker;
import org.raftengine.jms.brokers.RabbitMq;

/**
 * Three real nodes (in-memory logs) over {@link JmsTransport} on a real broker: they elect a leader and
 * commit 10,000 commands, half before and half after the broker goes away (long enough for the leader to
 * step down) and comes back, without any node being restarted; every acknowledged command is then
 * applied, in the same order, on every node.
 */
class JmsClusterTest {

    private static final int COMMANDS = 10_000;
    private static final int CLIENTS = 64;
    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void artemisOverTcpSurvivesABrokerRestart() throws Exception {
        try (ArtemisBroker broker = new ArtemisBroker().start()) {
            commitAcrossAnOutage(broker.tcpFactory(), c -> c, broker::stop, broker::start, new LinkedHashSet<>());
        }
    }

    /**
     * The machine's RabbitMQ itself restarted mid-run ({@code rabbitmqctl stop_app}, {@code start_app}): every
     * connection is closed by the broker, and what is not durable (messages in flight, queues that are not
     * durable) is gone. Skipped when RabbitMQ or rabbitmqctl is not usable here, failed under CI=true; the
     * broker runs again when this test ends, whatever happened.
     */
    @Test
    void rabbitMqSurvivesARealRestartOfTheBroker() throws Exception {
        BrokerUnavailable.require(RabbitMq::requireRestartable);
        Set<String> queues = new LinkedHashSet<>();
        try {
            commitAcrossAnOutage(RabbitMq.factory(RabbitMq.PORT), c -> c, RabbitMq::stopApp, RabbitMq::startApp,
                    queues);
        } finally {
            try {
                RabbitMq.ensureRunning();
            } finally {
                RabbitMq.deleteQueues(queues);
            }
        }
    }

    @Test
    void rabbitMqSurvivesEveryConnectionBeingCut() throws Exception {
        BrokerUnavailable.require(RabbitMq::requireRunning);
        Set<String> queues = new LinkedHashSet<>();
        try (TcpProxy proxy = new TcpProxy(RabbitMq.PORT)) {
            commitAcrossAnOutage(RabbitMq.factory(proxy.port()), c -> c, proxy::cut, proxy::restore, queues);
        } finally {
            RabbitMq.deleteQueues(queues);
        }
    }

    @Test
    void aClusterWithHmacRefusesForgedFramesOnItsQueuesAndKeepsCommitting() throws Exception {
        String cluster = "it-" + UUID.randomUUID().toString().substring(0, 8);
        FrameAuthenticator auth = FrameAuthenticator.fromSecrets("the cluster's secret, 32 bytes..", null);
        List<JmsTransport> transports = new ArrayList<>();
        try (ArtemisBroker broker = new ArtemisBroker().start();
             ThreeNodeCluster c = new ThreeNodeCluster(cluster, id -> {
                 JmsTransport t = new JmsTransport(broker.inVmFactory(),
                         JmsTransportConfig.of(id, cluster).withAuthenticator(auth));
                 transports.add(t);
                 return t;
             })) {
            await().atMost(WAIT).until(() -> c.leader() != null);
            ThreeNodeCluster.Clients clients = c.new Clients(8);
            clients.commit(0, 100);

            for (String id : ThreeNodeCluster.IDS) {
                String other = id.equals("n1") ? "n2" : "n1";
                broker.put(JmsTransportConfig.of(id, cluster).ownQueueName(),
                        "garbage".getBytes(StandardCharsets.UTF_8),
                        auth.sign(new WireCodec("another-cluster").encode(new VoteRequest(other, id, 1, 99, 0, 0,
                                false, false))),
                        new WireCodec(cluster).encode(new VoteRequest(other, id, 1, 99, 0, 0, false, false)));
            }
            clients.commit(100, 200);

            await().atMost(WAIT).until(() -> transports.stream().allMatch(t -> t.framesRejected() == 3));
            assertThat(transports).allSatisfy(t -> assertThat(t.framesUnauthenticated()).isEqualTo(2));
            assertThat(clients.acknowledged()).hasSize(200);
            assertThat(c.nodes).allSatisfy(n -> assertThat(n.status().term()).isLessThan(99));
        }
    }

    private static long ms(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }

    interface Step {
        void run() throws Exception;
    }

    /**
     * The scenario: three nodes over {@code factory}, 5,000 commands, {@code outage} until the leader steps
     * down, {@code recovery}, 5,000 more commands, then every acknowledged command on every node in one order.
     *
     * @param customize changes to each node's transport configuration (credentials, for one)
     * @param queues    receives the name of every queue used, for a shared broker's clean-up
     */
    static void commitAcrossAnOutage(ConnectionFactory factory, UnaryOperator<JmsTransportConfig> customize,
                                     Step outage, Step recovery, Set<String> queues) throws Exception {
        String cluster = "it-" + UUID.randomUUID().toString().substring(0, 8);
        List<JmsTransport> transports = new ArrayList<>();
        try (ThreeNodeCluster c = new ThreeNodeCluster(cluster, id -> {
            JmsTransportConfig config = customize.apply(JmsTransportConfig.of(id, cluster)
                    .withTimeToLiveFor(ClusterSettings.DEFAULTS)
                    .withReconnectBackoff(Duration.ofMillis(50), Duration.ofMillis(500)));
            queues.add(config.ownQueueName());
            JmsTransport transport = new JmsTransport(factory, config);
            transports.add(transport);
            return transport;
        })) {
            await().atMost(WAIT).until(() -> c.leader() != null);
            ThreeNodeCluster.Clients clients = c.new Clients(CLIENTS);
            clients.commit(0, COMMANDS / 2);

            long t0 = System.nanoTime();
            outage.run();
            long outageDone = System.nanoTime();
            await().atMost(WAIT).until(() -> transports.stream().noneMatch(JmsTransport::isConnected));
            // Nothing can commit now; a command submitted meanwhile may or may not commit later.
            CompletableFuture<CommandResult> duringOutage = c.leaderOrAny()
                    .submit("during-outage".getBytes(StandardCharsets.UTF_8)).toCompletableFuture();
            // The outage outlasts the election timeout: with CheckQuorum the leader steps down, so the
            // cluster must elect again over the recovered broker before it commits.
            await().atMost(WAIT).until(() -> c.leader() == null);
            long leaderGone = System.nanoTime();
            recovery.run();
            long recovered = System.nanoTime();
            await().atMost(WAIT).until(() -> transports.stream().allMatch(JmsTransport::isConnected));
            long reconnected = System.nanoTime();
            await().atMost(WAIT).until(() -> c.leader() != null);
            long elected = System.nanoTime();

            clients.commit(COMMANDS / 2, COMMANDS);
            System.out.printf(Locale.ROOT, "%s: outage step %d ms, no leader %d ms after it began; recovery step"
                            + " %d ms; all reconnected %d ms and a leader %d ms after it; the second 5,000 commands"
                            + " in %d ms%n", cluster, ms(outageDone - t0), ms(leaderGone - t0),
                    ms(recovered - leaderGone), ms(reconnected - recovered), ms(elected - recovered),
                    ms(System.nanoTime() - elected));
            assertThat(duringOutage.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isNotNull();

            // DURABLE: every acknowledged command is applied on every node; SAME-APPLY: in one order.
            Set<String> acked = clients.acknowledged();
            assertThat(acked).hasSize(COMMANDS);
            List<ThreeNodeCluster.Journal> journals = c.journals;
            await().atMost(WAIT)
                    .until(() -> journals.stream().allMatch(j -> j.appliedCommands().containsAll(acked)));
            await().atMost(WAIT).until(() -> journals.get(0).appliedCommands().equals(journals.get(1).appliedCommands())
                    && journals.get(1).appliedCommands().equals(journals.get(2).appliedCommands()));
            assertThat(transports).allSatisfy(t -> {
                assertThat(t.reconnects()).isGreaterThanOrEqualTo(1);
                assertThat(t.framesRejected()).isZero();
            });
        }
    }
}
