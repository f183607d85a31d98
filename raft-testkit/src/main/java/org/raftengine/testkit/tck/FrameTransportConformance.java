package org.raftengine.testkit.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.raftengine.core.message.RaftMessage;
import org.raftengine.core.spi.Transport;
import org.raftengine.core.wire.WireCodec;

/**
 * The conformance suite for a {@link Transport} whose medium carries bytes (a broker queue, a socket): the
 * whole of {@link TransportConformance}, and bad frames put straight on a node's inbound path (garbage,
 * truncated, of a foreign cluster, for another node, of an unknown version) are rejected, counted and
 * survived. A transport that hands objects over (the in-JVM one) extends {@link TransportConformance} alone.
 */
public abstract class FrameTransportConformance extends TransportConformance {

    /**
     * Puts raw bytes on the inbound path of node {@code nodeId} of cluster {@code clusterId}, as a faulty
     * or hostile peer would (for a broker: a message put straight on the node's queue, from one producer,
     * in order).
     */
    protected abstract void injectFrame(String clusterId, String nodeId, byte[] bytes);

    /**
     * A valid frame as a legitimate peer would send it: the codec's frame, signed when the transport under
     * test authenticates frames. The identity by default.
     */
    protected byte[] asSentByPeer(byte[] frame) {
        return frame;
    }

    /** Frames {@code transport} has received and rejected so far. */
    protected abstract long rejectedFrames(Transport transport);

    @Test
    void rejectsCountsAndSurvivesBadFrames() throws Exception {
        String cluster = uniqueClusterId();
        Node n1 = startNode(cluster, "n1");
        Node n2 = startNode(cluster, "n2");
        WireCodec codec = new WireCodec(cluster);
        byte[] valid = codec.encode(vote("n1", "n2", 5));
        List<byte[]> bad = List.of(
                new byte[0],
                "garbage, not a frame at all".getBytes(StandardCharsets.UTF_8),
                Arrays.copyOf(valid, valid.length / 2),                            // truncated
                asSentByPeer(Arrays.copyOf(valid, valid.length / 2)),              // truncated, signed
                asSentByPeer(new WireCodec(cluster + "-other").encode(vote("n1", "n2", 6))), // foreign cluster
                asSentByPeer(codec.encode(vote("n1", "n3", 7))),                             // for another node
                withVersion(asSentByPeer(valid), 99));                                      // unknown version
        long rejectedBefore = rejectedFrames(n2.transport());

        for (byte[] frame : bad) {
            injectFrame(cluster, "n2", frame);
        }
        injectFrame(cluster, "n2", asSentByPeer(valid));

        // One producer's messages arrive in order: once the valid frame is here, every bad one was handled.
        RaftMessage first = n2.inbox().take(deliveryTimeout(), "the valid frame after the bad ones");
        assertEquals(5, first.term(), "a bad frame was delivered as a message");
        assertEquals(bad.size(), rejectedFrames(n2.transport()) - rejectedBefore, "frames rejected");
        n1.send(vote("n1", "n2", 8));
        assertEquals(8, n2.inbox().take(deliveryTimeout(), "a message after the rejections").term());
    }

    private static byte[] withVersion(byte[] frame, int version) {
        byte[] copy = frame.clone();
        copy[2] = (byte) version;
        return copy;
    }
}
