package org.raftengine.bench;

import jakarta.jms.ConnectionFactory;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.raftengine.core.spi.Transport;
import org.raftengine.core.transport.LocalNetwork;
import org.raftengine.core.wire.WireCodec;
import org.raftengine.jms.JmsTransport;
import org.raftengine.jms.JmsTransportConfig;
import org.raftengine.jms.brokers.ArtemisBroker;
import org.raftengine.jms.brokers.RabbitMq;
import org.raftengine.jms.brokers.StandaloneArtemis;

/** The media of the JMS run: what carries the frames between the nodes, opened once per medium. */
final class JmsMedia {

    /** Every medium, in the order the run measures them. */
    static final List<String> ALL = List.of("in-jvm", "artemis-invm", "artemis-tcp", "artemis-process", "rabbitmq");

    private JmsMedia() {
    }

    /** One opened medium: transports for any cluster on it; closing it releases its broker and queues. */
    interface Medium extends AutoCloseable {
        /** A new, unstarted transport for node {@code nodeId} of cluster {@code clusterId}. */
        Transport transport(String clusterId, String nodeId);

        @Override
        void close() throws Exception;
    }

    /**
     * Opens the named medium (starts its broker if it is one of the harness's).
     *
     * @param workDir where a standalone broker's instance is created
     * @throws org.raftengine.jms.brokers.BrokerUnavailableException if its broker cannot be had here
     */
    static Medium open(String name, Path workDir) throws Exception {
        return switch (name) {
            case "in-jvm" -> new InJvm();
            case "artemis-invm", "artemis-tcp" -> {
                ArtemisBroker broker = new ArtemisBroker().start();
                yield new Jms(name.equals("artemis-tcp") ? broker.tcpFactory() : broker.inVmFactory(), broker::stop);
            }
            case "artemis-process" -> {
                StandaloneArtemis broker = StandaloneArtemis.createAndStart(workDir);
                yield new Jms(broker.factory(), broker::close);
            }
            case "rabbitmq" -> {
                RabbitMq.requireRunning();
                Jms[] medium = new Jms[1];
                medium[0] = new Jms(RabbitMq.factory(RabbitMq.PORT), () -> RabbitMq.deleteQueues(medium[0].queues));
                yield medium[0];
            }
            default -> throw new IllegalArgumentException("unknown medium '" + name + "'; known: " + ALL);
        };
    }

    /** The in-JVM transport, every frame through the wire codec: {@link LocalNetwork}, one per cluster. */
    private static final class InJvm implements Medium {
        private final Map<String, LocalNetwork> networks = new ConcurrentHashMap<>();

        @Override
        public Transport transport(String clusterId, String nodeId) {
            return networks.computeIfAbsent(clusterId, c -> new LocalNetwork(new WireCodec(c))).transport(nodeId);
        }

        @Override
        public void close() {
            networks.clear();
        }
    }

    /** What a JMS medium does when it closes. */
    private interface Release {
        void run() throws Exception;
    }

    /** {@link JmsTransport} with its default configuration on a broker's connection factory. */
    private static final class Jms implements Medium {
        private final ConnectionFactory factory;
        private final Release release;
        private final Set<String> queues = ConcurrentHashMap.newKeySet();

        Jms(ConnectionFactory factory, Release release) {
            this.factory = factory;
            this.release = release;
        }

        @Override
        public Transport transport(String clusterId, String nodeId) {
            JmsTransportConfig config = JmsTransportConfig.of(nodeId, clusterId);
            queues.add(config.ownQueueName());
            return new JmsTransport(factory, config);
        }

        @Override
        public void close() throws Exception {
            release.run();
        }
    }
}
