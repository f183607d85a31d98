package org.raftengine.jms;

import jakarta.jms.ConnectionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;

/** The conformance suite on an embedded ActiveMQ Artemis broker, over its in-VM and its TCP acceptor. */
class ArtemisConformanceTest {

    private static ArtemisBroker broker;

    @BeforeAll
    static void startBroker() throws Exception {
        broker = new ArtemisBroker().start();
    }

    @AfterAll
    static void stopBroker() throws Exception {
        broker.close();
    }

    /** Client and broker in one JVM, through Artemis's in-VM connector. */
    @Nested
    class InVm extends JmsTransportConformance {
        @Override
        protected ConnectionFactory factory() {
            return broker.inVmFactory();
        }
    }

    /** Through TCP on loopback, as to a broker in another process. */
    @Nested
    class Tcp extends JmsTransportConformance {
        @Override
        protected ConnectionFactory factory() {
            return broker.tcpFactory();
        }
    }
}
