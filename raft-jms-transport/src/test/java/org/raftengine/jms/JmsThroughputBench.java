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
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.raftengine.core.CommandResult;
import org.raftengine.core.RaftNode;
import org.raftengine.core.message.AppendEntries;
import org.raftengine.core.spi.EntryType;
import org.raftengine.core.spi.LogEntry;
import org.raftengine.core.spi.Transport;
import org.raftengine.core.transport.LocalNetwork;
import org.raftengine.core.wire.WireCodec;
import org.raftengine.jms.brokers.ArtemisBroker;
import org.raftengine.jms.brokers.RabbitMq;
import org.raftengine.jms.brokers.StandaloneArtemis;
import org.raftengine.testkit.tck.Inbox;

/**
 * Not a timed test: a measurement, excluded from the build ({@code @Tag("bench")}). Run it with
 * <pre>
 * ./mvnw -B -pl raft-jms-transport -am test -Dtest=JmsThroughputBench -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dsurefire.excludedGroups=none
 * </pre>
 * It prints, per medium (in-JVM with the codec, embedded Artemis in-VM and TCP, a standalone Artemis process
 * over TCP, RabbitMQ on loopback): one-way
 * frames per second from one node to another (1 KiB AppendEntries, at most 256 in flight), and commits per
 * second of a three-node cluster at 1 and 64 closed-loop clients.
 */
@Tag("bench")
class JmsThroughputBench {

    private static final Duration WARM_UP = Duration.ofSeconds(2);
    private static final Duration MEASURE = Duration.ofSeconds(5);

    @Test
    void measure() throws Exception {
        List<String> lines = new ArrayList<>();
        lines.add(String.format(Locale.ROOT, "%-14s %14s %14s %14s", "medium", "frames/s", "commits/s C=1",
                "commits/s C=64"));
        lines.add(row("in-JVM+codec", (cluster, id) -> networkFor(cluster).transport(id)));
        try (ArtemisBroker broker = new ArtemisBroker().start()) {
            lines.add(row("artemis-invm", jms(broker.inVmFactory(), new LinkedHashSet<>())));
            lines.add(row("artemis-tcp", jms(broker.tcpFactory(), new LinkedHashSet<>())));
        }
        StandaloneArtemis standalone = StandaloneArtemis.createAndStart(java.nio.file.Path.of("target"));
        try {
            lines.add(row("artemis-process", jms(standalone.factory(), new LinkedHashSet<>())));
        } finally {
            standalone.close();
        }
        RabbitMq.requireRunning();
        Set<String> queues = new LinkedHashSet<>();
        try {
            lines.add(row("rabbitmq", jms(RabbitMq.factory(RabbitMq.PORT), queues)));
        } finally {
            RabbitMq.deleteQueues(queues);
        }
        lines.forEach(System.out::println);
        assertThat(lines).hasSize(6);
    }

    private final java.util.Map<String, LocalNetwork> networks = new java.util.concurrent.ConcurrentHashMap<>();

    private LocalNetwork networkFor(String cluster) {
        return networks.computeIfAbsent(cluster, c -> new LocalNetwork(new WireCodec(c)));
    }

    private static BiFunction<String, String, Transport> jms(ConnectionFactory factory, Set<String> queues) {
        return (cluster, id) -> {
            JmsTransportConfig config = JmsTransportConfig.of(id, cluster);
            queues.add(config.ownQueueName());
            return new JmsTransport(factory, config);
        };
    }

    private static String cluster() {
        return "bench-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private String row(String medium, BiFunction<String, String, Transport> transports) throws Exception {
        double frames = framesPerSecond(transports);
        double c1 = commitsPerSecond(transports, 1);
        double c64 = commitsPerSecond(transports, 64);
        return String.format(Locale.ROOT, "%-14s %14.0f %14.0f %14.0f", medium, frames, c1, c64);
    }

    private static double framesPerSecond(BiFunction<String, String, Transport> transports) throws Exception {
        String cluster = cluster();
        Transport n1 = transports.apply(cluster, "n1");
        Transport n2 = transports.apply(cluster, "n2");
        Inbox inbox = new Inbox();
        n1.start(new Inbox());
        n2.start(inbox);
        byte[] payload = new byte[1024];
        long sent = 0;
        try {
            long warmEnd = System.nanoTime() + WARM_UP.toNanos();
            long start = 0;
            long receivedAtStart = 0;
            long end = warmEnd + MEASURE.toNanos();
            while (System.nanoTime() < end) {
                if (start == 0 && System.nanoTime() >= warmEnd) {
                    start = System.nanoTime();
                    receivedAtStart = inbox.accepted();
                }
                if (sent - inbox.accepted() < 256) {
                    sent++;
                    n1.send(new AppendEntries("n1", "n2", 1, 1, sent, 1, sent,
                            List.of(LogEntry.of(sent + 1, 1, EntryType.COMMAND, sent, payload))));
                } else {
                    inbox.poll(Duration.ofMillis(1)); // wait for the receiver to catch up
                }
            }
            return (inbox.accepted() - receivedAtStart) * 1e9 / (System.nanoTime() - start);
        } finally {
            n1.stop();
            n2.stop();
        }
    }

    private static double commitsPerSecond(BiFunction<String, String, Transport> transports, int clients)
            throws Exception {
        String cluster = cluster();
        try (ThreeNodeCluster c = new ThreeNodeCluster(cluster, id -> transports.apply(cluster, id))) {
            await().atMost(Duration.ofSeconds(60)).until(() -> c.leader() != null);
            RaftNode leader = c.leader();
            AtomicLong acked = new AtomicLong();
            long stopAt = System.nanoTime() + WARM_UP.toNanos() + MEASURE.toNanos();
            byte[] command = "x".repeat(64).getBytes(StandardCharsets.UTF_8);
            for (int i = 0; i < clients; i++) {
                loop(leader, command, acked, stopAt);
            }
            await().atMost(WARM_UP.plusSeconds(10)).until(() -> System.nanoTime() > stopAt - MEASURE.toNanos());
            long before = acked.get();
            long start = System.nanoTime();
            await().atMost(MEASURE.plusSeconds(10)).until(() -> System.nanoTime() > stopAt);
            return (acked.get() - before) * 1e9 / (System.nanoTime() - start);
        }
    }

    /** One closed-loop client: the next command when the last one is acknowledged, until {@code stopAt}. */
    private static void loop(RaftNode leader, byte[] command, AtomicLong acked, long stopAt) {
        leader.submit(command).whenComplete((r, e) -> {
            if (r instanceof CommandResult.Ok) {
                acked.incrementAndGet();
            }
            if (System.nanoTime() < stopAt) {
                loop(leader, command, acked, stopAt);
            }
        });
    }
}
