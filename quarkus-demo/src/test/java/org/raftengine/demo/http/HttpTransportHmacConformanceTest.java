package org.raftengine.demo.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.raftengine.core.wire.FrameAuthenticator;
import org.raftengine.core.wire.WireCodec;
import org.raftengine.testkit.tck.TransportConformance;

/**
 * The conformance suite with the cluster's HMAC on (every frame signed and checked), and frames that are unsigned or
 * signed with another secret refused and counted as unauthenticated, the node carrying on.
 */
@QuarkusTest
class HttpTransportHmacConformanceTest extends HttpTransportConformance {
    private static final FrameAuthenticator CLUSTER = FrameAuthenticator.fromSecrets(
            "the cluster's secret, 32 bytes..", null);

    @Override
    protected FrameAuthenticator authenticator() {
        return CLUSTER;
    }

    @Test
    void refusesFramesWithoutTheClustersTag() throws Exception {
        String cluster = uniqueClusterId();
        Node n2 = startNode(cluster, "n2");
        HttpTransport t = (HttpTransport) n2.transport();
        WireCodec codec = new WireCodec(cluster);
        byte[] frame = codec.encode(TransportConformance.vote("n1", "n2", 3));
        FrameAuthenticator other = FrameAuthenticator.fromSecrets("another cluster's secret, 32 b..", null);

        injectFrame(cluster, "n2", frame);                     // unsigned
        injectFrame(cluster, "n2", other.sign(frame));         // signed with another secret
        byte[] tampered = CLUSTER.sign(frame);
        tampered[tampered.length - FrameAuthenticator.TAG_BYTES - 1] ^= 1; // a signed frame changed after signing
        injectFrame(cluster, "n2", tampered);
        injectFrame(cluster, "n2", CLUSTER.sign(codec.encode(TransportConformance.vote("n1", "n2", 4))));

        assertThat(n2.inbox().take(Duration.ofSeconds(20), "the one valid frame").term()).isEqualTo(4);
        assertThat(t.framesUnauthenticated()).isEqualTo(3);
        assertThat(t.framesRejected()).isEqualTo(3);
        assertThat(n2.inbox().poll(Duration.ofMillis(300))).isNull();
    }
}
