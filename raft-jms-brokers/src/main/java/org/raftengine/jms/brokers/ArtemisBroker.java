package org.raftengine.jms.brokers;

import jakarta.jms.BytesMessage;
import jakarta.jms.Connection;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.DeliveryMode;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.activemq.artemis.core.config.Configuration;
import org.apache.activemq.artemis.core.config.impl.ConfigurationImpl;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;

/**
 * An embedded ActiveMQ Artemis broker for tests and benchmarks: no persistence, no security, an in-VM
 * acceptor and a TCP acceptor on a free loopback port. It can be stopped and started again on the same
 * addresses, as a broker restart.
 */
public final class ArtemisBroker implements AutoCloseable {

    private static final AtomicInteger NEXT_VM_ID = new AtomicInteger(100);

    private final int vmId = NEXT_VM_ID.getAndIncrement();
    private final int tcpPort;
    private final Path dir;
    private EmbeddedActiveMQ server;

    public ArtemisBroker() {
        this.tcpPort = freePort();
        this.dir = Path.of("target", "artemis", "broker-" + vmId);
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("no free port", e);
        }
    }

    /** Starts the broker; again after {@link #stop} for a restart. */
    public ArtemisBroker start() throws Exception {
        Configuration config = new ConfigurationImpl()
                .setPersistenceEnabled(false)
                .setSecurityEnabled(false)
                .setJMXManagementEnabled(false)
                .setGracefulShutdownEnabled(false)
                .setJournalDirectory(dir.resolve("journal").toString())
                .setBindingsDirectory(dir.resolve("bindings").toString())
                .setPagingDirectory(dir.resolve("paging").toString())
                .setLargeMessagesDirectory(dir.resolve("large").toString())
                .addAcceptorConfiguration("in-vm", "vm://" + vmId)
                .addAcceptorConfiguration("tcp", "tcp://127.0.0.1:" + tcpPort + "?protocols=CORE");
        server = new EmbeddedActiveMQ().setConfiguration(config);
        server.start();
        return this;
    }

    /** Stops the broker: every client connection fails. */
    public void stop() throws Exception {
        if (server != null) {
            server.stop();
            server = null;
        }
    }

    public boolean isRunning() {
        return server != null;
    }

    /** A client connection factory over the in-VM acceptor. */
    public ConnectionFactory inVmFactory() {
        return new ActiveMQConnectionFactory("vm://" + vmId);
    }

    /** A client connection factory over TCP on loopback. */
    public ConnectionFactory tcpFactory() {
        return new ActiveMQConnectionFactory("tcp://127.0.0.1:" + tcpPort + "?retryInterval=100");
    }

    /** Puts raw frames on a queue, from a producer of its own, in order: as a faulty or hostile client would. */
    public void put(String queue, byte[]... frames) throws JMSException {
        try (Connection c = inVmFactory().createConnection()) {
            Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
            MessageProducer p = s.createProducer(s.createQueue(queue));
            for (byte[] frame : frames) {
                BytesMessage m = s.createBytesMessage();
                m.writeBytes(frame);
                p.send(m, DeliveryMode.NON_PERSISTENT, Message.DEFAULT_PRIORITY, 0);
            }
        }
    }

    public int tcpPort() {
        return tcpPort;
    }

    /** Stops the broker; a failure to stop is the test's failure. */
    @Override
    public void close() {
        try {
            stop();
        } catch (Exception e) {
            throw new IllegalStateException("the embedded broker did not stop", e);
        }
    }
}
