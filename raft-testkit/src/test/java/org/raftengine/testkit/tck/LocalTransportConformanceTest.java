package org.raftengine.testkit.tck;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.raftengine.core.spi.Transport;
import org.raftengine.core.transport.LocalNetwork;
import org.raftengine.core.wire.WireCodec;

/**
 * The in-JVM transport against the conformance suite: one {@link LocalNetwork} per cluster id, encoding
 * and decoding every message on each hop. It hands objects over, so the bad-frame tests of
 * {@link FrameTransportConformance} do not apply; it never buffers, so its bound is zero.
 */
class LocalTransportConformanceTest extends TransportConformance {

    private final Map<String, LocalNetwork> networks = new ConcurrentHashMap<>();

    @Override
    protected Transport newTransport(String clusterId, String nodeId) {
        return networks.computeIfAbsent(clusterId, c -> new LocalNetwork(new WireCodec(c))).transport(nodeId);
    }

    @Override
    protected long bufferedFrames(Transport transport) {
        return 0;
    }

    @Override
    protected int maxBufferedFramesPerPeer() {
        return 0;
    }
}
