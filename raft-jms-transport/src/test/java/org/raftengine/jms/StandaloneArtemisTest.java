package org.raftengine.jms;

import jakarta.jms.ConnectionFactory;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.raftengine.jms.brokers.StandaloneArtemis;

/**
 * The transport on a standalone ActiveMQ Artemis broker, a process of its own started from the
 * distribution under {@code target/} (login required): the conformance suite, and three nodes committing
 * across a restart of the broker process. Skipped if the broker cannot be started here; failed under
 * CI=true.
 */
class StandaloneArtemisTest {

    private static StandaloneArtemis broker;

    @BeforeAll
    static void startBroker() throws Exception {
        broker = BrokerUnavailable.require(() -> StandaloneArtemis.createAndStart(Path.of("target")));
    }

    @AfterAll
    static void stopBroker() throws InterruptedException {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void threeNodesCommitAcrossARestartOfTheBrokerProcess() throws Exception {
        JmsClusterTest.commitAcrossAnOutage(broker.factoryWithoutCredentials(),
                c -> c.withCredentials(StandaloneArtemis.USER, broker.password()),
                broker::stop, broker::start, new LinkedHashSet<>());
    }

    /** The conformance suite, with the factory's own credentials. */
    @Nested
    class Conformance extends JmsTransportConformance {
        @Override
        protected ConnectionFactory factory() {
            return broker.factory();
        }
    }
}
