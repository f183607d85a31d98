package org.raftengine.jms;

import jakarta.jms.ConnectionFactory;
import org.junit.jupiter.api.BeforeEach;
import org.raftengine.jms.brokers.RabbitMq;

/**
 * The conformance suite on the real RabbitMQ of this machine, through its JMS client (skipped when
 * RabbitMQ is down, failed under CI=true). The queues each test declares are deleted after it.
 */
class RabbitMqConformanceTest extends JmsTransportConformance {

    @BeforeEach
    void requireBroker() throws Exception {
        BrokerUnavailable.require(RabbitMq::requireRunning);
    }

    @Override
    protected ConnectionFactory factory() {
        return RabbitMq.factory(RabbitMq.PORT);
    }

    @Override
    protected void afterTransportsStopped() throws Exception {
        RabbitMq.deleteQueues(queuesUsed());
    }
}
