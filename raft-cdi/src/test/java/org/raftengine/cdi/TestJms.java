package org.raftengine.cdi;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.jms.ConnectionFactory;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The JMS connection factory a node in a JVM of its own ({@link LedgerNodeMain}) gives raft-cdi, as an application
 * would: a broker client's own factory, here Artemis over TCP to the broker of {@code test.jms-url}.
 */
@ApplicationScoped
public class TestJms {

    @Produces
    @ApplicationScoped
    ConnectionFactory connectionFactory(@ConfigProperty(name = "test.jms-url") String url) {
        return new ActiveMQConnectionFactory(url);
    }

    void close(@Disposes ConnectionFactory factory) {
        ((ActiveMQConnectionFactory) factory).close();
    }
}
