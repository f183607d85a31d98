package org.raftengine.jms;

import jakarta.jms.BytesMessage;
import jakarta.jms.Connection;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.DeliveryMode;
import jakarta.jms.JMSException;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.raftengine.core.spi.Transport;
import org.raftengine.testkit.tck.FrameTransportConformance;

/**
 * The conformance suite on a JMS broker: subclasses give the connection factory (and may change the
 * configuration); bad frames are injected with a producer of their own, straight onto a node's queue.
 */
abstract class JmsTransportConformance extends FrameTransportConformance {

    static final int BUFFER_BOUND = 256;

    private final Set<String> queues = new LinkedHashSet<>();
    private Connection injector;
    private Session injectorSession;

    /** The broker under test. */
    protected abstract ConnectionFactory factory();

    /** The configuration of every transport of the suite; subclasses may add to it. */
    protected JmsTransportConfig configure(JmsTransportConfig config) {
        // A long time-to-live: the suite asks that a healthy broker deliver, even on a loaded machine.
        return config.withTimeToLive(Duration.ofSeconds(30)).withMaxBufferedPerPeer(BUFFER_BOUND)
                .withReconnectBackoff(Duration.ofMillis(50), Duration.ofSeconds(1));
    }

    /** The queue names the test used so far (every node's, down and foreign ones included). */
    protected Set<String> queuesUsed() {
        return queues;
    }

    @Override
    protected Transport newTransport(String clusterId, String nodeId) {
        JmsTransportConfig config = configure(JmsTransportConfig.of(nodeId, clusterId));
        queues.add(config.ownQueueName());
        for (String peer : new String[] {"n1", "n2", "n3", "down", "nobody"}) {
            queues.add(config.queueName(peer));
        }
        return new JmsTransport(factory(), config);
    }

    @Override
    protected void injectFrame(String clusterId, String nodeId, byte[] bytes) {
        try {
            if (injector == null) {
                injector = factory().createConnection();
                injectorSession = injector.createSession(false, Session.AUTO_ACKNOWLEDGE);
            }
            String queue = configure(JmsTransportConfig.of(nodeId, clusterId)).ownQueueName();
            MessageProducer producer = injectorSession.createProducer(injectorSession.createQueue(queue));
            BytesMessage message = injectorSession.createBytesMessage();
            message.writeBytes(bytes);
            producer.send(message, DeliveryMode.NON_PERSISTENT, 4, 0);
            producer.close();
        } catch (JMSException e) {
            throw new AssertionError("could not put a frame on the queue of " + nodeId, e);
        }
    }

    @AfterEach
    void closeInjector() throws JMSException {
        if (injector != null) {
            injector.close();
            injector = null;
        }
    }

    @Override
    protected long rejectedFrames(Transport transport) {
        return ((JmsTransport) transport).framesRejected();
    }

    @Override
    protected long bufferedFrames(Transport transport) {
        return ((JmsTransport) transport).framesBuffered();
    }

    @Override
    protected int maxBufferedFramesPerPeer() {
        return BUFFER_BOUND;
    }
}
