package org.raftengine.jms;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.jms.admin.RMQConnectionFactory;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Collection;
import java.util.concurrent.TimeoutException;

/**
 * The real RabbitMQ on this machine (127.0.0.1:5672, guest/guest), through its JMS client. Tests that
 * need it call {@link #requireRunning()}: skipped with a clear message when it is down, except under
 * {@code CI=true}, where a missing broker fails the test.
 */
final class RabbitMq {

    static final String HOST = "127.0.0.1";
    static final int PORT = 5672;

    private RabbitMq() {
    }

    /** Skips the calling test if RabbitMQ does not accept connections, or fails it under CI=true. */
    static void requireRunning() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(HOST, PORT), 2_000);
        } catch (IOException e) {
            BrokerUnavailable.skipOrFail("RabbitMQ is not accepting connections on " + HOST + ":" + PORT + " ("
                    + e.getMessage() + "); start it with `rabbitmq-server -detached`", e);
        }
    }

    /** A JMS connection factory for the broker at {@code port} on loopback (5672, or a proxy in front). */
    static RMQConnectionFactory factory(int port) {
        RMQConnectionFactory factory = new RMQConnectionFactory();
        factory.setHost(HOST);
        factory.setPort(port);
        factory.setUsername("guest");
        factory.setPassword("guest");
        factory.setVirtualHost("/");
        factory.setChannelsQos(256);
        return factory;
    }

    /** Deletes the queues a test declared, so the shared broker does not collect them. */
    static void deleteQueues(Collection<String> queues) throws IOException, TimeoutException {
        if (queues.isEmpty()) {
            return;
        }
        com.rabbitmq.client.ConnectionFactory amqp = new com.rabbitmq.client.ConnectionFactory();
        amqp.setHost(HOST);
        amqp.setPort(PORT);
        amqp.setUsername("guest");
        amqp.setPassword("guest");
        try (Connection connection = amqp.newConnection("raftengine-test-cleanup");
             Channel channel = connection.createChannel()) {
            for (String queue : queues) {
                channel.queueDelete(queue);
            }
        }
    }
}
