package org.raftengine.demo.http;

import io.quarkus.test.common.http.TestHTTPResource;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import org.raftengine.core.spi.Transport;
import org.raftengine.core.wire.FrameAuthenticator;
import org.raftengine.testkit.tck.FrameTransportConformance;

/**
 * The demo's HTTP transport against the testkit's Transport conformance suite: {@link HttpTransportConformanceTest}
 * without a secret, {@link HttpTransportHmacConformanceTest} with one. The demo's HTTP transport passes the testkit's Transport conformance suite (the frame suite: every message kind,
 * streams, large frames, bounded buffers, restarts, two clusters apart, and bad frames rejected, counted and
 * survived), every node a transport of the running test app, its frames POSTed to the app's {@code /raft/frames}.
 */
abstract class HttpTransportConformance extends FrameTransportConformance {
    @Inject
    HttpTransports transports;
    @TestHTTPResource("/")
    URL root;

    /** The authenticator of the cluster under test, or null. */
    protected abstract FrameAuthenticator authenticator();

    private URI base() {
        try {
            return root.toURI();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    protected Transport newTransport(String clusterId, String nodeId) {
        URI base = base();
        return transports.create(clusterId, nodeId, id -> base, authenticator());
    }

    @Override
    protected long bufferedFrames(Transport transport) {
        return ((HttpTransport) transport).framesBuffered();
    }

    @Override
    protected int maxBufferedFramesPerPeer() {
        return HttpTransports.MAX_BUFFERED_PER_PEER;
    }

    @Override
    protected long rejectedFrames(Transport transport) {
        return ((HttpTransport) transport).framesRejected();
    }

    @Override
    protected byte[] asSentByPeer(byte[] frame) {
        FrameAuthenticator a = authenticator();
        return a == null ? frame : a.sign(frame);
    }

    @Override
    protected Duration deliveryTimeout() {
        return Duration.ofSeconds(20);
    }

    /** One request holding one frame, as a peer sends it, to the node's {@code /raft/frames}. */
    @Override
    protected void injectFrame(String clusterId, String nodeId, byte[] bytes) {
        byte[] body = ByteBuffer.allocate(4 + bytes.length).putInt(bytes.length).put(bytes).array();
        HttpRequest r = HttpRequest.newBuilder(base().resolve(HttpTransport.PATH)).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/octet-stream").header(HttpTransport.CLUSTER_HEADER, clusterId)
                .header(HttpTransport.NODE_HEADER, nodeId).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        try {
            int status = transports.client().send(r, HttpResponse.BodyHandlers.discarding()).statusCode();
            if (status != 204) {
                throw new AssertionError("POST " + HttpTransport.PATH + " answered " + status);
            }
        } catch (IOException e) {
            throw new AssertionError("POST " + HttpTransport.PATH + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
