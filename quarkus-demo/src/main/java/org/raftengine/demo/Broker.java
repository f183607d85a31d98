package org.raftengine.demo;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import jakarta.jms.ConnectionFactory;
import java.util.Optional;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The application's JMS connection factory, on which raft-cdi runs the transport with {@code raft.transport=jms}:
 * the ActiveMQ Artemis client's own factory ({@code demo.jms.url}, and {@code demo.jms.user}/{@code demo.jms.password}
 * when the broker requires a login). Made only when the transport asks for it: nothing connects before.
 */
@ApplicationScoped
public class Broker {
    @ConfigProperty(name = "demo.jms.url", defaultValue = "tcp://127.0.0.1:61616")
    String url;
    @ConfigProperty(name = "demo.jms.user")
    Optional<String> user;
    @ConfigProperty(name = "demo.jms.password")
    Optional<String> password;

    @Produces
    @Singleton
    ConnectionFactory connectionFactory() {
        return user.isPresent() ? new ActiveMQConnectionFactory(url, user.get(), password.orElse(""))
                : new ActiveMQConnectionFactory(url);
    }
}
