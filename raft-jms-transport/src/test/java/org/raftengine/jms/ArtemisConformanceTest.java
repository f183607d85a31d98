package org.raftengine.jms;

import jakarta.jms.ConnectionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.raftengine.core.wire.FrameAuthenticator;
import org.raftengine.jms.brokers.ArtemisBroker;

/** The conformance suite on an embedded ActiveMQ Artemis broker, over its in-VM and its TCP acceptor, and
 * with HMAC authentication on. */
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

    /** In-VM, with every frame signed: unsigned bad frames are refused before decoding. */
    @Nested
    class InVmAuthenticated extends JmsTransportConformance {
        private final FrameAuthenticator authenticator =
                FrameAuthenticator.fromSecrets("conformance secret, 32 bytes....", null);

        @Override
        protected ConnectionFactory factory() {
            return broker.inVmFactory();
        }

        @Override
        protected JmsTransportConfig configure(JmsTransportConfig config) {
            return super.configure(config).withAuthenticator(authenticator);
        }

        @Override
        protected byte[] asSentByPeer(byte[] frame) {
            return authenticator.sign(frame);
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
